import type * as pulumi from "@pulumi/pulumi";
import { type AppContext, appLabels, publicHost } from "../apps/context";
import { MLFLOW_PORT } from "../apps/mlflow/env";
import { CLICKHOUSE_METRICS_PORT } from "../data/ports";
import { namespacePeer, tcp } from "../kube/network";
import { pgRole } from "../naming/names";
import { tenantConnectionLimit } from "../tenant/data";
import type { TenantNamespace } from "../tenant/tenant-namespace";
import { tenantExporterId } from "../tracing/collector-config";
import { enabledApps } from "../../tenants/tenant";
import { type AlertGroup, tenantAlertGroups } from "./alerts";
import { prometheusRule, serviceMonitor } from "./monitors";

/**
 * What the environment's Prometheus watches of one running tenant: its ClickHouse and MLflow
 * (ServiceMonitors), its alerts (one PrometheusRule), and a network policy admitting Prometheus to
 * exactly those metrics ports. Returns the alert groups, for the synth summary.
 */
export function tenantMonitoring(ctx: AppContext, ns: TenantNamespace, opts: { parent: pulumi.Resource }): AlertGroup[] {
    const { env, tenant } = ctx;
    const monitoring = env.monitoring;
    if (!monitoring || !ctx.running) return [];
    const id = tenant.id;
    const apps = enabledApps(tenant);
    const ports: number[] = [];
    if (tenant.apps.langfuse) {
        serviceMonitor(`${id}-monitor-clickhouse`, monitoring, { name: "clickhouse", namespace: ctx.namespace, labels: appLabels(ctx, "langfuse", "clickhouse"), port: "metrics" }, opts);
        ports.push(CLICKHOUSE_METRICS_PORT);
    }
    if (tenant.apps.mlflow) {
        serviceMonitor(`${id}-monitor-mlflow`, monitoring, { name: "mlflow", namespace: ctx.namespace, labels: appLabels(ctx, "mlflow", "server"), port: "http" }, opts);
        ports.push(MLFLOW_PORT);
    }
    const groups = tenantAlertGroups({
        tenantId: id,
        namespace: ctx.namespace.name,
        platformNamespace: env.platformNamespace,
        hosts: Object.fromEntries(apps.map((app) => [app, publicHost(ctx, app)])),
        gatewayExporter: tenant.apps.langfuse ? tenantExporterId(id) : undefined,
        postgres: env.postgres.mode === "in-cluster" ? { roles: apps.map((app) => ({ name: pgRole(id, app), connectionLimit: tenantConnectionLimit(env, tenant.size, app) })) } : undefined,
    });
    prometheusRule(`${id}-alerts`, monitoring, { name: "tenant-alerts", namespace: ctx.namespace, labels: appLabels(ctx, "monitoring"), groups, alertLabels: { tenant: id, environment: env.name } }, opts);
    if (ports.length) {
        ns.policy("allow-monitoring", { podSelector: {}, policyTypes: ["Ingress"], ingress: [{ from: [namespacePeer(monitoring.namespace)], ports: tcp(...ports) }] });
    }
    return groups;
}
