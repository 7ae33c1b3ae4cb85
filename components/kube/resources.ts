/** CPU and memory requests and limits of one container. */
export interface Resources {
    readonly requests: { readonly cpu: string; readonly memory: string };
    readonly limits: { readonly cpu: string; readonly memory: string };
}

/** Shorthand: `res("250m", "512Mi", "1", "1Gi")`. */
export function res(cpuRequest: string, memoryRequest: string, cpuLimit: string, memoryLimit: string): Resources {
    return { requests: { cpu: cpuRequest, memory: memoryRequest }, limits: { cpu: cpuLimit, memory: memoryLimit } };
}

/** Millicores of a Kubernetes CPU quantity (`500m`, `2`, `1.5`). */
export function cpuMillis(q: string): number {
    const m = /^([0-9.]+)(m?)$/.exec(q);
    if (!m) throw new Error(`not a CPU quantity: ${q}`);
    return m[2] === "m" ? Number(m[1]) : Math.round(Number(m[1]) * 1000);
}

const MEMORY_UNITS: Record<string, number> = {
    "": 1,
    Ki: 1024,
    Mi: 1024 ** 2,
    Gi: 1024 ** 3,
    Ti: 1024 ** 4,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
};

/** Bytes of a Kubernetes memory quantity (`512Mi`, `2Gi`). */
export function memoryBytes(q: string): number {
    const m = /^([0-9.]+)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(q);
    if (!m) throw new Error(`not a memory quantity: ${q}`);
    return Number(m[1]) * MEMORY_UNITS[m[2] ?? ""]!;
}

/** Formats millicores back into a quantity. */
export function formatCpu(millis: number): string {
    return millis % 1000 === 0 ? String(millis / 1000) : `${millis}m`;
}

/** Formats bytes into Mi or Gi. */
export function formatMemory(bytes: number): string {
    const gi = bytes / 1024 ** 3;
    return Number.isInteger(gi) ? `${gi}Gi` : `${Math.round(bytes / 1024 ** 2)}Mi`;
}

/** What a set of pods asks for and may use, summed over containers and replicas. */
export interface Footprint {
    readonly cpuRequestMillis: number;
    readonly memoryRequestBytes: number;
    readonly cpuLimitMillis: number;
    readonly memoryLimitBytes: number;
    readonly pods: number;
}

export const NO_FOOTPRINT: Footprint = { cpuRequestMillis: 0, memoryRequestBytes: 0, cpuLimitMillis: 0, memoryLimitBytes: 0, pods: 0 };

/** The footprint of `replicas` pods running these containers. */
export function footprintOf(containers: readonly { readonly resources: Resources }[], replicas = 1): Footprint {
    const one = containers.reduce(
        (f, c) => ({
            cpuRequestMillis: f.cpuRequestMillis + cpuMillis(c.resources.requests.cpu),
            memoryRequestBytes: f.memoryRequestBytes + memoryBytes(c.resources.requests.memory),
            cpuLimitMillis: f.cpuLimitMillis + cpuMillis(c.resources.limits.cpu),
            memoryLimitBytes: f.memoryLimitBytes + memoryBytes(c.resources.limits.memory),
            pods: 0,
        }),
        NO_FOOTPRINT,
    );
    return {
        cpuRequestMillis: one.cpuRequestMillis * replicas,
        memoryRequestBytes: one.memoryRequestBytes * replicas,
        cpuLimitMillis: one.cpuLimitMillis * replicas,
        memoryLimitBytes: one.memoryLimitBytes * replicas,
        pods: replicas,
    };
}

export function sumFootprints(all: readonly Footprint[]): Footprint {
    return all.reduce(
        (a, b) => ({
            cpuRequestMillis: a.cpuRequestMillis + b.cpuRequestMillis,
            memoryRequestBytes: a.memoryRequestBytes + b.memoryRequestBytes,
            cpuLimitMillis: a.cpuLimitMillis + b.cpuLimitMillis,
            memoryLimitBytes: a.memoryLimitBytes + b.memoryLimitBytes,
            pods: a.pods + b.pods,
        }),
        NO_FOOTPRINT,
    );
}
