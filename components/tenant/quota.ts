import { type Footprint, formatCpu, formatMemory } from "../kube/resources";

/**
 * The tenant's ResourceQuota, from the footprint of what the platform declares for it: room for
 * a rolling update of every workload at once (one surge pod each) and for Jobs, so a deploy never
 * trips its own quota, while a tenant cannot grow past its size profile by hand.
 */
export function quotaFor(steady: Footprint, largestPod: Footprint, jobs: Footprint): Record<string, string> {
    const headroom = (steadyValue: number, surge: number, job: number, round: number) =>
        Math.ceil((steadyValue * 1.25 + surge + job) / round) * round;
    return {
        "requests.cpu": formatCpu(headroom(steady.cpuRequestMillis, largestPod.cpuRequestMillis, jobs.cpuRequestMillis, 100)),
        "requests.memory": formatMemory(
            headroom(steady.memoryRequestBytes, largestPod.memoryRequestBytes, jobs.memoryRequestBytes, 128 * 1024 ** 2),
        ),
        "limits.cpu": formatCpu(headroom(steady.cpuLimitMillis, largestPod.cpuLimitMillis, jobs.cpuLimitMillis, 100)),
        "limits.memory": formatMemory(
            headroom(steady.memoryLimitBytes, largestPod.memoryLimitBytes, jobs.memoryLimitBytes, 128 * 1024 ** 2),
        ),
        pods: String(steady.pods * 2 + jobs.pods + 4),
        "services.loadbalancers": "0",
        "services.nodeports": "0",
    };
}
