import type * as pulumi from "@pulumi/pulumi";
import type { PodScheduling, PriorityTier, WorkloadRole } from "../kube/scheduling";
import { MAX_REPLICAS } from "../sizing/profiles";
import type { Size } from "../sizing/size";
import type { Environment } from "./environment";

/** The most replicas an autoscaled workload of this size may reach here; undefined without autoscaling. */
export function autoscalingMax(env: Pick<Environment, "autoscaling">, size: Size): number | undefined {
    return env.autoscaling ? MAX_REPLICAS[size] : undefined;
}

/**
 * The scheduling of one namespace's pods, from the environment: its node pools, spread, pull
 * secrets and mirror, the PriorityClasses, and (for tenant namespaces) the app overrides; its
 * autoscalers reach at most {@link autoscalingMax} of `size` (the tenant's, or the trace gateway's).
 */
export function namespaceScheduling(
    env: Environment,
    priorityClassNames: Readonly<Record<PriorityTier, pulumi.Input<string>>>,
    defaultRole: WorkloadRole,
    size: Size,
    withOverrides: boolean,
): PodScheduling {
    return {
        priorityClassNames,
        placement: env.placement,
        spread: env.placement.spread,
        imagePullSecrets: env.images.pullSecrets,
        mirror: env.images.mirror,
        defaultRole,
        autoscaling: env.autoscaling ? { targetCpuUtilization: env.autoscaling.targetCpuUtilization, maxReplicas: MAX_REPLICAS[size] } : undefined,
        overrides: withOverrides ? env.appOverrides : {},
        problems: [],
    };
}
