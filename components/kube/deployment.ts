import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { ANNOTATIONS, type LabelArgs, selectorLabels, standardLabels } from "../naming/labels";
import type { NamespaceRef } from "./namespace";
import { type PodArgs, podSpec } from "./workload";
import { type Footprint, footprintOf } from "./resources";
import { autoscaleOf, horizontalAutoscaler } from "./autoscaling";
import { type WorkloadRole, podAnnotations } from "./scheduling";

export interface AppDeploymentArgs extends PodArgs {
    /** Object name of the Deployment (and its Service). */
    readonly name: string;
    readonly namespace: NamespaceRef;
    readonly labels: LabelArgs;
    readonly replicas: number;
    /** Ports the Service exposes (named after container ports); no Service without them. @default none: no Service */
    readonly servicePorts?: readonly { readonly name: string; readonly port: number; readonly targetPort?: string }[];
    /** Name of the Service, when it must differ from the Deployment (an upstream hard-codes it). @default `name` */
    readonly serviceName?: string;
    /** Pods that may not all be down at once get a PodDisruptionBudget when they have replicas to spare. @default false */
    readonly disruptionBudget?: boolean;
    /** Annotations on the pods, besides the environment's overrides for the app. @default none */
    readonly podAnnotations?: Record<string, pulumi.Input<string>>;
    /** Labels on the pods only (not the selector), e.g. what network policies select. @default none */
    readonly extraPodLabels?: Record<string, string>;
    /**
     * `Recreate` for pods that must never run twice (schedulers, single writers).
     * @default `RollingUpdate`, one pod at a time with none unavailable (`maxSurge: 1`, `maxUnavailable: 0`)
     */
    readonly strategy?: "RollingUpdate" | "Recreate";
    /** Scale on CPU between `replicas` and the namespace's maximum, where the environment autoscales. @default false */
    readonly autoscale?: boolean;
    /** Node pool and priority, when not the namespace's default. @default the namespace's default role */
    readonly role?: Partial<WorkloadRole>;
}

export interface AppDeployment {
    readonly deployment: k8s.apps.v1.Deployment;
    /** The ClusterIP Service. Absent when `servicePorts` is empty. */
    readonly service?: k8s.core.v1.Service;
    /** What its pods ask for and may use, times its replicas, or its autoscaler's maximum (for the tenant's quota). */
    readonly footprint: Footprint;
    /** The HorizontalPodAutoscaler. Absent unless `autoscale` is set and the namespace autoscales with room above `replicas`. */
    readonly autoscaler?: k8s.autoscaling.v2.HorizontalPodAutoscaler;
}

/**
 * A Deployment with the platform's defaults (hardened pods, standard labels), optionally a
 * ClusterIP Service of the same name and, with two or more replicas, a PodDisruptionBudget
 * that keeps one pod up during node drains.
 */
export function appDeployment(resourceName: string, args: AppDeploymentArgs, opts: pulumi.CustomResourceOptions): AppDeployment {
    const labels = standardLabels(args.labels);
    const selector = selectorLabels(args.labels);
    const writable = args.containers.filter((c) => !c.image.readOnlyRootFilesystem);
    const annotations: Record<string, pulumi.Input<string>> = { ...args.podAnnotations };
    if (writable.length)
        annotations[ANNOTATIONS.writableRoot] = writable
            .map((c) => `${c.name}: ${c.image.exception ?? "see components/versions/images.ts"}`)
            .join("; ");
    const autoscale = autoscaleOf(args.namespace, args.replicas, args.autoscale);
    const maxReplicas = autoscale?.maxReplicas ?? args.replicas;
    const workload = `Deployment ${args.namespace.name}/${args.name}`;
    const schedule = { policy: args.namespace.scheduling, role: args.role, selector, maxReplicas, app: args.labels.app };
    const deployment = new k8s.apps.v1.Deployment(
        resourceName,
        {
            metadata: { name: args.name, namespace: args.namespace.output, labels },
            spec: {
                // Under an autoscaler the replicas are its to decide: left out, server-side apply never resets them.
                replicas: autoscale ? undefined : args.replicas,
                selector: { matchLabels: selector },
                strategy:
                    args.strategy === "Recreate"
                        ? { type: "Recreate" }
                        : { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
                template: {
                    metadata: {
                        labels: { ...labels, ...args.extraPodLabels },
                        annotations: podAnnotations(schedule, workload, annotations),
                    },
                    spec: podSpec({ ...args, schedule, workload }),
                },
            },
        },
        opts,
    );
    let service: k8s.core.v1.Service | undefined;
    if (args.servicePorts?.length) {
        service = new k8s.core.v1.Service(
            `${resourceName}-service`,
            {
                metadata: { name: args.serviceName ?? args.name, namespace: args.namespace.output, labels },
                spec: {
                    type: "ClusterIP",
                    selector,
                    ports: args.servicePorts.map((p) => ({
                        name: p.name,
                        port: p.port,
                        targetPort: p.targetPort ?? p.name,
                        protocol: "TCP",
                    })),
                },
            },
            opts,
        );
    }
    if (args.disruptionBudget && args.replicas >= 2) {
        new k8s.policy.v1.PodDisruptionBudget(
            `${resourceName}-pdb`,
            {
                metadata: { name: args.name, namespace: args.namespace.output, labels },
                spec: { minAvailable: 1, selector: { matchLabels: selector } },
            },
            opts,
        );
    }
    const autoscaler = autoscale
        ? horizontalAutoscaler(
              `${resourceName}-hpa`,
              { name: args.name, namespace: args.namespace, labels, kind: "Deployment", autoscale },
              { ...opts, dependsOn: [deployment] },
          )
        : undefined;
    return { deployment, service, footprint: footprintOf(args.containers, maxReplicas), autoscaler };
}
