import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Tenant } from "../../tenants/tenant";
import type { Environment } from "../environment/environment";
import { type NamespaceRef, TENANT_NAMESPACE_LABEL, restrictedNamespace } from "../kube/namespace";
import { allowDns, allowEgressTo, allowEgressToInternet, allowIngressFrom, allowWithinNamespace, defaultDeny, namespacePeer, tcp } from "../kube/network";
import { ANNOTATIONS, EXPOSED_LABEL, standardLabels } from "../naming/labels";
import { tenantNamespace } from "../naming/names";

export { EXPOSED_LABEL } from "../naming/labels";

export interface TenantNamespaceArgs {
    readonly env: Environment;
    readonly tenant: Tenant;
}

/**
 * A tenant's namespace: Pod Security `restricted`, a default-deny NetworkPolicy, and exactly these
 * allowances: DNS; pods of the namespace among themselves; the ingress controller and the Kong
 * gateway to exposed pods; the shared data services; HTTPS to the internet (LLM providers, the
 * identity provider). No policy names another tenant's namespace.
 */
export class TenantNamespace extends pulumi.ComponentResource {
    readonly namespace: NamespaceRef;
    private readonly env: Environment;
    private readonly tenantId: string;

    constructor(name: string, args: TenantNamespaceArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("llmops:tenant:Namespace", name, {}, opts);
        const { env, tenant } = args;
        this.env = env;
        this.tenantId = tenant.id;
        const nsName = tenantNamespace(env.namespacePrefix, tenant.id);
        this.namespace = restrictedNamespace(
            `${name}-namespace`,
            nsName,
            { ...standardLabels({ app: "workspace", tenant: tenant.id, environment: env.name }), [TENANT_NAMESPACE_LABEL]: "true" },
            { parent: this },
            { [ANNOTATIONS.retention]: JSON.stringify(tenant.retention) },
        );
        this.policy("default-deny", defaultDeny());
        this.policy("allow-dns", allowDns());
        this.policy("allow-within-namespace", allowWithinNamespace());
        const exposed = { podSelector: { matchExpressions: [{ key: EXPOSED_LABEL, operator: "Exists" }] } };
        this.policy("allow-ingress-controller", { ...exposed, policyTypes: ["Ingress"], ingress: [{ from: [namespacePeer(env.ingress.controllerNamespace)] }] });
        this.policy("allow-kong-gateway", { ...exposed, policyTypes: ["Ingress"], ingress: [{ from: [namespacePeer(env.kong.namespace)] }] });

        const platformPorts: Array<[string, number]> = [];
        const externalPorts: number[] = [];
        if (env.postgres.mode === "in-cluster") platformPorts.push(["postgres", 5432]);
        else externalPorts.push(env.postgres.port);
        if (env.objectStore.mode === "in-cluster") platformPorts.push(["minio", 9000]);
        else externalPorts.push(portOf(env.objectStore.endpoint, env.objectStore.ssl ? 443 : 80));
        if (env.redis.mode === "in-cluster") platformPorts.push(["redis", 6379]);
        else externalPorts.push(env.redis.port);
        for (const [app, port] of platformPorts) {
            this.policy(`allow-egress-${app}`, allowEgressTo([namespacePeer(env.platformNamespace, { "app.kubernetes.io/name": app })], tcp(port)));
        }
        if (externalPorts.length) {
            // External services are named by DNS, which NetworkPolicy cannot select: allow their ports anywhere.
            this.policy("allow-egress-external-data", allowEgressTo([{ ipBlock: { cidr: "0.0.0.0/0" } }], tcp(...[...new Set(externalPorts)].sort((a, b) => a - b))));
        }
        this.policy("allow-egress-https", allowEgressToInternet(tcp(443)));
        this.registerOutputs({ namespace: nsName });
    }

    /** Declares a NetworkPolicy in the tenant's namespace. */
    policy(policyName: string, spec: k8s.types.input.networking.v1.NetworkPolicySpec): k8s.networking.v1.NetworkPolicy {
        return new k8s.networking.v1.NetworkPolicy(
            `${this.tenantId}-netpol-${policyName}`,
            {
                metadata: { name: policyName, namespace: this.namespace.output, labels: standardLabels({ app: "workspace", tenant: this.tenantId, environment: this.env.name }) },
                spec,
            },
            { parent: this },
        );
    }

    /** Admits traffic from the platform namespace (the trace gateway) to pods with these labels. */
    allowFromPlatform(policyName: string, podLabels: Record<string, string>, port: number): void {
        this.policy(policyName, allowIngressFrom(podLabels, [namespacePeer(this.env.platformNamespace)], tcp(port)));
    }
}

function portOf(endpoint: string, fallback: number): number {
    const m = /:(\d+)$/.exec(endpoint);
    return m ? Number(m[1]) : fallback;
}
