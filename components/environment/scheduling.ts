import type * as pulumi from "@pulumi/pulumi";
import type { PodScheduling, PriorityTier, WorkloadRole } from "../kube/scheduling";
import type { Environment } from "./environment";

/**
 * The scheduling of one namespace's pods, from the environment: its node pools, spread, pull
 * secrets and mirror, the PriorityClasses, and (for tenant namespaces) the app overrides and the
 * autoscaling bound of the tenant's size.
 */
export function namespaceScheduling(
    env: Environment,
    priorityClassNames: Readonly<Record<PriorityTier, pulumi.Input<string>>>,
    defaultRole: WorkloadRole,
    maxReplicas: number,
    withOverrides: boolean,
): PodScheduling {
    return {
        priorityClassNames,
        placement: env.placement,
        spread: env.placement.spread,
        imagePullSecrets: env.images.pullSecrets,
        mirror: env.images.mirror,
        defaultRole,
        autoscaling: env.autoscaling ? { targetCpuUtilization: env.autoscaling.targetCpuUtilization, maxReplicas } : undefined,
        overrides: withOverrides ? env.appOverrides : {},
        problems: [],
    };
}
