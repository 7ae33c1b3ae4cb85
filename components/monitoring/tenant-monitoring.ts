import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { AppModule } from "../apps/app";
import { type AppContext, appLabels, publicHost } from "../apps/context";
import type { AppName } from "../apps/registry";
import type { Environment } from "../environment/environment";
import { namespacePeer, tcp } from "../kube/network";
import { pgRole } from "../naming/names";
import { tenantExporterId } from "../tracing/collector-config";
import { type AlertGroup, tenantAlertGroups } from "./alerts";
import { prometheusRule, serviceMonitor } from "./monitors";

export interface TenantMonitoringArgs {
    readonly ctx: AppContext;
    /** The environment's Prometheus Operator; none means nothing is declared. */
    readonly monitoring: Environment["monitoring"];
    readonly platformNamespace: string;
    /** The tenant's enabled apps, each with its role's connection limit. */
    readonly apps: readonly { readonly module: AppModule<AppName>; readonly connectionLimit: number }[];
    /** Whether the platform runs postgres_exporter (in-cluster Postgres), which the connection alerts read. */
    readonly postgresExporter: boolean;
    /** Adds a network policy to the tenant's namespace. */
    readonly policy: (name: string, spec: k8s.types.input.networking.v1.NetworkPolicySpec) => unknown;
}

/**
 * What the environment's Prometheus watches of one running tenant: the metrics its apps expose
 * (one ServiceMonitor each), its alerts (one PrometheusRule), and a network policy admitting
 * Prometheus to exactly those metrics ports. Returns the alert groups, for the synth summary.
 */
export function tenantMonitoring(args: TenantMonitoringArgs, opts: pulumi.CustomResourceOptions): AlertGroup[] {
    const { ctx, monitoring } = args;
    if (!monitoring || !ctx.running) return [];
    const id = ctx.tenant.id;
    const ports: number[] = [];
    for (const { module } of args.apps) {
        for (const m of module.metrics ?? []) {
            serviceMonitor(
                `${id}-monitor-${m.name}`,
                monitoring,
                { name: m.name, namespace: ctx.namespace, labels: appLabels(ctx, module.name, m.component), port: m.portName },
                opts,
            );
            ports.push(m.port);
        }
    }
    const groups = tenantAlertGroups({
        tenantId: id,
        namespace: ctx.namespace.name,
        platformNamespace: args.platformNamespace,
        hosts: Object.fromEntries(args.apps.map(({ module }) => [module.name, publicHost(ctx, module.name)])),
        gatewayExporter: args.apps.some(({ module }) => module.takesTraces) ? tenantExporterId(id) : undefined,
        postgres: args.postgresExporter
            ? { roles: args.apps.map(({ module, connectionLimit }) => ({ name: pgRole(id, module.name), connectionLimit })) }
            : undefined,
    });
    prometheusRule(
        `${id}-alerts`,
        monitoring,
        {
            name: "tenant-alerts",
            namespace: ctx.namespace,
            labels: appLabels(ctx, "monitoring"),
            groups,
            alertLabels: { tenant: id, environment: ctx.profile.name },
        },
        opts,
    );
    if (ports.length) {
        args.policy("allow-monitoring", {
            podSelector: {},
            policyTypes: ["Ingress"],
            ingress: [{ from: [namespacePeer(monitoring.namespace)], ports: tcp(...ports) }],
        });
    }
    return groups;
}
