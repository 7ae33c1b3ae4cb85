import type * as k8s from "@pulumi/kubernetes";

type NetworkPolicySpec = k8s.types.input.networking.v1.NetworkPolicySpec;
type Peer = k8s.types.input.networking.v1.NetworkPolicyPeer;
type Port = k8s.types.input.networking.v1.NetworkPolicyPort;

/** Selects every pod of a namespace by its immutable name label. */
export function namespacePeer(namespace: string, podLabels?: Record<string, string>): Peer {
    return {
        namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": namespace } },
        podSelector: podLabels ? { matchLabels: podLabels } : undefined,
    };
}

export function tcp(...ports: number[]): Port[] {
    return ports.map((port) => ({ protocol: "TCP", port }));
}

/** Denies all ingress and egress for every pod of the namespace; allowances are added beside it. */
export function defaultDeny(): NetworkPolicySpec {
    return { podSelector: {}, policyTypes: ["Ingress", "Egress"] };
}

/**
 * Allows DNS lookups to the cluster DNS in kube-system and to `resolvers` (address blocks such as
 * a node-local DNS cache on a link-local address, which no pod or namespace selector matches).
 */
export function allowDns(resolvers: readonly string[] = []): NetworkPolicySpec {
    const ports: Port[] = [
        { protocol: "UDP", port: 53 },
        { protocol: "TCP", port: 53 },
    ];
    return {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [
            { to: [namespacePeer("kube-system", { "k8s-app": "kube-dns" }), ...resolvers.map((cidr) => ({ ipBlock: { cidr } }))], ports },
        ],
    };
}

/** Allows pods matching `podLabels` (or all) to talk to each other inside the namespace. */
export function allowWithinNamespace(): NetworkPolicySpec {
    return {
        podSelector: {},
        policyTypes: ["Ingress", "Egress"],
        ingress: [{ from: [{ podSelector: {} }] }],
        egress: [{ to: [{ podSelector: {} }] }],
    };
}

/** Allows ingress from the given peers to the selected pods on the given ports. */
export function allowIngressFrom(podLabels: Record<string, string>, from: Peer[], ports: Port[]): NetworkPolicySpec {
    return { podSelector: { matchLabels: podLabels }, policyTypes: ["Ingress"], ingress: [{ from, ports }] };
}

/** Allows egress from every pod of the namespace to the given peers and ports. */
export function allowEgressTo(to: Peer[], ports: Port[], podLabels?: Record<string, string>): NetworkPolicySpec {
    return { podSelector: podLabels ? { matchLabels: podLabels } : {}, policyTypes: ["Egress"], egress: [{ to, ports }] };
}

/**
 * Allows egress to addresses outside the cluster (an external data service, the identity
 * provider) on the given ports, excluding the private ranges where other tenants live.
 */
export function allowEgressToInternet(ports: Port[], podLabels?: Record<string, string>): NetworkPolicySpec {
    return {
        podSelector: podLabels ? { matchLabels: podLabels } : {},
        policyTypes: ["Egress"],
        egress: [
            {
                to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16"] } }],
                ports,
            },
        ],
    };
}

/** The TCP port of an http(s) origin: the explicit one, else 443 for https and 80 for http. */
export function originPort(origin: string): number {
    const u = new URL(origin);
    return u.port ? Number(u.port) : u.protocol === "https:" ? 443 : 80;
}

/** The label cert-manager puts on its HTTP-01 solver pods, and the port they listen on (pkg/issuer/acme/http). */
export const ACME_HTTP01_SOLVER_LABEL = "acme.cert-manager.io/http01-solver";
export const ACME_HTTP01_SOLVER_PORT = 8089;

/**
 * Admits the ingress controller to cert-manager's HTTP-01 solver pods, which cert-manager starts in
 * the namespace of the Ingress whose certificate it orders: without it no certificate is issued.
 */
export function allowAcmeHttp01Solvers(controllerNamespace: string): NetworkPolicySpec {
    return allowIngressFrom({ [ACME_HTTP01_SOLVER_LABEL]: "true" }, [namespacePeer(controllerNamespace)], tcp(ACME_HTTP01_SOLVER_PORT));
}
