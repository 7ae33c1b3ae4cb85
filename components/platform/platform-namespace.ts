import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Environment } from "../environment/environment";
import { type NamespaceRef, networkPolicy, restrictedNamespace } from "../kube/namespace";
import type { PriorityTier } from "../kube/scheduling";
import { namespaceScheduling } from "../environment/scheduling";
import { LANGFUSE_WEB_PORT } from "../apps/langfuse/langfuse";
import {
    allowDns,
    allowEgressTo,
    allowEgressToInternet,
    allowIngressFrom,
    allowWithinNamespace,
    defaultDeny,
    namespacePeer,
    tcp,
} from "../kube/network";
import { OTLP_HTTP_PORT } from "../tracing/collector-config";
import { TRACE_GATEWAY } from "../tracing/gateway";
import { ANNOTATIONS, LABELS, standardLabels, TENANT_NAMESPACE_LABEL } from "../naming/labels";
import { DATA_SERVICE_PORTS, type DataServiceApp } from "../data/ports";

export interface PlatformNamespaceArgs {
    readonly profile: Environment;
    /**
     * The environment's PriorityClass names; with them, pods of the namespace get the data-plane tier and its node pool.
     * @default none: the namespace carries no scheduling, so pods get no priority class, node pool, pull secrets or mirror
     */
    readonly priorityClasses?: Readonly<Record<PriorityTier, pulumi.Input<string>>>;
}

/**
 * The namespace of the environment's shared services: Pod Security `restricted`, default-deny,
 * and exactly these allowances: DNS; pods of the namespace among themselves; tenant workspaces to
 * the data services' ports; Pulumi (from its namespace, or through a kind NodePort in `local`) to
 * the services it administers.
 */
export class PlatformNamespace extends pulumi.ComponentResource {
    readonly namespace: NamespaceRef;
    private readonly resourceName: string;
    private readonly environment: string;

    constructor(name: string, args: PlatformNamespaceArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("llmops:platform:Namespace", name, {}, opts);
        const { profile: profile } = args;
        const labels = (app: string) => standardLabels({ app, environment: profile.name });
        this.namespace = restrictedNamespace(
            `${name}-namespace`,
            profile.platformNamespace,
            labels("platform"),
            { parent: this },
            { [ANNOTATIONS.retentionBounds]: JSON.stringify(profile.retention) },
            args.priorityClasses
                ? namespaceScheduling(
                      profile,
                      args.priorityClasses,
                      { placement: "dataServices", priority: "dataPlane" },
                      profile.traceGateway.size,
                      false,
                  )
                : undefined,
        );
        this.resourceName = name;
        this.environment = profile.name;
        const policy = (policyName: string, spec: k8s.types.input.networking.v1.NetworkPolicySpec) => this.policy(policyName, spec);
        policy("default-deny", defaultDeny());
        policy("allow-dns", allowDns(profile.network.dnsResolvers));
        policy("allow-within-namespace", allowWithinNamespace());

        const tenantPeer = { namespaceSelector: { matchLabels: { [TENANT_NAMESPACE_LABEL]: "true" } } };
        const inCluster = (Object.keys(DATA_SERVICE_PORTS) as DataServiceApp[]).filter((app) =>
            app === "postgres"
                ? profile.postgres.mode === "in-cluster"
                : app === "minio"
                  ? profile.objectStore.mode === "in-cluster"
                  : profile.redis.mode === "in-cluster",
        );
        for (const app of inCluster) {
            policy(`allow-tenants-to-${app}`, allowIngressFrom({ [LABELS.app]: app }, [tenantPeer], tcp(DATA_SERVICE_PORTS[app])));
        }
        // Pulumi administers Postgres and MinIO (roles, databases, buckets, users).
        const administered: Array<{ app: DataServiceApp; nodePort?: number }> = [];
        if (profile.postgres.mode === "in-cluster") administered.push({ app: "postgres", nodePort: profile.postgres.nodePort });
        if (profile.objectStore.mode === "in-cluster") administered.push({ app: "minio", nodePort: profile.objectStore.nodePort });
        for (const { app, nodePort } of administered) {
            const from = nodePort !== undefined ? [{ ipBlock: { cidr: "0.0.0.0/0" } }] : [namespacePeer(profile.deployerNamespace)];
            policy(`allow-deployer-to-${app}`, allowIngressFrom({ [LABELS.app]: app }, from, tcp(DATA_SERVICE_PORTS[app])));
        }
        // With an external Redis, the Job that applies tenant ACL users (pods labelled app=redis)
        // reaches it by address: NetworkPolicy cannot select a DNS name.
        if (profile.redis.mode === "external") {
            policy(
                "allow-redis-users-to-external-redis",
                allowEgressTo([{ ipBlock: { cidr: "0.0.0.0/0" } }], tcp(profile.redis.port), { [LABELS.app]: "redis" }),
            );
        }
        this.registerOutputs({ namespace: this.namespace.name });
    }

    policy(policyName: string, spec: k8s.types.input.networking.v1.NetworkPolicySpec): k8s.networking.v1.NetworkPolicy {
        return networkPolicy(
            this.resourceName,
            this.namespace,
            policyName,
            standardLabels({ app: "platform", environment: this.environment }),
            spec,
            { parent: this },
        );
    }

    /**
     * The trace gateway's allowances: Kong in, each tenant's Langfuse web out, and (when configured)
     * the gateway team's backend out.
     */
    allowTraceGateway(profile: Environment): void {
        const gateway = { [LABELS.app]: TRACE_GATEWAY };
        this.policy("allow-kong-to-trace-gateway", allowIngressFrom(gateway, [namespacePeer(profile.kong.namespace)], tcp(OTLP_HTTP_PORT)));
        this.policy(
            "allow-trace-gateway-to-langfuse",
            allowEgressTo(
                [
                    {
                        namespaceSelector: { matchLabels: { [TENANT_NAMESPACE_LABEL]: "true" } },
                        podSelector: { matchLabels: { [LABELS.app]: "langfuse", [LABELS.component]: "web" } },
                    },
                ],
                tcp(LANGFUSE_WEB_PORT),
                gateway,
            ),
        );
        const forward = profile.traceGateway.forward;
        if (forward) {
            const u = new URL(forward.endpoint);
            this.policy(
                "allow-trace-gateway-forward",
                allowEgressToInternet(tcp(Number(u.port || (u.protocol === "https:" ? 443 : 80))), gateway),
            );
        }
    }
}
