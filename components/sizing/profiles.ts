import type { Size } from "../environment/schema";
import { type Resources, res } from "../kube/resources";

/**
 * Requests and limits of every workload, per size profile. `small` is for dev and trial tenants
 * and is below upstream production minimums; `standard` meets them (Langfuse web and worker:
 * 2 vCPU / 4 GiB each); `large` has headroom. Platform-wide data services use the same names.
 */
export type SizeTable = Readonly<Record<Size, Resources>>;

export const DATA_SERVICES = {
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
    clickhouse: {
        small: res("250m", "1Gi", "1", "2Gi"),
        standard: res("2", "8Gi", "4", "8Gi"),
        large: res("4", "16Gi", "8", "16Gi"),
    },
} as const satisfies Record<string, SizeTable>;

/** The `maxmemory` Redis is told to use: 80% of its memory limit, leaving room for buffers and AOF rewrite. */
export function redisMaxMemory(limit: string): string {
    const mi = limit.endsWith("Gi") ? Number(limit.slice(0, -2)) * 1024 : Number(limit.slice(0, -2));
    return `${Math.floor(mi * 0.8)}mb`;
}
