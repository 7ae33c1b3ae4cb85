import { type Size } from "../sizing/size";
import { cpuMillis, formatCpu, formatMemory, memoryBytes } from "../kube/resources";
import { APP_WORKLOADS } from "../sizing/profiles";

/**
 * The tenant's LimitRange: defaults for a container that states no resources (none of the
 * platform's do), and a per-container ceiling at the largest workload of the tenant's size, or of
 * the size the environment gives every tenant ClickHouse (`dataServices.clickhouse.size`).
 */
export function limitRangeFor(size: Size, clickhouseSize: Size = size): { default: Record<string, string>; defaultRequest: Record<string, string>; max: Record<string, string> } {
    const tables = Object.entries(APP_WORKLOADS).map(([workload, t]) => t[workload === "clickhouse" ? clickhouseSize : size]);
    const maxCpu = Math.max(...tables.map((r) => cpuMillis(r.limits.cpu)));
    const maxMemory = Math.max(...tables.map((r) => memoryBytes(r.limits.memory)));
    return {
        defaultRequest: { cpu: "50m", memory: "64Mi" },
        default: { cpu: "500m", memory: "512Mi" },
        max: { cpu: formatCpu(maxCpu), memory: formatMemory(maxMemory) },
    };
}
