import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Tenant } from "../tenancy/tenant";
import type { Environment } from "../environment/environment";
import { type NamespaceRef, networkPolicy, restrictedNamespace } from "../kube/namespace";
import type { PriorityTier } from "../kube/scheduling";
import { namespaceScheduling } from "../environment/scheduling";
import {
    allowAcmeHttp01Solvers,
    allowDns,
    allowEgressToInternet,
    allowWithinNamespace,
    defaultDeny,
    namespacePeer,
    tcp,
} from "../kube/network";
import { ANNOTATIONS, EXPOSED_LABEL, standardLabels, TENANT_NAMESPACE_LABEL } from "../naming/labels";
import { tenantNamespace } from "../naming/names";
import { DATA_SERVICE_PORTS } from "../data/ports";

export interface TenantNamespaceArgs {
    readonly profile: Environment;
    readonly tenant: Tenant;
    /**
     * The environment's PriorityClass names; with them, pods of the namespace get a tier, the tenant apps' node pool and the app overrides.
     * @default none: the namespace carries no scheduling, so pods get no priority class, node pool, pull secrets, mirror or overrides
     */
    readonly priorityClasses?: Readonly<Record<PriorityTier, pulumi.Input<string>>>;
}

/**
 * A tenant's namespace: Pod Security `restricted`, a default-deny NetworkPolicy, and exactly these
 * allowances: DNS (kube-dns and the resolvers the stack config names); pods of the namespace among
 * themselves; the ingress controller and the Kong gateway to exposed pods; the ingress controller
 * to cert-manager's HTTP-01 solver pods (outside `local`); the shared data services; HTTPS to the
 * internet (LLM providers, the identity provider). No policy names another tenant's namespace.
 */
export class TenantNamespace extends pulumi.ComponentResource {
    readonly namespace: NamespaceRef;
    private readonly env: Environment;
    private readonly tenantId: string;

    constructor(name: string, args: TenantNamespaceArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("llmops:tenant:Namespace", name, {}, opts);
        const { profile: profile, tenant } = args;
        this.env = profile;
        this.tenantId = tenant.id;
        const nsName = tenantNamespace(profile.namespacePrefix, tenant.id);
        this.namespace = restrictedNamespace(
            `${name}-namespace`,
            nsName,
            { ...standardLabels({ app: "workspace", tenant: tenant.id, environment: profile.name }), [TENANT_NAMESPACE_LABEL]: "true" },
            { parent: this },
            { [ANNOTATIONS.retention]: JSON.stringify(tenant.retention) },
            args.priorityClasses
                ? namespaceScheduling(profile, args.priorityClasses, { placement: "tenantApps", priority: "apps" }, tenant.size, true)
                : undefined,
        );
        this.policy("default-deny", defaultDeny());
        // Pods of the namespace talk among themselves.
        this.policy("allow-ingress-within-namespace", {
            podSelector: {},
            policyTypes: ["Ingress"],
            ingress: [{ from: [{ podSelector: {} }] }],
        });
        // Only exposed pods (an app's web, or its SSO gate) take traffic from the ingress controller and Kong.
        this.policy("allow-ingress-exposed", {
            podSelector: { matchExpressions: [{ key: EXPOSED_LABEL, operator: "Exists" }] },
            policyTypes: ["Ingress"],
            ingress: [{ from: [namespacePeer(profile.ingress.controllerNamespace), namespacePeer(profile.kong.namespace)] }],
        });
        if (profile.ingress.tlsIssuer) this.policy("allow-acme-http01-solver", allowAcmeHttp01Solvers(profile.ingress.controllerNamespace));
        this.policy("allow-egress", { podSelector: {}, policyTypes: ["Egress"], egress: egressRules(profile) });
        this.registerOutputs({ namespace: nsName });
    }

    /** Declares a NetworkPolicy in the tenant's namespace. */
    policy(policyName: string, spec: k8s.types.input.networking.v1.NetworkPolicySpec): k8s.networking.v1.NetworkPolicy {
        return networkPolicy(
            this.tenantId,
            this.namespace,
            policyName,
            standardLabels({ app: "workspace", tenant: this.tenantId, environment: this.env.name }),
            spec,
            { parent: this },
        );
    }
}

/**
 * Where a tenant's pods may connect: DNS, the namespace itself, the shared data services
 * (in-cluster: those pods on their port; external: their port anywhere, since NetworkPolicy
 * cannot select a DNS name), and HTTPS to the internet (LLM providers, the identity provider).
 */
export function egressRules(profile: Environment): k8s.types.input.networking.v1.NetworkPolicyEgressRule[] {
    const rules: k8s.types.input.networking.v1.NetworkPolicyEgressRule[] = [
        ...(allowDns(profile.network.dnsResolvers).egress as k8s.types.input.networking.v1.NetworkPolicyEgressRule[]),
    ];
    rules.push(...(allowWithinNamespace().egress as k8s.types.input.networking.v1.NetworkPolicyEgressRule[]));
    const external: number[] = [];
    const inCluster: Array<[string, number]> = [];
    if (profile.postgres.mode === "in-cluster") inCluster.push(["postgres", DATA_SERVICE_PORTS.postgres]);
    else external.push(profile.postgres.port);
    if (profile.objectStore.mode === "in-cluster") inCluster.push(["minio", DATA_SERVICE_PORTS.minio]);
    else external.push(portOf(profile.objectStore.endpoint, profile.objectStore.ssl ? 443 : 80));
    if (profile.redis.mode === "in-cluster") inCluster.push(["redis", DATA_SERVICE_PORTS.redis]);
    else external.push(profile.redis.port);
    for (const [app, port] of inCluster)
        rules.push({ to: [namespacePeer(profile.platformNamespace, { "app.kubernetes.io/name": app })], ports: tcp(port) });
    if (external.length)
        rules.push({ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: tcp(...[...new Set(external)].sort((a, b) => a - b)) });
    rules.push(...(allowEgressToInternet(tcp(443)).egress as k8s.types.input.networking.v1.NetworkPolicyEgressRule[]));
    return rules;
}

function portOf(endpoint: string, fallback: number): number {
    const m = /:(\d+)$/.exec(endpoint);
    return m ? Number(m[1]) : fallback;
}
