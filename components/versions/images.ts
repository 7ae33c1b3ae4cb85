import type { RunAs } from "../kube/security";

/**
 * Every container image the platform runs, pinned in one place, with how it runs under Pod
 * Security `restricted`. This table is the "uid each image runs as" table; the README repeats it
 * and a test keeps the two in agreement.
 */
export interface Image {
    readonly repository: string;
    readonly tag: string;
    /** Index digest, where a published one is known. */
    readonly digest?: string;
    /** The user the image's Dockerfile declares (for the record; Kubernetes needs numbers). */
    readonly imageUser: string;
    /** The numeric user and group the platform runs it as. */
    readonly runAs: RunAs;
    /** False only where the image must write outside its volumes; say why in `exception`. */
    readonly readOnlyRootFilesystem: boolean;
    /** Paths the image writes at run time, each given an emptyDir. */
    readonly writablePaths: readonly string[];
    /** Why the image deviates from the defaults (root user, writable root filesystem), if it does. */
    readonly exception?: string;
}

/** `repository:tag@digest`, or `repository:tag` where no digest is known. */
export function imageRef(image: Image): string {
    return image.digest ? `${image.repository}:${image.tag}@${image.digest}` : `${image.repository}:${image.tag}`;
}

/** The data services and platform components (not per-channel: they are operated once per environment). */
export const IMAGES = {
    postgres: {
        repository: "docker.io/library/postgres",
        tag: "17.11-trixie",
        digest: "sha256:f4c66b820c6f974249089d3d16d86a3698eae11e8746eb6644b2271031e91232",
        imageUser: "root, steps down to postgres (999)",
        runAs: { uid: 999, gid: 999 },
        readOnlyRootFilesystem: true,
        writablePaths: ["/var/run/postgresql", "/tmp"],
        exception: "Starts as root upstream; run directly as its postgres user (999), which skips the entrypoint's chown and gosu.",
    },
    minio: {
        repository: "quay.io/minio/minio",
        tag: "RELEASE.2025-09-07T16-13-09Z",
        digest: "sha256:14cea493d9a34af32f524e538b8346cf79f3321eff8e708c1e2960462bd8936e",
        imageUser: "root (no USER line)",
        runAs: { uid: 1000, gid: 1000 },
        readOnlyRootFilesystem: true,
        writablePaths: ["/tmp"],
        exception: "Final community image: MinIO's community edition is archived and no longer published. Runs as any uid that owns /data.",
    },
    redis: {
        repository: "docker.io/valkey/valkey",
        tag: "8.1.8",
        imageUser: "root, steps down to valkey (999)",
        runAs: { uid: 999, gid: 999 },
        readOnlyRootFilesystem: true,
        writablePaths: ["/tmp"],
        exception: "Valkey (BSD-licensed, Redis-compatible, the Langfuse chart's choice); same ACL syntax as Redis 7.",
    },
    clickhouse: {
        repository: "docker.io/library/clickhouse",
        tag: "26.3.33.24",
        digest: "sha256:c416751548ebd5bc00d16fa9267607916e0b03b1239a347e3f832e8adb955f40",
        imageUser: "clickhouse (101)",
        runAs: { uid: 101, gid: 101 },
        readOnlyRootFilesystem: true,
        writablePaths: ["/tmp", "/var/log/clickhouse-server", "/etc/clickhouse-server/users.d"],
    },
} as const satisfies Record<string, Image>;
