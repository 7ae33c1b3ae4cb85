import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { serviceHost } from "../kube/namespace";
import { statefulOptions } from "../kube/options";
import { type Footprint, type Resources, footprintOf } from "../kube/resources";
import { type ContainerArgs, podSpec } from "../kube/workload";
import type { NamespaceRef } from "../kube/namespace";
import { autoscaleOf, horizontalAutoscaler } from "../kube/autoscaling";
import type { WorkloadRole } from "../kube/scheduling";
import { ANNOTATIONS, type LabelArgs, selectorLabels, standardLabels } from "../naming/labels";

/** What every in-cluster data service (Postgres, MinIO, Redis, ClickHouse) is made of. */
export interface StatefulServiceArgs {
    /** Object name of the StatefulSet and its Service, e.g. `postgres`. */
    readonly serviceName: string;
    readonly namespace: NamespaceRef;
    readonly labels: LabelArgs;
    /** The main container; its image decides the uid, and `fsGroup` makes the volume writable. */
    readonly container: Omit<ContainerArgs, "resources" | "volumeMounts"> & { readonly volumeMounts?: ContainerArgs["volumeMounts"] };
    /** Containers beside the main one in every pod. @default none */
    readonly sidecars?: readonly ContainerArgs[];
    readonly resources: Resources;
    readonly ports: readonly { readonly name: string; readonly port: number }[];
    /** Where the data volume is mounted. */
    readonly dataPath: string;
    /**
     * Size of the persistent volume; without it the data lives in an emptyDir (caches only).
     * @default none: an emptyDir named `data`, lost with the pod
     */
    readonly storage?: string;
    /** StorageClass of the volume claim. @default the cluster's default class */
    readonly storageClass?: string;
    /** Volumes besides `data` (config files, secrets) that containers mount. @default none */
    readonly extraVolumes?: readonly k8s.types.input.core.v1.Volume[];
    /** Only in `local`: expose these ports on kind NodePorts too. @default none: no NodePort Service */
    readonly nodePorts?: Readonly<Record<string, number>>;
    /** Protect the StatefulSet (and thereby its volume) from deletion. */
    readonly protect: boolean;
    /** Checksums of mounted config, so a change rolls the pod. @default none */
    readonly podAnnotations?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** Seconds a pod gets to stop after SIGTERM. @default unset: Kubernetes' 30 seconds */
    readonly terminationGracePeriodSeconds?: number;
    /**
     * The volume holds no data of record (a queue, a cache): it need not be protected.
     * @default false: the StatefulSet carries no `llmops.io/ephemeral-state` annotation, so the state-protected policy expects it protected
     */
    readonly ephemeral?: boolean;
    /** Replicas, each with its own volume. @default 1 */
    readonly replicas?: number;
    /** Ports of sidecars the Service also exposes (by the sidecar's port name). @default none */
    readonly sidecarPorts?: readonly { readonly name: string; readonly port: number }[];
    /**
     * Node pool and priority, when not the namespace's default (ClickHouse, a tenant's ingestion path).
     * @default the namespace's default role
     */
    readonly role?: Partial<WorkloadRole>;
    /** Scale on CPU between `replicas` and the namespace's maximum, where the environment autoscales. @default false */
    readonly autoscale?: boolean;
}

/** What {@link statefulService} declares. */
export interface StatefulService {
    readonly statefulSet: k8s.apps.v1.StatefulSet;
    readonly service: k8s.core.v1.Service;
    /** The Service's cluster DNS name. */
    readonly host: string;
    /** What its pods ask for and may use, sidecars included, times its replicas (or its autoscaler's maximum). */
    readonly footprint: Footprint;
}

/**
 * A StatefulSet (one replica unless told otherwise) with a persistent volume and a ClusterIP
 * Service of the same name. The volume claim is kept when the StatefulSet is deleted or scaled
 * down, and in protected environments the StatefulSet itself cannot be deleted by `pulumi up`.
 *
 * Its resources were once children of a component of this name; the alias keeps them the same
 * resources (no replacement of a database's StatefulSet by a refactor).
 */
export function statefulService(name: string, args: StatefulServiceArgs, opts: pulumi.CustomResourceOptions): StatefulService {
    const labels = standardLabels(args.labels);
    const selector = selectorLabels(args.labels);
    const metadata = { name: args.serviceName, namespace: args.namespace.output, labels };
    const setAnnotations = args.ephemeral ? { [ANNOTATIONS.ephemeralState]: "true" } : undefined;
    const formerParent = pulumi.createUrn(name, "llmops:data:StatefulService", opts.parent);
    const child = (): pulumi.CustomResourceOptions => ({ ...opts, aliases: [...(opts.aliases ?? []), { parent: formerParent }] });

    const service = new k8s.core.v1.Service(
        `${name}-service`,
        {
            metadata,
            spec: {
                type: "ClusterIP",
                selector,
                ports: [...args.ports, ...(args.sidecarPorts ?? [])].map((p) => ({
                    name: p.name,
                    port: p.port,
                    targetPort: p.name,
                    protocol: "TCP",
                })),
            },
        },
        child(),
    );
    if (args.nodePorts && Object.keys(args.nodePorts).length > 0) {
        new k8s.core.v1.Service(
            `${name}-nodeport`,
            {
                metadata: { ...metadata, name: `${args.serviceName}-nodeport` },
                spec: {
                    type: "NodePort",
                    selector,
                    ports: Object.entries(args.nodePorts).map(([portName, nodePort]) => {
                        const port = args.ports.find((p) => p.name === portName);
                        if (!port)
                            throw new Error(
                                `${name}: nodePorts names port \`${portName}\`, which is not one of ${args.ports.map((p) => p.name).join(", ")}`,
                            );
                        return { name: portName, port: port.port, targetPort: portName, nodePort, protocol: "TCP" };
                    }),
                },
            },
            child(),
        );
    }

    const main: ContainerArgs = {
        ...args.container,
        resources: args.resources,
        ports: args.ports,
        volumeMounts: [{ name: "data", mountPath: args.dataPath }, ...(args.container.volumeMounts ?? [])],
    };
    const replicas = args.replicas ?? 1;
    const autoscale = autoscaleOf(args.namespace, replicas, args.autoscale);
    const maxReplicas = autoscale?.maxReplicas ?? replicas;
    const statefulSet = new k8s.apps.v1.StatefulSet(
        `${name}-statefulset`,
        {
            metadata: { ...metadata, annotations: setAnnotations },
            spec: {
                serviceName: args.serviceName,
                // Under an autoscaler the replicas are its to decide: left out, server-side apply never resets them.
                replicas: autoscale ? undefined : replicas,
                selector: { matchLabels: selector },
                persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
                template: {
                    metadata: { labels, annotations: args.podAnnotations },
                    spec: podSpec({
                        containers: [main, ...(args.sidecars ?? [])],
                        volumes: [...(args.storage === undefined ? [{ name: "data", emptyDir: {} }] : []), ...(args.extraVolumes ?? [])],
                        fsGroup: args.container.image.runAs.gid,
                        terminationGracePeriodSeconds: args.terminationGracePeriodSeconds,
                        schedule: { policy: args.namespace.scheduling, role: args.role, selector, maxReplicas },
                        workload: `StatefulSet ${args.namespace.name}/${args.serviceName}`,
                    }),
                },
                volumeClaimTemplates:
                    args.storage === undefined
                        ? undefined
                        : [
                              {
                                  metadata: { name: "data", labels },
                                  spec: {
                                      accessModes: ["ReadWriteOnce"],
                                      storageClassName: args.storageClass,
                                      resources: { requests: { storage: args.storage } },
                                  },
                              },
                          ],
            },
        },
        statefulOptions(args.protect, child()),
    );
    // Replicated (the trace gateway): one pod stays up through node drains, as for web apps.
    if (replicas >= 2) {
        new k8s.policy.v1.PodDisruptionBudget(
            `${name}-pdb`,
            {
                metadata: { name: args.serviceName, namespace: args.namespace.output, labels },
                spec: { minAvailable: 1, selector: { matchLabels: selector } },
            },
            child(),
        );
    }
    if (autoscale)
        horizontalAutoscaler(
            `${name}-hpa`,
            { name: args.serviceName, namespace: args.namespace, labels, kind: "StatefulSet", autoscale },
            { ...opts, dependsOn: [statefulSet] },
        );
    return {
        statefulSet,
        service,
        host: serviceHost(args.serviceName, args.namespace.name),
        footprint: footprintOf([main, ...(args.sidecars ?? [])], maxReplicas),
    };
}
