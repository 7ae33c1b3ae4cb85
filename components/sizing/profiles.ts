import { type Size } from "./size";
import { type Resources, res } from "../kube/resources";

/**
 * Requests and limits of every workload, per size profile. `small` is for dev and trial tenants
 * and is below upstream production minimums; `standard` meets them (Langfuse web and worker:
 * 2 vCPU / 4 GiB each); `large` has headroom. Platform-wide data services use the same names.
 */
export type SizeTable = Readonly<Record<Size, Resources>>;

export const DATA_SERVICES = {
    /** The Postgres metrics sidecar (postgres_exporter), when monitoring is on. */
    postgresExporter: {
        small: res("20m", "32Mi", "200m", "128Mi"),
        standard: res("50m", "64Mi", "200m", "128Mi"),
        large: res("50m", "64Mi", "200m", "128Mi"),
    },
    postgres: {
        small: res("250m", "512Mi", "1", "1Gi"),
        standard: res("1", "4Gi", "2", "4Gi"),
        large: res("4", "16Gi", "8", "16Gi"),
    },
    minio: {
        small: res("100m", "256Mi", "1", "1Gi"),
        standard: res("500m", "2Gi", "2", "4Gi"),
        large: res("2", "8Gi", "4", "8Gi"),
    },
    redis: {
        small: res("100m", "128Mi", "500m", "256Mi"),
        standard: res("500m", "1Gi", "1", "2Gi"),
        large: res("1", "4Gi", "2", "8Gi"),
    },
    traceGateway: {
        small: res("100m", "256Mi", "1", "512Mi"),
        standard: res("500m", "1Gi", "2", "2Gi"),
        large: res("1", "2Gi", "4", "4Gi"),
    },
} as const satisfies Record<string, SizeTable>;

/**
 * The most replicas an autoscaler may run of one workload, per size: a tenant's apps by the
 * tenant's size, the trace gateway by its own. Never below the declared replicas.
 */
export const MAX_REPLICAS: Readonly<Record<Size, number>> = { small: 2, standard: 4, large: 8 };

/** The `maxmemory` Redis is told to use: 80% of its memory limit, leaving room for buffers and AOF rewrite. */
export function redisMaxMemory(limit: string): string {
    const mi = limit.endsWith("Gi") ? Number(limit.slice(0, -2)) * 1024 : Number(limit.slice(0, -2));
    return `${Math.floor(mi * 0.8)}mb`;
}

/**
 * Per-tenant workloads. `small` keeps a whole tenant (all three apps) under 1.5 vCPU and 3 GiB of
 * requests, for dev and trial tenants, well below upstream minimums; `standard` gives Langfuse
 * web and worker the 2 vCPU / 4 GiB upstream asks for, and ClickHouse 2 vCPU / 8 GiB.
 */
export const APP_WORKLOADS = {
    "langfuse-web": {
        small: res("200m", "384Mi", "1", "1536Mi"),
        standard: res("2", "4Gi", "2", "4Gi"),
        large: res("4", "8Gi", "4", "8Gi"),
    },
    "langfuse-worker": {
        small: res("150m", "384Mi", "1", "1536Mi"),
        standard: res("2", "4Gi", "2", "4Gi"),
        large: res("4", "8Gi", "4", "8Gi"),
    },
    clickhouse: {
        small: res("200m", "512Mi", "1", "2Gi"),
        standard: res("2", "8Gi", "4", "8Gi"),
        large: res("4", "16Gi", "8", "16Gi"),
    },
    "langfuse-redis": {
        small: res("20m", "64Mi", "200m", "256Mi"),
        standard: res("250m", "1Gi", "1", "1536Mi"),
        large: res("500m", "2Gi", "2", "4Gi"),
    },
    mlflow: {
        small: res("100m", "256Mi", "1", "1Gi"),
        standard: res("1", "2Gi", "2", "4Gi"),
        large: res("2", "4Gi", "4", "8Gi"),
    },
    "agenta-web": {
        small: res("50m", "128Mi", "500m", "512Mi"),
        standard: res("250m", "512Mi", "1", "1Gi"),
        large: res("500m", "1Gi", "2", "2Gi"),
    },
    "agenta-api": {
        small: res("100m", "256Mi", "1", "1Gi"),
        standard: res("1", "2Gi", "2", "2Gi"),
        large: res("2", "4Gi", "4", "4Gi"),
    },
    "agenta-worker-streams": {
        small: res("50m", "128Mi", "500m", "512Mi"),
        standard: res("250m", "512Mi", "1", "1Gi"),
        large: res("500m", "1Gi", "2", "2Gi"),
    },
    "agenta-worker-queues": {
        small: res("50m", "192Mi", "500m", "768Mi"),
        standard: res("500m", "1Gi", "2", "2Gi"),
        large: res("1", "2Gi", "4", "4Gi"),
    },
    "agenta-cron": {
        small: res("10m", "64Mi", "100m", "128Mi"),
        standard: res("10m", "64Mi", "200m", "256Mi"),
        large: res("20m", "128Mi", "200m", "256Mi"),
    },
    "agenta-services": {
        small: res("50m", "128Mi", "500m", "512Mi"),
        standard: res("500m", "1Gi", "2", "2Gi"),
        large: res("1", "2Gi", "4", "4Gi"),
    },
    "agenta-supertokens": {
        small: res("50m", "192Mi", "500m", "512Mi"),
        standard: res("250m", "512Mi", "1", "1Gi"),
        large: res("500m", "1Gi", "1", "1Gi"),
    },
    "agenta-redis": {
        small: res("20m", "64Mi", "200m", "256Mi"),
        standard: res("100m", "256Mi", "500m", "768Mi"),
        large: res("250m", "512Mi", "1", "1536Mi"),
    },
    "agenta-edge": {
        small: res("10m", "32Mi", "200m", "64Mi"),
        standard: res("50m", "64Mi", "500m", "128Mi"),
        large: res("100m", "64Mi", "1", "128Mi"),
    },
    "sso-gate": {
        small: res("10m", "32Mi", "200m", "64Mi"),
        standard: res("50m", "64Mi", "500m", "128Mi"),
        large: res("100m", "64Mi", "1", "128Mi"),
    },
    job: {
        small: res("50m", "128Mi", "500m", "512Mi"),
        standard: res("100m", "256Mi", "1", "1Gi"),
        large: res("100m", "256Mi", "1", "1Gi"),
    },
} as const satisfies Record<string, SizeTable>;

/** Volume size of a tenant's ClickHouse: the environment's size, but at most 10Gi for `small` tenants. */
export function clickhouseStorage(size: Size, environmentStorage: string): string {
    if (size !== "small") return environmentStorage;
    const gi = environmentStorage.endsWith("Ti")
        ? Number(environmentStorage.slice(0, -2)) * 1024
        : environmentStorage.endsWith("Gi")
          ? Number(environmentStorage.slice(0, -2))
          : 1;
    return gi > 10 ? "10Gi" : environmentStorage;
}

/** `NODE_OPTIONS` heap cap for a Node.js container: 75% of its memory limit, leaving room off-heap. */
export function nodeHeapMiB(limit: string): number {
    const mi = limit.endsWith("Gi") ? Number(limit.slice(0, -2)) * 1024 : Number(limit.slice(0, -2));
    return Math.floor(mi * 0.75);
}
