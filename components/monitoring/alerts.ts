/**
 * The platform's alerts, as data: pure, so tests and the synth summary read them. Every metric
 * named here was checked upstream at the pinned version (README, "The platform watching itself"):
 *
 * - trace gateway (OpenTelemetry Collector 0.159, internal telemetry, no `_total` suffix):
 *   `otelcol_exporter_queue_size`, `otelcol_exporter_queue_capacity`,
 *   `otelcol_exporter_sent_spans`, `otelcol_exporter_send_failed_spans` (label `exporter`),
 *   `otelcol_receiver_refused_spans`;
 * - ingress-nginx (the cluster's controller, `--enable-metrics`): `nginx_ingress_controller_requests`
 *   and `nginx_ingress_controller_request_duration_seconds_bucket`, matched by `host` (present by
 *   default, and never renamed to `exported_namespace` the way `namespace` can be);
 * - MLflow (`--expose-prometheus`): `mlflow_http_request_total` (labels method, status);
 * - ClickHouse (`<prometheus>` endpoint): `ClickHouseAsyncMetrics_FilesystemMainPath{Available,Total}Bytes`;
 * - postgres_exporter: `pg_stat_activity_count` (label usename), `pg_settings_max_connections`;
 * - MinIO: `minio_cluster_capacity_usable_{free,total}_bytes`.
 *
 * Langfuse itself exposes no Prometheus metrics; its ingestion is watched where its spans pass,
 * in the trace gateway's exporter for the tenant.
 */

import { APP_MODULES, type AppName } from "../apps/registry";

export type Severity = "warning" | "critical";

export interface Alert {
    readonly alert: string;
    readonly expr: string;
    readonly for: string;
    readonly severity: Severity;
    readonly summary: string;
    readonly description: string;
    /** What the on-call engineer does, step by step. */
    readonly runbook: string;
}

export interface AlertGroup {
    readonly name: string;
    readonly alerts: readonly Alert[];
}

export interface TenantAlertArgs {
    readonly tenantId: string;
    readonly namespace: string;
    readonly platformNamespace: string;
    /** Public host of each enabled app, by app. */
    readonly hosts: Readonly<Partial<Record<AppName, string>>>;
    /**
     * The trace gateway's exporter for this tenant (component id), when its Langfuse takes gateway traces.
     * @default none: no trace-delivery alerts
     */
    readonly gatewayExporter?: string;
    /**
     * Postgres roles of the tenant with their connection limits, when the platform runs postgres_exporter.
     * @default none: no connection-limit alerts
     */
    readonly postgres?: { readonly roles: readonly { readonly name: string; readonly connectionLimit: number }[] };
}

/** A 5xx share and a p95 latency alert for one app behind the ingress controller. */
function ingressAlerts(app: string, title: string, host: string, tenantId: string, namespace: string): Alert[] {
    const sel = `host="${host}"`;
    return [
        {
            alert: `${title}HighErrorRate`,
            expr: `sum(rate(nginx_ingress_controller_requests{${sel},status=~"5.."}[5m])) / sum(rate(nginx_ingress_controller_requests{${sel}}[5m])) > 0.05`,
            for: "10m",
            severity: "critical",
            summary: `${title} of tenant ${tenantId} answers more than 5% of requests with a 5xx.`,
            description: `More than 5% of requests to https://${host} failed with a server error over the last 10 minutes.`,
            runbook: [
                `1. kubectl -n ${namespace} get pods -l app.kubernetes.io/name=${app}: look for pods not ready or restarting.`,
                `2. kubectl -n ${namespace} logs deploy/<the ${app} workload> --since=15m: find the failing requests.`,
                "3. A 502/503 with no ready pod: check the last rollout (a migration Job that failed leaves the old version; see its logs) and the quota (kubectl describe resourcequota tenant-quota).",
                "4. Errors from the database: check the Postgres connections alert and the data services in the platform namespace.",
            ].join("\n"),
        },
        {
            alert: `${title}SlowRequests`,
            expr: `histogram_quantile(0.95, sum by (le) (rate(nginx_ingress_controller_request_duration_seconds_bucket{${sel}}[5m]))) > 2`,
            for: "15m",
            severity: "warning",
            summary: `${title} of tenant ${tenantId} is slow: p95 above 2 seconds.`,
            description: `The 95th percentile of request time at https://${host} has been above 2 s for 15 minutes.`,
            runbook: [
                `1. kubectl -n ${namespace} top pods: a container at its CPU limit is throttled; a tenant growing out of its size profile needs \`size: standard\` or \`large\` in tenants/${tenantId}.yaml.`,
                "2. Check Postgres (connections, slow queries in pg_stat_activity) and, for Langfuse, ClickHouse disk and query load.",
                "3. If one client floods it, find it in the ingress controller's access log by host and rate-limit it.",
            ].join("\n"),
        },
    ];
}

/** What an app adds to its alert group beside the ingress alerts every app gets, and groups of its own. */
interface AppAlerts {
    /** Alerts before the ingress alerts in the app's group. */
    readonly leading?: (a: TenantAlertArgs, ns: string) => Alert[];
    /** Alerts after the ingress alerts in the app's group. */
    readonly trailing?: (a: TenantAlertArgs, ns: string) => Alert[];
    /** Groups after the app's group. */
    readonly groups?: (a: TenantAlertArgs, ns: string) => AlertGroup[];
}

/** Alerts on what only some apps have; every app gets its ingress alerts from the list of apps. */
const APP_ALERTS: Readonly<Partial<Record<AppName, AppAlerts>>> = {
    langfuse: {
        leading: (a, ns) => {
            if (!a.gatewayExporter) return [];
            const ex = `exporter="${a.gatewayExporter}"`;
            return [
                {
                    alert: "LangfuseIngestionBacklog",
                    expr: `max(otelcol_exporter_queue_size{${ex}}) > 0.5 * max(otelcol_exporter_queue_capacity{${ex}})`,
                    for: "10m",
                    severity: "warning",
                    summary: `Spans for tenant ${a.tenantId}'s Langfuse are piling up in the trace gateway.`,
                    description:
                        "The trace gateway's queue towards this tenant's Langfuse is more than half full: Langfuse takes spans more slowly than Kong sends them.",
                    runbook: [
                        `1. kubectl -n ${ns} get pods -l app.kubernetes.io/name=langfuse: is langfuse-web ready? Its OTLP endpoint takes the spans.`,
                        `2. kubectl -n ${ns} logs deploy/langfuse-web --since=15m | grep -i otel: look for 4xx/5xx on /api/public/otel.`,
                        `3. kubectl -n ${ns} logs deploy/langfuse-worker --since=15m: a stuck worker backs up ingestion (Redis or ClickHouse errors).`,
                        `4. Once Langfuse recovers the queue drains by itself (it is persistent). If it reaches capacity, spans are dropped: scale langfuse-web or move the tenant to a larger size.`,
                    ].join("\n"),
                },
                {
                    alert: "LangfuseIngestionErrors",
                    expr: `sum(rate(otelcol_exporter_send_failed_spans{${ex}}[5m])) / (sum(rate(otelcol_exporter_sent_spans{${ex}}[5m])) + sum(rate(otelcol_exporter_send_failed_spans{${ex}}[5m]))) > 0.01`,
                    for: "10m",
                    severity: "critical",
                    summary: `Tenant ${a.tenantId}'s Langfuse refuses spans from the trace gateway.`,
                    description: "More than 1% of spans sent to this tenant's Langfuse failed for 10 minutes.",
                    runbook: [
                        `1. kubectl -n ${a.platformNamespace} logs statefulset/trace-gateway --since=15m | grep tenant-${a.tenantId}: the status code says why.`,
                        "2. 401: the gateway's key pair no longer matches the project (someone rotated or deleted the API key in Langfuse); `pulumi up` restores the declared key, or re-run the init.",
                        `3. 5xx or timeouts: follow LangfuseHighErrorRate; check ClickHouse (kubectl -n ${ns} logs statefulset/clickhouse).`,
                    ].join("\n"),
                },
            ];
        },
        groups: (a, ns) => [
            {
                name: `${a.tenantId}.clickhouse`,
                alerts: [
                    {
                        alert: "ClickHouseDiskFilling",
                        expr: `max(ClickHouseAsyncMetrics_FilesystemMainPathAvailableBytes{namespace="${ns}"} / ClickHouseAsyncMetrics_FilesystemMainPathTotalBytes{namespace="${ns}"}) < 0.15`,
                        for: "15m",
                        severity: "warning",
                        summary: `Tenant ${a.tenantId}'s ClickHouse has less than 15% of its disk free.`,
                        description: "Langfuse traces fill the tenant's ClickHouse volume; at 0% ingestion stops.",
                        runbook: [
                            `1. Check the retention reconciler ran: kubectl -n ${ns} get jobs,cronjobs | grep langfuse-retention (a TTL on every table keeps the volume bounded).`,
                            `2. Compare traceDays in tenants/${a.tenantId}.yaml with what the tenant needs; lowering it frees space at the next merge.`,
                            "3. Otherwise grow the volume: raise dataServices.clickhouse.storage in the stack config and expand the PVC (the storage class must allow volume expansion).",
                        ].join("\n"),
                    },
                    {
                        alert: "ClickHouseDiskFull",
                        expr: `max(ClickHouseAsyncMetrics_FilesystemMainPathAvailableBytes{namespace="${ns}"} / ClickHouseAsyncMetrics_FilesystemMainPathTotalBytes{namespace="${ns}"}) < 0.05`,
                        for: "5m",
                        severity: "critical",
                        summary: `Tenant ${a.tenantId}'s ClickHouse is almost full: ingestion will stop.`,
                        description: "Less than 5% of the ClickHouse volume is free.",
                        runbook:
                            "Follow ClickHouseDiskFilling now; expanding the PVC is the fast fix. Spans keep queueing in the trace gateway meanwhile.",
                    },
                ],
            },
        ],
    },
    mlflow: {
        trailing: (a, ns) => [
            {
                alert: "MlflowServerErrors",
                expr: `sum(rate(mlflow_http_request_total{namespace="${ns}",status=~"5.."}[5m])) / sum(rate(mlflow_http_request_total{namespace="${ns}"}[5m])) > 0.05`,
                for: "10m",
                severity: "critical",
                summary: `Tenant ${a.tenantId}'s MLflow server fails more than 5% of requests, SDK clients included.`,
                description: "Measured by the server itself, so it also counts in-cluster clients that bypass the ingress.",
                runbook: [
                    `1. kubectl -n ${ns} logs deploy/mlflow --since=15m: tracebacks name the cause.`,
                    "2. Database errors: check Postgres and the tenant's connection alert. Artifact errors: check the object store and the tenant's bucket policy.",
                    `3. After an upgrade: kubectl -n ${ns} get jobs | grep mlflow-db-upgrade: the schema upgrade must have completed.`,
                ].join("\n"),
            },
        ],
    },
};

/** The alerts of one tenant, for the apps it runs. */
export function tenantAlertGroups(a: TenantAlertArgs): AlertGroup[] {
    const groups: AlertGroup[] = [];
    const ns = a.namespace;
    for (const app of APP_MODULES) {
        const host = a.hosts[app.name];
        if (!host) continue;
        const extra = APP_ALERTS[app.name];
        groups.push({
            name: `${a.tenantId}.${app.name}`,
            alerts: [
                ...(extra?.leading?.(a, ns) ?? []),
                ...ingressAlerts(app.name, app.title, host, a.tenantId, ns),
                ...(extra?.trailing?.(a, ns) ?? []),
            ],
        });
        groups.push(...(extra?.groups?.(a, ns) ?? []));
    }
    if (a.postgres && a.postgres.roles.length) {
        const roles = a.postgres.roles;
        groups.push({
            name: `${a.tenantId}.postgres`,
            alerts: [
                {
                    alert: "PostgresTenantConnectionsNearLimit",
                    // Each role against its own limit.
                    expr: roles
                        .map(
                            (r) =>
                                `(sum by (usename) (pg_stat_activity_count{usename="${r.name}"}) > ${Math.floor(r.connectionLimit * 0.8)})`,
                        )
                        .join(" or "),
                    for: "10m",
                    severity: "warning",
                    summary: `An app of tenant ${a.tenantId} holds more than 80% of its Postgres connections.`,
                    description: `One of the roles ${roles.map((r) => `${r.name} (limit ${r.connectionLimit})`).join(", ")} is close to its connection limit; at the limit the app's new connections fail.`,
                    runbook: [
                        "1. In Postgres: SELECT usename, state, count(*) FROM pg_stat_activity WHERE usename LIKE '" +
                            a.tenantId.replace(/-/g, "_") +
                            "_%' GROUP BY 1, 2; many `idle in transaction` means a leak in the app.",
                        `2. Restart the app holding them (kubectl -n ${ns} rollout restart deploy/<app>) to release them.`,
                        "3. Steady growth: the tenant needs a larger size, or PgBouncer in front of Postgres.",
                    ].join("\n"),
                },
            ],
        });
    }
    return groups;
}

export interface PlatformAlertArgs {
    readonly namespace: string;
    readonly postgresExporter: boolean;
    readonly minio: boolean;
}

/** The environment's own alerts: the trace gateway and the in-cluster data services. */
export function platformAlertGroups(a: PlatformAlertArgs): AlertGroup[] {
    const ns = a.namespace;
    const groups: AlertGroup[] = [
        {
            name: "platform.trace-gateway",
            alerts: [
                {
                    alert: "TraceGatewayRefusingSpans",
                    expr: `sum(rate(otelcol_receiver_refused_spans{namespace="${ns}"}[5m])) > 0`,
                    for: "10m",
                    severity: "critical",
                    summary: "The trace gateway refuses spans from Kong.",
                    description:
                        "The collector's receiver has been refusing spans for 10 minutes: its memory limiter or a full queue pushes back, and Kong drops them.",
                    runbook: [
                        `1. kubectl -n ${ns} logs statefulset/trace-gateway --since=15m.`,
                        "2. Find the tenant whose exporter queue is full (LangfuseIngestionBacklog) and fix that Langfuse; one tenant's backlog does not block the others' queues, but memory is shared.",
                        "3. Raise traceGateway.replicas in the stack config if all tenants are healthy and load simply grew.",
                    ].join("\n"),
                },
                {
                    alert: "TraceGatewayUnroutedSpans",
                    // The collector's Prometheus exporter may add `_total` to the counter; match both spellings.
                    expr: `sum(rate({__name__=~"llmops_trace_gateway_unrouted_spans(_total)?",namespace="${ns}"}[10m])) > 0`,
                    for: "15m",
                    severity: "warning",
                    summary: "Kong sends spans the trace gateway cannot route to any tenant.",
                    description:
                        "Spans arrive without a known tenant (llmops.tenant attribute): a Kong consumer or plugin outside the platform's config, or a tenant that was offboarded while clients still send.",
                    runbook: [
                        "1. List the Kong plugins sending here: kubectl get kongplugins -A -l app.kubernetes.io/managed-by=pulumi, and compare with deck configs applied outside Kubernetes (pulumi stack output kongDeck).",
                        "2. An offboarded tenant's clients still calling: tell its owners; its consumer no longer has the plugin.",
                        "3. The spans are dropped, not stored anywhere: nothing to clean up.",
                    ].join("\n"),
                },
            ],
        },
    ];
    if (a.postgresExporter) {
        groups.push({
            name: "platform.postgres",
            alerts: [
                {
                    alert: "PostgresConnectionsHigh",
                    expr: `sum(pg_stat_activity_count{namespace="${ns}"}) / max(pg_settings_max_connections{namespace="${ns}"}) > 0.8`,
                    for: "10m",
                    severity: "warning",
                    summary: "The environment's Postgres uses more than 80% of max_connections.",
                    description: "All tenants share this server; at max_connections every new connection fails.",
                    runbook: [
                        "1. SELECT usename, count(*) FROM pg_stat_activity GROUP BY 1 ORDER BY 2 DESC: find the tenant apps holding the most.",
                        "2. A single app far above the rest: see PostgresTenantConnectionsNearLimit for its tenant.",
                        "3. Broad growth: raise the Postgres size in the stack config (max_connections follows it) or put PgBouncer in front.",
                    ].join("\n"),
                },
                {
                    alert: "PostgresDown",
                    expr: `max(pg_up{namespace="${ns}"}) < 1`,
                    for: "5m",
                    severity: "critical",
                    summary: "The environment's Postgres does not answer its exporter.",
                    description: "Every tenant app depends on it.",
                    runbook: `kubectl -n ${ns} describe pod postgres-0 and logs; check its volume (kubectl -n ${ns} get pvc) and the node it runs on.`,
                },
            ],
        });
    }
    if (a.minio) {
        groups.push({
            name: "platform.object-store",
            alerts: [
                {
                    alert: "ObjectStoreFilling",
                    expr: `max(minio_cluster_capacity_usable_free_bytes{namespace="${ns}"} / minio_cluster_capacity_usable_total_bytes{namespace="${ns}"}) < 0.15`,
                    for: "15m",
                    severity: "warning",
                    summary: "The in-cluster object store has less than 15% free.",
                    description: "Langfuse events and media, MLflow artifacts, Agenta files and backups share it.",
                    runbook:
                        "Check the largest buckets (mc du --depth 1), the lifecycle rules of event and backup buckets, then grow the volume (dataServices.objectStore.storage) or move to an external object store.",
                },
            ],
        });
    }
    return groups;
}

/** The `spec` of a PrometheusRule holding these groups. */
export function prometheusRuleSpec(groups: readonly AlertGroup[], labels: Readonly<Record<string, string>>): { groups: unknown[] } {
    return {
        groups: groups.map((g) => ({
            name: g.name,
            rules: g.alerts.map((a) => ({
                alert: a.alert,
                expr: a.expr,
                for: a.for,
                labels: { severity: a.severity, ...labels },
                annotations: { summary: a.summary, description: a.description, runbook: a.runbook },
            })),
        })),
    };
}
