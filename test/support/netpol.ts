import type { Capture } from "../../cli/mock-runtime";
import { type K8sObject, ofKind } from "./resources";

/**
 * Kubernetes NetworkPolicy semantics over the declared policies (networking.k8s.io/v1): a pod is
 * isolated for a direction once any policy of its namespace selects it for that direction, and
 * then a connection is allowed when some selecting policy has a rule whose peers and ports match.
 * Named ports are not resolved (the program declares numeric ports).
 */

/** A pod, by namespace and labels; or an address outside any pod selector. */
export type Endpoint = { readonly namespace: string; readonly labels: Readonly<Record<string, string>> } | { readonly ip: string };

interface Selector {
    matchLabels?: Record<string, string>;
    matchExpressions?: Array<{ key: string; operator: "In" | "NotIn" | "Exists" | "DoesNotExist"; values?: string[] }>;
}

export function selects(selector: Selector | undefined, labels: Readonly<Record<string, string>>): boolean {
    if (!selector) return true;
    for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
    for (const e of selector.matchExpressions ?? []) {
        const has = e.key in labels;
        const ok =
            e.operator === "Exists"
                ? has
                : e.operator === "DoesNotExist"
                  ? !has
                  : e.operator === "In"
                    ? has && (e.values ?? []).includes(labels[e.key]!)
                    : !has || !(e.values ?? []).includes(labels[e.key]!);
        if (!ok) return false;
    }
    return true;
}

function ipv4(ip: string): number | undefined {
    const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(ip);
    if (!m) return undefined;
    return m.slice(1).reduce((acc, o) => acc * 256 + Number(o), 0);
}

export function inCidr(ip: string, cidr: string): boolean {
    const [base, bits] = cidr.split("/");
    const a = ipv4(ip);
    const b = ipv4(base!);
    if (a === undefined || b === undefined) return false;
    const size = 2 ** (32 - Number(bits));
    return Math.floor(a / size) === Math.floor(b / size);
}

function namespaceLabels(capture: Capture, ns: string): Record<string, string> {
    const declared = ofKind(capture, "Namespace").find((n) => n.metadata.name === ns);
    return { ...(declared?.metadata.labels ?? {}), "kubernetes.io/metadata.name": ns };
}

function peerMatches(capture: Capture, peer: any, policyNamespace: string, other: Endpoint): boolean {
    if (peer.ipBlock)
        return (
            "ip" in other && inCidr(other.ip, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some((c: string) => inCidr(other.ip, c))
        );
    if ("ip" in other) return false;
    const nsOk = peer.namespaceSelector
        ? selects(peer.namespaceSelector, namespaceLabels(capture, other.namespace))
        : other.namespace === policyNamespace;
    return nsOk && selects(peer.podSelector, other.labels);
}

function portMatches(ports: any[] | undefined, port: number, protocol: string): boolean {
    if (!ports || ports.length === 0) return true;
    return ports.some(
        (p) =>
            (p.protocol ?? "TCP") === protocol &&
            (p.port === undefined || p.port === port || (p.endPort !== undefined && port >= p.port && port <= p.endPort)),
    );
}

function policyTypes(p: K8sObject): string[] {
    return p.spec.policyTypes ?? ["Ingress", ...(p.spec.egress ? ["Egress"] : [])];
}

function allowed(
    capture: Capture,
    pod: { namespace: string; labels: Readonly<Record<string, string>> },
    other: Endpoint,
    port: number,
    protocol: string,
    direction: "Ingress" | "Egress",
): boolean {
    const policies = ofKind(capture, "NetworkPolicy").filter(
        (p) => p.metadata.namespace === pod.namespace && policyTypes(p).includes(direction) && selects(p.spec.podSelector, pod.labels),
    );
    if (policies.length === 0) return true;
    const key = direction === "Ingress" ? "ingress" : "egress";
    const peers = direction === "Ingress" ? "from" : "to";
    return policies.some((p) =>
        (p.spec[key] ?? []).some(
            (rule: any) =>
                (!rule[peers] ||
                    rule[peers].length === 0 ||
                    rule[peers].some((peer: any) => peerMatches(capture, peer, pod.namespace, other))) &&
                portMatches(rule.ports, port, protocol),
        ),
    );
}

/** Whether the policies of `from`'s namespace let it open a connection to `to` on `port`. */
export function egressAllowed(
    capture: Capture,
    from: { namespace: string; labels: Readonly<Record<string, string>> },
    to: Endpoint,
    port: number,
    protocol = "TCP",
): boolean {
    return allowed(capture, from, to, port, protocol, "Egress");
}

/** Whether the policies of `to`'s namespace admit a connection from `from` on `port`. */
export function ingressAllowed(
    capture: Capture,
    to: { namespace: string; labels: Readonly<Record<string, string>> },
    from: Endpoint,
    port: number,
    protocol = "TCP",
): boolean {
    return allowed(capture, to, from, port, protocol, "Ingress");
}

/** The pod labels of a declared workload's template. */
export function podLabelsOf(workload: K8sObject): Record<string, string> {
    const template = workload.kind === "CronJob" ? workload.spec.jobTemplate.spec.template : workload.spec.template;
    return template.metadata?.labels ?? {};
}
