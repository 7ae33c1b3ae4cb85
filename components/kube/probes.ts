import type * as k8s from "@pulumi/kubernetes";

type Probe = k8s.types.input.core.v1.Probe;

export interface ProbeTiming {
    /** Seconds between checks. @default 10 */
    readonly periodSeconds?: number;
    /** Consecutive failures that count as failed. @default 3 */
    readonly failureThreshold?: number;
    /** Seconds a check may take. @default 5 */
    readonly timeoutSeconds?: number;
    /** Seconds before the first check. @default unset: Kubernetes' 0 (a startup probe covers slow starts) */
    readonly initialDelaySeconds?: number;
}

export function httpProbe(path: string, port: number | string, timing: ProbeTiming = {}): Probe {
    return {
        httpGet: { path, port },
        periodSeconds: timing.periodSeconds ?? 10,
        failureThreshold: timing.failureThreshold ?? 3,
        timeoutSeconds: timing.timeoutSeconds ?? 5,
        initialDelaySeconds: timing.initialDelaySeconds,
    };
}

export function execProbe(command: string[], timing: ProbeTiming = {}): Probe {
    return {
        exec: { command },
        periodSeconds: timing.periodSeconds ?? 10,
        failureThreshold: timing.failureThreshold ?? 3,
        timeoutSeconds: timing.timeoutSeconds ?? 5,
        initialDelaySeconds: timing.initialDelaySeconds,
    };
}

/**
 * A startup probe that tolerates `seconds` of start-up (migrations, cache warm-up) before the
 * liveness probe may kill the container.
 */
export function startupWindow(probe: Probe, seconds: number, periodSeconds = 10): Probe {
    return { ...probe, periodSeconds, failureThreshold: Math.ceil(seconds / periodSeconds), initialDelaySeconds: undefined };
}
