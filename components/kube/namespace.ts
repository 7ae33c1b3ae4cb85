import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { PodScheduling } from "./scheduling";
import { podSecurityLabels } from "./security";

/**
 * A namespace as its dependents need it: the static name (for DNS names computed up front) and an
 * output of the Namespace resource's name (so that objects inside wait for the namespace).
 */
export interface NamespaceRef {
    readonly name: string;
    readonly output: pulumi.Output<string>;
    /**
     * How pods in the namespace are scheduled and pulled; workload helpers apply it.
     * @default none: workload helpers leave pod specs as declared (no priority class, node pool, spread, pull secrets, mirror or overrides)
     */
    readonly scheduling?: PodScheduling;
}

export function namespaceRef(ns: k8s.core.v1.Namespace, name: string, scheduling?: PodScheduling): NamespaceRef {
    return { name, output: ns.metadata.name.apply((n) => n ?? name), scheduling };
}

/** A namespace enforcing Pod Security `restricted`, carrying the given labels. */
export function restrictedNamespace(
    resourceName: string,
    name: string,
    labels: Record<string, string>,
    opts: pulumi.CustomResourceOptions,
    annotations?: Record<string, string>,
    scheduling?: PodScheduling,
): NamespaceRef {
    const ns = new k8s.core.v1.Namespace(
        resourceName,
        { metadata: { name, labels: { ...labels, ...podSecurityLabels() }, annotations } },
        opts,
    );
    return namespaceRef(ns, name, scheduling);
}

/** A NetworkPolicy named `policyName` in a namespace, declared as `<prefix>-netpol-<policyName>`. */
export function networkPolicy(
    prefix: string,
    ns: NamespaceRef,
    policyName: string,
    labels: Record<string, string>,
    spec: k8s.types.input.networking.v1.NetworkPolicySpec,
    opts: pulumi.CustomResourceOptions,
): k8s.networking.v1.NetworkPolicy {
    return new k8s.networking.v1.NetworkPolicy(
        `${prefix}-netpol-${policyName}`,
        { metadata: { name: policyName, namespace: ns.output, labels }, spec },
        opts,
    );
}

/** The cluster DNS name of a Service. */
export function serviceHost(service: string, namespace: string): string {
    return `${service}.${namespace}.svc.cluster.local`;
}
