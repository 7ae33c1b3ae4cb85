import { type Size } from "../sizing/size";
import { cpuMillis, formatCpu, formatMemory, memoryBytes } from "../kube/resources";
import { APP_WORKLOADS } from "../sizing/profiles";

/** CPU and memory quantities of a LimitRange entry, e.g. `{ cpu: "500m", memory: "512Mi" }`. */
// A type alias, not an interface: it must fit the LimitRange's `{ [resource: string]: string }`.
export type Quantities = { readonly cpu: string; readonly memory: string };

/**
 * The tenant's LimitRange: defaults for a container that states no resources (none of the
 * platform's do), and a per-container ceiling at the largest workload of the tenant's size, or of
 * the size the environment gives every tenant ClickHouse (`dataServices.clickhouse.size`).
 */
export function limitRangeFor(
    size: Size,
    clickhouseSize: Size = size,
): { default: Quantities; defaultRequest: Quantities; max: Quantities } {
    const tables = Object.entries(APP_WORKLOADS).map(([workload, t]) => t[workload === "clickhouse" ? clickhouseSize : size]);
    const maxCpu = Math.max(...tables.map((r) => cpuMillis(r.limits.cpu)));
    const maxMemory = Math.max(...tables.map((r) => memoryBytes(r.limits.memory)));
    return {
        defaultRequest: { cpu: "50m", memory: "64Mi" },
        default: { cpu: "500m", memory: "512Mi" },
        max: { cpu: formatCpu(maxCpu), memory: formatMemory(maxMemory) },
    };
}
