import { describe, expect, it } from "vitest";
import type { Capture } from "../../cli/mock-runtime";
import { summary } from "../../cli/render";
import { tenantExporterId } from "../../components/tracing/collector-config";
import { stackCapture } from "../support/capture";
import { k8sSchemaErrors } from "../support/k8s-schema";
import { alertRulesOf, containerEnv, containersOf, find, ofKind, tenantNamespaces } from "../support/resources";
import { platformConfigOf, STACKS } from "../support/stacks";

/** Every metric the alerts may use: each one checked upstream at the pinned version (components/monitoring/alerts.ts). */
const KNOWN_METRICS = new Set([
    "otelcol_exporter_queue_size",
    "otelcol_exporter_queue_capacity",
    "otelcol_exporter_sent_spans",
    "otelcol_exporter_send_failed_spans",
    "otelcol_receiver_refused_spans",
    "nginx_ingress_controller_requests",
    "nginx_ingress_controller_request_duration_seconds_bucket",
    "mlflow_http_request_total",
    "ClickHouseAsyncMetrics_FilesystemMainPathAvailableBytes",
    "ClickHouseAsyncMetrics_FilesystemMainPathTotalBytes",
    "pg_stat_activity_count",
    "pg_settings_max_connections",
    "pg_up",
    "minio_cluster_capacity_usable_free_bytes",
    "minio_cluster_capacity_usable_total_bytes",
]);

/** Metric names in a PromQL expression: identifiers followed by a label matcher. */
function metricsIn(expr: string): string[] {
    return [...expr.matchAll(/([A-Za-z_:][A-Za-z0-9_:]*)\{/g)].map((m) => m[1]!);
}

function balanced(expr: string): boolean {
    const stack: string[] = [];
    const pairs: Record<string, string> = { ")": "(", "]": "[", "}": "{" };
    let quoted = false;
    for (const ch of expr) {
        if (ch === '"') quoted = !quoted;
        if (quoted) continue;
        if ("([{".includes(ch)) stack.push(ch);
        if (ch in pairs && stack.pop() !== pairs[ch]) return false;
    }
    return stack.length === 0 && !quoted;
}

/** The stacks whose file turns the Prometheus Operator integration on. */
const MONITORED = STACKS.filter((s) => platformConfigOf(s).monitoring?.prometheusOperator === true);

it("has monitored stacks to test", () => expect(MONITORED.length).toBeGreaterThan(0));

describe.each(MONITORED)("the platform watching itself in %s", (stack) => {
    const monitors = (cap: Capture) => ofKind(cap, "ServiceMonitor");
    const rules = (cap: Capture) => ofKind(cap, "PrometheusRule");

    it("declares ServiceMonitors and PrometheusRules that validate against the CRD schemas", async () => {
        const cap = await stackCapture(stack);
        const objects = [...monitors(cap), ...rules(cap)];
        expect(monitors(cap).length).toBeGreaterThan(3);
        expect(rules(cap).length).toBe(tenantNamespaces(cap).length + 1);
        expect((await Promise.all(objects.map(k8sSchemaErrors))).flat()).toEqual([]);
        // Labelled so kube-prometheus-stack's Prometheus selects them.
        for (const o of objects) expect(o.metadata.labels?.["release"], `${o.kind} ${o.metadata.name}`).toBe("kube-prometheus-stack");
    });

    it("points every ServiceMonitor at a Service of its namespace that has the port it scrapes", async () => {
        const cap = await stackCapture(stack);
        for (const m of monitors(cap)) {
            const services = ofKind(cap, "Service").filter(
                (s) =>
                    s.metadata.namespace === m.metadata.namespace &&
                    Object.entries(m.spec.selector.matchLabels as Record<string, string>).every(([k, v]) => s.metadata.labels?.[k] === v),
            );
            expect(services.length, `ServiceMonitor ${m.metadata.namespace}/${m.metadata.name} selects no Service`).toBeGreaterThan(0);
            for (const e of m.spec.endpoints as Array<{ port: string }>) {
                expect(
                    services.some((s) => (s.spec.ports as Array<{ name: string }>).some((p) => p.name === e.port)),
                    `${m.metadata.name}: no Service port ${e.port}`,
                ).toBe(true);
            }
        }
    });

    it("gives each tenant alerts for Langfuse ingestion, 5xx and latency of its apps, ClickHouse disk and (in-cluster) Postgres connections, each with a runbook", async () => {
        const cap = await stackCapture(stack);
        for (const ns of tenantNamespaces(cap)) {
            const tenant = ns.replace(/^llm-/, "");
            const rule = find(cap, "PrometheusRule", ns, "tenant-alerts");
            const alerts = alertRulesOf(rule);
            const names = alerts.map((a) => a.alert);
            const has = (app: string) => ofKind(cap, "Ingress").some((i) => i.metadata.namespace === ns && i.metadata.name === app);
            expect(names).toEqual(
                expect.arrayContaining([
                    "LangfuseIngestionBacklog",
                    "LangfuseIngestionErrors",
                    "ClickHouseDiskFilling",
                    "ClickHouseDiskFull",
                ]),
            );
            if (has("mlflow"))
                expect(names).toEqual(expect.arrayContaining(["MlflowHighErrorRate", "MlflowSlowRequests", "MlflowServerErrors"]));
            if (has("agenta")) expect(names).toEqual(expect.arrayContaining(["AgentaHighErrorRate", "AgentaSlowRequests"]));
            // Only the in-cluster Postgres has the exporter the connection alert reads.
            expect(names.includes("PostgresTenantConnectionsNearLimit")).toBe(
                platformConfigOf(stack).dataServices.postgres.mode === "in-cluster",
            );
            for (const a of alerts) {
                expect(a.annotations["runbook"]!.length, `${a.alert} runbook`).toBeGreaterThan(40);
                expect(a.annotations["summary"]).toContain(tenant);
                expect(a.labels).toMatchObject({ tenant, environment: platformConfigOf(stack).environment });
                expect(["warning", "critical"]).toContain(a.labels["severity"]);
                expect(balanced(a.expr), a.expr).toBe(true);
                for (const metric of metricsIn(a.expr)) expect(KNOWN_METRICS, `${a.alert} uses ${metric}`).toContain(metric);
            }
        }
    });

    it("selects exactly what is declared: the gateway's exporter for the tenant, its ingress hosts, its namespace", async () => {
        const cap = await stackCapture(stack);
        const gatewayConfig = find(cap, "ConfigMap", "llm-platform", "trace-gateway").data!["config.yaml"]!;
        for (const ns of tenantNamespaces(cap)) {
            const tenant = ns.replace(/^llm-/, "");
            const exprs = alertRulesOf(find(cap, "PrometheusRule", ns, "tenant-alerts")).map((a) => a.expr);
            const exporters = new Set(exprs.flatMap((e) => [...e.matchAll(/exporter="([^"]+)"/g)].map((m) => m[1]!)));
            expect([...exporters]).toEqual([tenantExporterId(tenant)]);
            expect(gatewayConfig).toContain(`${tenantExporterId(tenant)}:`);
            const hosts = new Set(exprs.flatMap((e) => [...e.matchAll(/host="([^"]+)"/g)].map((m) => m[1]!)));
            const ingressHosts = ofKind(cap, "Ingress")
                .filter((i) => i.metadata.namespace === ns)
                .flatMap((i) => (i.spec.rules as Array<{ host: string }>).map((r) => r.host));
            expect([...hosts].sort()).toEqual(ingressHosts.sort());
            for (const m of exprs.flatMap((e) => [...e.matchAll(/namespace="([^"]+)"/g)].map((x) => x[1]!))) expect(m).toBe(ns);
        }
    });

    it("exposes the metrics it scrapes, and lets only the monitoring namespace reach them", async () => {
        const cap = await stackCapture(stack);
        for (const ns of tenantNamespaces(cap)) {
            expect(find(cap, "ConfigMap", ns, "clickhouse-config").data!["llmops.xml"]).toContain("<port>9363</port>");
            const policy = find(cap, "NetworkPolicy", ns, "allow-monitoring");
            expect(policy.spec.ingress[0].from).toEqual([
                { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } },
            ]);
            const ports = (policy.spec.ingress[0].ports as Array<{ port: number }>).map((p) => p.port);
            expect(ports).toContain(9363);
            const mlflow = ofKind(cap, "Deployment").find((d) => d.metadata.namespace === ns && d.metadata.name === "mlflow");
            if (mlflow) {
                expect(ports).toContain(5000);
                const env = containerEnv(cap, ns, containersOf(mlflow)["mlflow"]);
                expect(env["MLFLOW_EXPOSE_PROMETHEUS"]).toBe("/tmp/prometheus");
                // Prometheus scrapes by pod IP: an IP-literal Host header must pass MLflow's host check.
                expect(env["MLFLOW_SERVER_ALLOWED_HOSTS"]!.split(",")).toEqual(
                    expect.arrayContaining(["10.*", "172.1[6-9].*", "172.2[0-9].*", "172.3[0-1].*", "192.168.*"]),
                );
                expect(env["MLFLOW_SERVER_ALLOWED_HOSTS"]!.split(",")).not.toContain("172.*");
            }
        }
        const platformPorts = (
            find(cap, "NetworkPolicy", "llm-platform", "allow-monitoring").spec.ingress[0].ports as Array<{ port: number }>
        ).map((p) => p.port);
        expect(platformPorts).toEqual(expect.arrayContaining([8888, 8889]));
        const postgres = ofKind(cap, "StatefulSet").find((s) => s.metadata.namespace === "llm-platform" && s.metadata.name === "postgres");
        if (postgres) {
            const exporter = containersOf(postgres)["exporter"];
            expect(exporter.image).toBe("quay.io/prometheuscommunity/postgres-exporter:v0.20.1");
            expect(exporter.env.find((e: { name: string }) => e.name === "DATA_SOURCE_PASS").valueFrom).toEqual({
                secretKeyRef: { name: "postgres-admin", key: "POSTGRES_PASSWORD" },
            });
            expect(platformPorts).toContain(9187);
        }
    });

    it("lists the monitors and every alert in the synth summary", async () => {
        const cap = await stackCapture(stack);
        const text = summary(cap);
        expect(text).toContain("## Monitoring");
        const total = rules(cap).reduce((n, r) => n + alertRulesOf(r).length, 0);
        expect(text).toContain(`${total} alerts in ${rules(cap).length} PrometheusRules, each with a runbook:`);
        expect(text).toContain("| llm-acme | acme.langfuse | LangfuseIngestionBacklog | warning | 10m |");
    });
});

describe("without the Prometheus operator (local)", () => {
    it("declares no monitoring objects and leaves the apps as they are", async () => {
        const cap = await stackCapture("local");
        expect(cap.resources.length).toBeGreaterThan(50);
        expect([...ofKind(cap, "ServiceMonitor"), ...ofKind(cap, "PrometheusRule")]).toEqual([]);
        const mlflow = containersOf(find(cap, "Deployment", "llm-acme", "mlflow"))["mlflow"];
        expect(containerEnv(cap, "llm-acme", mlflow)["MLFLOW_EXPOSE_PROMETHEUS"]).toBeUndefined();
        expect(find(cap, "ConfigMap", "llm-acme", "clickhouse-config").data!["llmops.xml"]).not.toContain("<prometheus>");
        expect(summary(cap)).toContain("Off: the stack does not enable the Prometheus operator");
    });
});
