/** The uid and gid a container image runs as (the table below); pods run as exactly these. */
export interface RunAs {
    readonly uid: number;
    readonly gid: number;
}

/**
 * Every container image the platform runs, pinned in one place, with how it runs under Pod
 * Security `restricted`. This table is the "uid each image runs as" table; the README repeats it
 * and a test keeps the two in agreement.
 */
export interface Image {
    readonly repository: string;
    readonly tag: string;
    /** Index digest, where a published one is known. @default none: referenced by tag only */
    readonly digest?: string;
    /** The user the image's Dockerfile declares (for the record; Kubernetes needs numbers). */
    readonly imageUser: string;
    /** The numeric user and group the platform runs it as. */
    readonly runAs: RunAs;
    /** False only where the image must write outside its volumes; say why in `exception`. */
    readonly readOnlyRootFilesystem: boolean;
    /** Paths the image writes at run time, each given an emptyDir. */
    readonly writablePaths: readonly string[];
    /**
     * Why the image deviates from the defaults (root user, writable root filesystem), if it does.
     * @default none: the image runs with the defaults (non-root, read-only root filesystem)
     */
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
    postgresExporter: {
        repository: "quay.io/prometheuscommunity/postgres-exporter",
        tag: "v0.20.1",
        imageUser: "nobody (a name; 65534 in its busybox base)",
        runAs: { uid: 65534, gid: 65534 },
        readOnlyRootFilesystem: true,
        writablePaths: [],
        exception: "The Dockerfile names its user without a number; run as 65534, busybox's nobody.",
    },
} as const satisfies Record<string, Image>;

/** The app images. How each runs is fixed here; its version comes from the tenant's release channel. */
const APP_IMAGE_RUNTIME = {
    langfuseWeb: {
        app: "langfuse",
        repository: "docker.io/langfuse/langfuse",
        imageUser: "nextjs (1001)",
        runAs: { uid: 1001, gid: 1001 },
        readOnlyRootFilesystem: true,
        // Next.js caches under .next/cache; Prisma and migrate write temp files under /tmp.
        writablePaths: ["/tmp", "/app/web/.next/cache"],
    },
    langfuseWorker: {
        app: "langfuse",
        repository: "docker.io/langfuse/langfuse-worker",
        imageUser: "expressjs (1001)",
        runAs: { uid: 1001, gid: 1001 },
        readOnlyRootFilesystem: true,
        writablePaths: ["/tmp"],
    },
    mlflow: {
        app: "mlflow",
        repository: "ghcr.io/mlflow/mlflow",
        imageUser: "root (no USER line)",
        runAs: { uid: 1000, gid: 1000 },
        readOnlyRootFilesystem: true,
        writablePaths: ["/tmp"],
        exception: "Runs as root upstream; run as 1000 with HOME=/tmp and every store URI explicit, so nothing is written outside /tmp.",
    },
    agentaApi: {
        app: "agenta",
        repository: "ghcr.io/agenta-ai/agenta-api",
        imageUser: "agenta (10001)",
        runAs: { uid: 10001, gid: 10001 },
        readOnlyRootFilesystem: true,
        writablePaths: ["/tmp"],
    },
    agentaWeb: {
        app: "agenta",
        repository: "ghcr.io/agenta-ai/agenta-web",
        imageUser: "agenta (10001)",
        runAs: { uid: 10001, gid: 10001 },
        readOnlyRootFilesystem: false,
        writablePaths: [],
        exception:
            "Its entrypoint writes /app/oss/public/__env.js (the browser's runtime config) at every start, inside the image's public assets.",
    },
    agentaServices: {
        app: "agenta",
        repository: "ghcr.io/agenta-ai/agenta-services",
        imageUser: "agenta (10001)",
        runAs: { uid: 10001, gid: 10001 },
        readOnlyRootFilesystem: true,
        writablePaths: ["/tmp"],
    },
} as const satisfies Record<string, Omit<Image, "tag" | "digest"> & { readonly app: string }>;

export type AppImageName = keyof typeof APP_IMAGE_RUNTIME;
/** The apps whose versions a channel sets: every app with an image above. */
export type VersionedApp = (typeof APP_IMAGE_RUNTIME)[AppImageName]["app"];
export type AppImages = Readonly<Record<AppImageName, Image>>;

/** Release channels. A tenant file picks one; `stable` by default. */
export const CHANNELS = ["stable", "canary"] as const;
export type Channel = (typeof CHANNELS)[number];

/** One app's version: the tag of its images (all of an app's images share it) and, for single-image apps, a digest. */
export interface AppVersion {
    readonly tag: string;
    /**
     * Index digest of the app's image, where the app has one image and a published digest is known.
     * @default none: referenced by tag only
     */
    readonly digest?: string;
}

/**
 * The app versions of each channel. An upgrade lands in `canary` first: only tenants on that
 * channel get it (their migration Jobs run, then their workloads roll). Once it has run there,
 * the same versions are copied to `stable`. Changing a channel changes nothing for tenants on
 * the other one.
 */
export const CHANNEL_VERSIONS: Readonly<Record<Channel, Readonly<Record<VersionedApp, AppVersion>>>> = {
    stable: {
        langfuse: { tag: "4.16.0" },
        mlflow: { tag: "v3.15.2-full", digest: "sha256:2c9c50ca72e314cb1b8b301ceaa43882629ad91873d7271f3be92796930c3647" },
        agenta: { tag: "v0.113.0" },
    },
    canary: {
        langfuse: { tag: "4.16.0" },
        mlflow: { tag: "v3.15.2-full", digest: "sha256:2c9c50ca72e314cb1b8b301ceaa43882629ad91873d7271f3be92796930c3647" },
        agenta: { tag: "v0.113.0" },
    },
};

/** The app images of a channel (or of explicit versions, for tests and tools). */
export function appImages(
    channel: Channel,
    versions: Readonly<Record<Channel, Readonly<Record<VersionedApp, AppVersion>>>> = CHANNEL_VERSIONS,
): AppImages {
    const out = {} as Record<AppImageName, Image>;
    for (const [name, { app, ...runtime }] of Object.entries(APP_IMAGE_RUNTIME) as Array<
        [AppImageName, (typeof APP_IMAGE_RUNTIME)[AppImageName]]
    >) {
        const v = versions[channel][app];
        const siblings = Object.values(APP_IMAGE_RUNTIME).filter((r) => r.app === app).length;
        if (v.digest && siblings > 1)
            throw new Error(`${channel}.${app}: a digest names one image, but ${app} has ${siblings}; pin the tag only`);
        out[name] = v.digest ? { ...runtime, tag: v.tag, digest: v.digest } : { ...runtime, tag: v.tag };
    }
    return out;
}

/** The `stable` channel's app images. */
export const APP_IMAGES: AppImages = appImages("stable");

/** Supporting images of the app plane, operated with the apps but not versioned by channel. */
export const SUPPORT_IMAGES = {
    supertokens: {
        repository: "registry.supertokens.io/supertokens/supertokens-postgresql",
        tag: "11.4.5",
        imageUser: "supertokens (created without a fixed uid)",
        runAs: { uid: 1000, gid: 1000 },
        readOnlyRootFilesystem: true,
        writablePaths: ["/lib/supertokens/temp", "/tmp"],
        exception: "The image names its user without a number; 1000 is the first uid useradd assigns on Debian.",
    },
    nginx: {
        repository: "docker.io/library/nginx",
        tag: "1.28.0-alpine",
        imageUser: "root, workers as nginx (101)",
        runAs: { uid: 101, gid: 101 },
        readOnlyRootFilesystem: true,
        writablePaths: ["/tmp"],
        exception: "Started directly as nginx (101) with our own nginx.conf: port 8080, pid and temp files in /tmp.",
    },
    oauth2Proxy: {
        repository: "quay.io/oauth2-proxy/oauth2-proxy",
        tag: "v7.15.3",
        imageUser: "nonroot (distroless, 65532)",
        runAs: { uid: 65532, gid: 65532 },
        readOnlyRootFilesystem: true,
        writablePaths: [],
    },
    otelCollector: {
        repository: "docker.io/otel/opentelemetry-collector-contrib",
        tag: "0.159.0",
        imageUser: "10001",
        runAs: { uid: 10001, gid: 10001 },
        readOnlyRootFilesystem: true,
        writablePaths: [],
    },
} as const satisfies Record<string, Image>;
