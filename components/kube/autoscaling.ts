import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { NamespaceRef } from "./namespace";

/** Bounds of a HorizontalPodAutoscaler. */
export interface Autoscale {
    readonly minReplicas: number;
    readonly maxReplicas: number;
    readonly targetCpuUtilization: number;
}

/**
 * The autoscaling of a workload of `replicas` in this namespace, or undefined: when the namespace
 * has no autoscaling, the workload is scaled to zero (an offboarded tenant), or the bound leaves
 * no room above the declared replicas. The minimum is the declared replicas, so autoscaling never
 * takes a workload below what the environment asks for (two in prod).
 */
export function autoscaleOf(ns: NamespaceRef, replicas: number, wanted: boolean | undefined): Autoscale | undefined {
    const a = ns.scheduling?.autoscaling;
    if (!wanted || !a || replicas < 1 || a.maxReplicas <= replicas) return undefined;
    return { minReplicas: replicas, maxReplicas: a.maxReplicas, targetCpuUtilization: a.targetCpuUtilization };
}

/**
 * A HorizontalPodAutoscaler (autoscaling/v2) on average CPU use. The workload it scales omits
 * `spec.replicas`, so that Pulumi (server-side apply) never resets what the autoscaler decided.
 */
export function horizontalAutoscaler(
    resourceName: string,
    args: {
        readonly name: string;
        readonly namespace: NamespaceRef;
        readonly labels: Record<string, string>;
        readonly kind: "Deployment" | "StatefulSet";
        readonly autoscale: Autoscale;
    },
    opts: pulumi.CustomResourceOptions,
): k8s.autoscaling.v2.HorizontalPodAutoscaler {
    return new k8s.autoscaling.v2.HorizontalPodAutoscaler(
        resourceName,
        {
            metadata: { name: args.name, namespace: args.namespace.output, labels: args.labels },
            spec: {
                scaleTargetRef: { apiVersion: "apps/v1", kind: args.kind, name: args.name },
                minReplicas: args.autoscale.minReplicas,
                maxReplicas: args.autoscale.maxReplicas,
                metrics: [
                    {
                        type: "Resource",
                        resource: { name: "cpu", target: { type: "Utilization", averageUtilization: args.autoscale.targetCpuUtilization } },
                    },
                ],
                // Scale down slowly: a burst of traces often comes back.
                behavior: { scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: "Pods", value: 1, periodSeconds: 60 }] } },
            },
        },
        opts,
    );
}
