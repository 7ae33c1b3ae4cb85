import type * as pulumi from "@pulumi/pulumi";
import type { PodScheduling, PriorityTier, WorkloadRole } from "../kube/scheduling";
import { MAX_REPLICAS } from "../sizing/profiles";
import type { Size } from "../sizing/size";
import type { Environment } from "./environment";

/** The most replicas an autoscaled workload of this size may reach here; undefined without autoscaling. */
export function autoscalingMax(profile: Pick<Environment, "autoscaling">, size: Size): number | undefined {
    return profile.autoscaling ? MAX_REPLICAS[size] : undefined;
}

/**
 * The scheduling of one namespace's pods, from the environment: its node pools, spread, pull
 * secrets and mirror, the PriorityClasses, and (for tenant namespaces) the app overrides; its
 * autoscalers reach at most {@link autoscalingMax} of `size` (the tenant's, or the trace gateway's).
 */
export function namespaceScheduling(
    profile: Environment,
    priorityClassNames: Readonly<Record<PriorityTier, pulumi.Input<string>>>,
    defaultRole: WorkloadRole,
    size: Size,
    withOverrides: boolean,
): PodScheduling {
    return {
        priorityClassNames,
        placement: profile.placement,
        spread: profile.placement.spread,
        imagePullSecrets: profile.images.pullSecrets,
        mirror: profile.images.mirror,
        defaultRole,
        autoscaling: profile.autoscaling
            ? { targetCpuUtilization: profile.autoscaling.targetCpuUtilization, maxReplicas: MAX_REPLICAS[size] }
            : undefined,
        overrides: withOverrides ? profile.appOverrides : {},
        problems: [],
    };
}
