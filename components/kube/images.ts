/** The team's registry that mirrors every image. */
export interface ImageMirror {
    readonly host: string;
    /** Path under the host, e.g. `mirror/llmops`. @default none: images go directly under the host */
    readonly prefix?: string;
}

/** Registry host of an image reference: its first path segment when it looks like a host. */
function splitRegistry(ref: string): { registry: string; rest: string } {
    const slash = ref.indexOf("/");
    const first = slash < 0 ? "" : ref.slice(0, slash);
    if (slash >= 0 && (first.includes(".") || first.includes(":") || first === "localhost"))
        return { registry: first, rest: ref.slice(slash + 1) };
    // Docker Hub shorthand: `postgres` is `docker.io/library/postgres`, `user/app` is `docker.io/user/app`.
    return { registry: "docker.io", rest: slash < 0 ? `library/${ref}` : ref };
}

/**
 * The mirror's reference of an image: `<host>[/<prefix>]/<path>` with the source registry host
 * dropped and tag and digest kept, e.g. `docker.io/langfuse/langfuse:3@sha256:…` becomes
 * `registry.example.com/mirror/langfuse/langfuse:3@sha256:…`.
 */
export function mirrorImage(ref: string, mirror: ImageMirror): string {
    const { rest } = splitRegistry(ref);
    return [mirror.host, mirror.prefix, rest].filter((s) => s !== undefined && s !== "").join("/");
}
