import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { describe, expect, it } from "vitest";
import type { Capture } from "../../cli/mock-runtime";
import { ROOT, STACKS, stackCapture } from "../support/capture";
import { type K8sObject, alertRulesOf, find, ofKind, ofType } from "../support/resources";
import { requireServerTool } from "../support/tools";

/**
 * Tier 2: every PrometheusRule the program declares, checked by Prometheus's own promtool
 * (Debian's 2.42), then unit-tested with `promtool test rules`: for each kind of alert, input
 * series where its documented condition holds (it fires) and where it does not (it stays
 * silent). The rules file under test is the emitted one, written from the capture; the series
 * are written here from what each alert's summary and description promise and from what each
 * exporter publishes at its pinned version, with the label values (hosts, namespaces, exporter
 * ids, roles) read from the plan's other resources, never from the alert expressions.
 */

interface StackConfig {
    environment: string;
    monitoring?: { prometheusOperator?: boolean };
}
function stackConfig(stack: string): StackConfig {
    const doc = parse(fs.readFileSync(path.join(ROOT, "stacks", `Pulumi.${stack}.yaml`), "utf8"));
    return doc.config["llmops-platform:platform"];
}
const MONITORED = STACKS.filter((s) => stackConfig(s).monitoring?.prometheusOperator === true);

/** What the platform knows about where a rule's series come from, read from the plan. */
interface Facts {
    tenant?: string;
    /** Namespace of the rule (the tenant's, or the platform's). */
    ns: string;
    /** The namespace label Prometheus gives a target a ServiceMonitor in this plan scrapes, by app name. */
    scraped(app: string, ns?: string): string;
    /** Public host of a tenant app (its Ingress). */
    host(app: string): string;
    /** The trace gateway's exporter towards this tenant's Langfuse, and its queue capacity. */
    exporter(): { id: string; capacity: number; others: string[] };
    /** The tenant's Postgres roles and their connection limits. */
    roles(): Array<{ name: string; limit: number }>;
    /** Name of the series the trace gateway publishes for spans without a tenant. */
    unroutedMetric(): string;
}

function factsOf(cap: Capture, rule: K8sObject): Facts {
    const ns = rule.metadata.namespace!;
    const tenant = rule.metadata.labels?.["llmops.io/tenant"] === "platform" ? undefined : rule.metadata.labels?.["llmops.io/tenant"];
    const gateway = () => {
        const cm = ofKind(cap, "ConfigMap").find((c) => c.metadata.name === "trace-gateway");
        const config = cm?.data?.["config.yaml"];
        if (config === undefined) throw new Error("no trace-gateway ConfigMap with a config.yaml in the plan");
        return parse(config) as { exporters: Record<string, any>; connectors: Record<string, any> };
    };
    return {
        tenant,
        ns,
        scraped(app, inNs) {
            const m = ofKind(cap, "ServiceMonitor").filter(
                (x) =>
                    x.spec.selector.matchLabels["app.kubernetes.io/name"] === app && (inNs === undefined || x.metadata.namespace === inNs),
            );
            if (m.length !== 1)
                throw new Error(
                    `expected one ServiceMonitor scraping ${app}${inNs ? ` in ${inNs}` : ""}, found ${m.length}: the alert on its metrics could never fire`,
                );
            // Without a namespaceSelector a ServiceMonitor scrapes Services of its own namespace, and Prometheus labels the series with it.
            expect(m[0]!.spec.namespaceSelector, `ServiceMonitor ${m[0]!.metadata.name}`).toBeUndefined();
            return m[0]!.metadata.namespace!;
        },
        host(app) {
            return find(cap, "Ingress", ns, app).spec.rules[0].host;
        },
        exporter() {
            const exporters = Object.entries(gateway().exporters).filter(([, e]) => typeof e.traces_endpoint === "string");
            const mine = exporters.filter(([, e]) => new URL(e.traces_endpoint).hostname.endsWith(`.${ns}.svc.cluster.local`));
            if (mine.length !== 1)
                throw new Error(
                    `expected one trace gateway exporter sending to ${ns}, found ${mine.map(([id]) => id).join(", ") || "none"}`,
                );
            const [id, e] = mine[0]!;
            return { id, capacity: e.sending_queue.queue_size, others: exporters.map(([x]) => x).filter((x) => x !== id) };
        },
        roles() {
            const roles = ofType(cap, "postgresql:index/role:Role").filter((r) => r.name.startsWith(`${tenant}-`));
            if (!roles.length) throw new Error(`no Postgres roles of tenant ${tenant} in the plan`);
            return roles.map((r) => ({ name: (r.inputs as any).name, limit: (r.inputs as any).connectionLimit }));
        },
        unroutedMetric() {
            // The count connector's metric, as the collector's Prometheus exporter names a monotonic
            // sum (dots to underscores, `_total` added: add_metric_suffixes defaults to true).
            const counts = Object.entries(gateway().connectors).filter(([id]) => id.startsWith("count/"));
            expect(counts.length, "count connectors in the trace gateway").toBe(1);
            const names = Object.keys(counts[0]![1].spans);
            expect(names.length).toBe(1);
            return `${names[0]!.replace(/\./g, "_")}_total`;
        },
    };
}

// Input series, in promtool's expanding notation over 40 one-minute steps; alerts are read at 30 minutes,
// past every `for` (15m at most) plus every rate window (10m at most).
interface Series {
    series: string;
    values: string;
}
const sel = (labels: Record<string, string>) =>
    `{${Object.entries(labels)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(",")}}`;
/** A counter growing by `perMinute` each minute. */
const counter = (name: string, labels: Record<string, string>, perMinute: number): Series => ({
    series: `${name}${sel(labels)}`,
    values: `0+${perMinute}x40`,
});
/** A gauge holding `value`. */
const gauge = (name: string, labels: Record<string, string>, value: number): Series => ({
    series: `${name}${sel(labels)}`,
    values: `${value}+0x40`,
});

interface Case {
    name: string;
    series: Series[];
    /** Labels the firing alert carries from its series (which role, which host), beside the rule's own. */
    labels?: Record<string, string>;
}
interface Scenario {
    /** The condition, in the words the alert's summary and description use. */
    when: string;
    /** Who is paged: critical for lost data or failing users, warning for what can wait for working hours. */
    severity: "critical" | "warning";
    fires(f: Facts): Case[];
    quiet(f: Facts): Case[];
}

/** ingress-nginx's request counter and latency histogram (default buckets), by host. */
const INGRESS_BUCKETS = ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"];
function ingressRequests(host: string, perMinuteByStatus: Record<string, number>): Series[] {
    return Object.entries(perMinuteByStatus).map(([status, n]) =>
        counter(
            "nginx_ingress_controller_requests",
            {
                host,
                status,
                method: "GET",
                path: "/",
                ingress: host.split(".")[0]!,
                namespace: "ingress-nginx-target",
                controller_class: "k8s.io/ingress-nginx",
            },
            n,
        ),
    );
}
function ingressLatency(host: string, seconds: number, perMinute: number): Series[] {
    return INGRESS_BUCKETS.map((le) =>
        counter(
            "nginx_ingress_controller_request_duration_seconds_bucket",
            { host, le, method: "GET", path: "/", status: "200" },
            le === "+Inf" || Number(le) >= seconds ? perMinute : 0,
        ),
    );
}
const OTHER_HOST = "someone-else.example.com";

const ingressErrors = (app: string, title: string): Scenario => ({
    when: `more than 5% of requests to ${title}'s host fail with a server error`,
    severity: "critical",
    fires: (f) => [{ name: "10% 5xx", series: ingressRequests(f.host(app), { "200": 900, "503": 100 }) }],
    quiet: (f) => [
        { name: "0.1% 5xx", series: ingressRequests(f.host(app), { "200": 999, "500": 1 }) },
        {
            name: "another host failing",
            series: [...ingressRequests(f.host(app), { "200": 1000 }), ...ingressRequests(OTHER_HOST, { "500": 1000 })],
        },
        { name: "no traffic", series: ingressRequests(f.host(app), { "200": 0, "500": 0 }) },
    ],
});
const ingressSlow = (app: string, title: string): Scenario => ({
    when: `the 95th percentile of request time at ${title}'s host is above 2 s`,
    severity: "warning",
    fires: (f) => [{ name: "every request takes 5 s", series: ingressLatency(f.host(app), 5, 100) }],
    quiet: (f) => [
        { name: "requests take 0.1 s", series: ingressLatency(f.host(app), 0.1, 100) },
        { name: "another host slow", series: [...ingressLatency(f.host(app), 0.1, 100), ...ingressLatency(OTHER_HOST, 10, 100)] },
    ],
});

/** otelcol internal telemetry (collector 0.159, Prometheus reader without type suffixes): exporter series carry `exporter` and `data_type`. */
const gatewaySeries = (f: Facts, exporter: string) => ({
    exporter,
    data_type: "traces",
    namespace: f.scraped("trace-gateway"),
    pod: "trace-gateway-0",
    job: "trace-gateway",
});

const clickhouseDisk = (f: Facts, freeShare: number, ns = f.scraped("langfuse", f.ns)): Series[] => {
    const labels = { namespace: ns, pod: "clickhouse-0", job: "clickhouse" };
    return [
        gauge("ClickHouseAsyncMetrics_FilesystemMainPathTotalBytes", labels, 100e9),
        gauge("ClickHouseAsyncMetrics_FilesystemMainPathAvailableBytes", labels, freeShare * 100e9),
    ];
};

/**
 * postgres_exporter v0.20.1's pg_stat_activity_count (collector/pg_stat_activity.go): connections by
 * datname, state, usename, application_name, backend_type, wait_event_type and wait_event.
 */
const connections = (user: string, n: number): Series[] => {
    const labels = (state: string) => ({
        datname: user,
        state,
        usename: user,
        application_name: "",
        backend_type: "client backend",
        wait_event_type: "Client",
        wait_event: "ClientRead",
        namespace: "ns-of-postgres",
    });
    return [
        gauge("pg_stat_activity_count", labels("active"), Math.ceil(n / 2)),
        gauge("pg_stat_activity_count", labels("idle"), Math.floor(n / 2)),
    ];
};

/** One test per kind of alert the program emits. A new kind fails the coverage test below until it has one. */
const SCENARIOS: Record<string, Scenario> = {
    LangfuseIngestionBacklog: {
        when: "the trace gateway's queue towards this tenant's Langfuse is more than half full",
        severity: "warning",
        fires: (f) => {
            const e = f.exporter();
            return [
                {
                    name: "queue 80% full",
                    series: [
                        gauge("otelcol_exporter_queue_size", gatewaySeries(f, e.id), 0.8 * e.capacity),
                        gauge("otelcol_exporter_queue_capacity", gatewaySeries(f, e.id), e.capacity),
                    ],
                },
            ];
        },
        quiet: (f) => {
            const e = f.exporter();
            const other = e.others[0] ?? "otlp_http/tenant-other";
            return [
                {
                    name: "queue 10% full",
                    series: [
                        gauge("otelcol_exporter_queue_size", gatewaySeries(f, e.id), 0.1 * e.capacity),
                        gauge("otelcol_exporter_queue_capacity", gatewaySeries(f, e.id), e.capacity),
                    ],
                },
                {
                    name: "another tenant's queue full",
                    series: [
                        gauge("otelcol_exporter_queue_size", gatewaySeries(f, e.id), 0),
                        gauge("otelcol_exporter_queue_capacity", gatewaySeries(f, e.id), e.capacity),
                        gauge("otelcol_exporter_queue_size", gatewaySeries(f, other), e.capacity),
                        gauge("otelcol_exporter_queue_capacity", gatewaySeries(f, other), e.capacity),
                    ],
                },
            ];
        },
    },
    LangfuseIngestionErrors: {
        when: "more than 1% of spans sent to this tenant's Langfuse fail",
        severity: "critical",
        fires: (f) => {
            const l = gatewaySeries(f, f.exporter().id);
            return [
                {
                    name: "10% of spans fail",
                    series: [counter("otelcol_exporter_sent_spans", l, 900), counter("otelcol_exporter_send_failed_spans", l, 100)],
                },
                // A rotated API key: Langfuse answers 401 to everything.
                {
                    name: "every span fails",
                    series: [counter("otelcol_exporter_sent_spans", l, 0), counter("otelcol_exporter_send_failed_spans", l, 100)],
                },
            ];
        },
        quiet: (f) => {
            const e = f.exporter();
            const mine = gatewaySeries(f, e.id);
            const other = gatewaySeries(f, e.others[0] ?? "otlp_http/tenant-other");
            return [
                {
                    name: "no failures",
                    series: [counter("otelcol_exporter_sent_spans", mine, 1000), counter("otelcol_exporter_send_failed_spans", mine, 0)],
                },
                {
                    name: "another tenant's spans fail",
                    series: [
                        counter("otelcol_exporter_sent_spans", mine, 1000),
                        counter("otelcol_exporter_send_failed_spans", mine, 0),
                        counter("otelcol_exporter_sent_spans", other, 0),
                        counter("otelcol_exporter_send_failed_spans", other, 100),
                    ],
                },
            ];
        },
    },
    LangfuseHighErrorRate: ingressErrors("langfuse", "Langfuse"),
    LangfuseSlowRequests: ingressSlow("langfuse", "Langfuse"),
    MlflowHighErrorRate: ingressErrors("mlflow", "MLflow"),
    MlflowSlowRequests: ingressSlow("mlflow", "MLflow"),
    AgentaHighErrorRate: ingressErrors("agenta", "Agenta"),
    AgentaSlowRequests: ingressSlow("agenta", "Agenta"),
    ClickHouseDiskFilling: {
        when: "the tenant's ClickHouse has less than 15% of its disk free",
        severity: "warning",
        fires: (f) => [{ name: "10% free", series: clickhouseDisk(f, 0.1) }],
        quiet: (f) => [
            { name: "50% free", series: clickhouseDisk(f, 0.5) },
            { name: "another tenant's disk filling", series: [...clickhouseDisk(f, 0.5), ...clickhouseDisk(f, 0.01, "another-tenant")] },
        ],
    },
    ClickHouseDiskFull: {
        when: "less than 5% of the tenant's ClickHouse volume is free",
        severity: "critical",
        fires: (f) => [{ name: "3% free", series: clickhouseDisk(f, 0.03) }],
        quiet: (f) => [{ name: "10% free (filling, not full)", series: clickhouseDisk(f, 0.1) }],
    },
    MlflowServerErrors: {
        when: "the tenant's MLflow server fails more than 5% of requests, as it counts them itself",
        severity: "critical",
        fires: (f) => {
            const ns = f.scraped("mlflow", f.ns);
            return [
                {
                    name: "10% 500s",
                    series: [
                        counter("mlflow_http_request_total", { namespace: ns, method: "POST", status: "200" }, 900),
                        counter("mlflow_http_request_total", { namespace: ns, method: "POST", status: "500" }, 100),
                    ],
                },
            ];
        },
        quiet: (f) => {
            const ns = f.scraped("mlflow", f.ns);
            return [
                {
                    name: "0.1% 500s",
                    series: [
                        counter("mlflow_http_request_total", { namespace: ns, method: "GET", status: "200" }, 999),
                        counter("mlflow_http_request_total", { namespace: ns, method: "GET", status: "500" }, 1),
                    ],
                },
                {
                    name: "another tenant's MLflow failing",
                    series: [
                        counter("mlflow_http_request_total", { namespace: ns, method: "GET", status: "200" }, 100),
                        counter("mlflow_http_request_total", { namespace: "another-tenant", method: "GET", status: "500" }, 100),
                    ],
                },
            ];
        },
    },
    PostgresTenantConnectionsNearLimit: {
        when: "one of the tenant's Postgres roles holds more than 80% of its connection limit",
        severity: "warning",
        fires: (f) =>
            f.roles().map((r) => ({
                name: `${r.name} at 95% of ${r.limit}`,
                series: connections(r.name, Math.ceil(r.limit * 0.95)),
                labels: { usename: r.name },
            })),
        quiet: (f) => [
            { name: "every role at 30%", series: f.roles().flatMap((r) => connections(r.name, Math.floor(r.limit * 0.3))) },
            {
                name: "a role of another tenant at its limit",
                series: [...f.roles().flatMap((r) => connections(r.name, 1)), ...connections("another_tenant_app", 1000)],
            },
        ],
    },
    TraceGatewayRefusingSpans: {
        when: "the trace gateway's receiver refuses spans from Kong",
        severity: "critical",
        fires: (f) => [
            {
                name: "refusing 10 spans a minute",
                series: [
                    counter(
                        "otelcol_receiver_refused_spans",
                        { receiver: "otlp", transport: "http", namespace: f.scraped("trace-gateway") },
                        10,
                    ),
                ],
            },
        ],
        quiet: (f) => [
            {
                name: "accepting everything",
                series: [
                    counter(
                        "otelcol_receiver_refused_spans",
                        { receiver: "otlp", transport: "http", namespace: f.scraped("trace-gateway") },
                        0,
                    ),
                    counter(
                        "otelcol_receiver_accepted_spans",
                        { receiver: "otlp", transport: "http", namespace: f.scraped("trace-gateway") },
                        1000,
                    ),
                ],
            },
        ],
    },
    TraceGatewayUnroutedSpans: {
        when: "spans arrive at the trace gateway without a known tenant",
        severity: "warning",
        fires: (f) => [
            {
                name: "5 unrouted spans a minute",
                series: [counter(f.unroutedMetric(), { namespace: f.scraped("trace-gateway"), job: "trace-gateway" }, 5)],
            },
        ],
        quiet: (f) => [
            {
                name: "none unrouted",
                series: [counter(f.unroutedMetric(), { namespace: f.scraped("trace-gateway"), job: "trace-gateway" }, 0)],
            },
        ],
    },
    PostgresConnectionsHigh: {
        when: "the environment's Postgres uses more than 80% of max_connections",
        severity: "warning",
        fires: (f) => [{ name: "90 of 100", series: pgServer(f, 100, { acme_langfuse: 50, acme_mlflow: 40 }) }],
        quiet: (f) => [{ name: "30 of 100", series: pgServer(f, 100, { acme_langfuse: 20, acme_mlflow: 10 }) }],
    },
    PostgresDown: {
        when: "the environment's Postgres does not answer its exporter",
        severity: "critical",
        fires: (f) => [{ name: "pg_up 0", series: [gauge("pg_up", { namespace: f.scraped("postgres") }, 0)] }],
        quiet: (f) => [{ name: "pg_up 1", series: [gauge("pg_up", { namespace: f.scraped("postgres") }, 1)] }],
    },
    ObjectStoreFilling: {
        when: "the in-cluster object store has less than 15% free",
        severity: "warning",
        fires: (f) => [{ name: "5% free", series: minio(f, 0.05) }],
        quiet: (f) => [{ name: "50% free", series: minio(f, 0.5) }],
    },
};

function pgServer(f: Facts, max: number, byUser: Record<string, number>): Series[] {
    const ns = f.scraped("postgres");
    return [
        gauge("pg_settings_max_connections", { namespace: ns, server: "postgres:5432" }, max),
        ...Object.entries(byUser).flatMap(([u, n]) =>
            connections(u, n).map((s) => ({ ...s, series: s.series.replace("ns-of-postgres", ns) })),
        ),
    ];
}
function minio(f: Facts, freeShare: number): Series[] {
    const labels = { namespace: f.scraped("minio"), server: "minio-0" };
    return [
        gauge("minio_cluster_capacity_usable_total_bytes", labels, 1e12),
        gauge("minio_cluster_capacity_usable_free_bytes", labels, freeShare * 1e12),
    ];
}

/** The promtool unit-test file for one emitted rules file: a fire and a quiet test group per case. */
function unitTests(rule: K8sObject, facts: Facts, rulesFile: string): { doc: unknown; count: number } {
    const tests: unknown[] = [];
    for (const r of alertRulesOf(rule)) {
        const s = SCENARIOS[r.alert];
        if (!s) throw new Error(`alert ${r.alert} has no scenario`);
        // Routing labels and annotations are carried over as the rule declares them; what is under test is when it fires.
        for (const c of s.fires(facts)) {
            const expected = { exp_labels: { ...r.labels, ...c.labels }, exp_annotations: r.annotations };
            tests.push({
                name: `${r.alert} fires: ${c.name}`,
                interval: "1m",
                input_series: c.series,
                alert_rule_test: [
                    // A one-minute blip pages nobody: the condition must hold for a while first.
                    { eval_time: "1m", alertname: r.alert, exp_alerts: [] },
                    { eval_time: "30m", alertname: r.alert, exp_alerts: [expected] },
                ],
            });
        }
        for (const c of s.quiet(facts)) {
            tests.push({
                name: `${r.alert} silent: ${c.name}`,
                interval: "1m",
                input_series: c.series,
                alert_rule_test: [{ eval_time: "30m", alertname: r.alert, exp_alerts: [] }],
            });
        }
    }
    return { doc: { rule_files: [rulesFile], evaluation_interval: "1m", tests }, count: tests.length };
}

describe("alert rules under a real promtool", () => {
    const promtool = requireServerTool("promtool");

    it("covers every kind of alert the program emits with a unit test, and no kind it no longer emits", async () => {
        expect(MONITORED.length, "stacks with monitoring on").toBeGreaterThan(0);
        const emitted = new Set<string>();
        for (const stack of STACKS) {
            const rules = ofKind(await stackCapture(stack), "PrometheusRule");
            if (!MONITORED.includes(stack)) expect(rules, `${stack} has monitoring off`).toEqual([]);
            for (const r of rules) for (const a of alertRulesOf(r)) emitted.add(a.alert);
        }
        expect(emitted.size).toBeGreaterThan(0);
        expect(
            [...emitted].filter((a) => !SCENARIOS[a]),
            "alerts without a unit test here",
        ).toEqual([]);
        expect(
            Object.keys(SCENARIOS).filter((a) => !emitted.has(a)),
            "unit tests for alerts no stack emits",
        ).toEqual([]);
    });

    describe.each(MONITORED)("in %s", (stack) => {
        it.skipIf(!promtool)(
            "every PrometheusRule passes `promtool check rules`, and each alert fires on its condition and only then",
            async () => {
                const cap = await stackCapture(stack);
                const env = stackConfig(stack).environment;
                const rules = ofKind(cap, "PrometheusRule");
                // One for the platform and one per tenant namespace.
                expect(rules.length).toBe(
                    ofKind(cap, "Namespace").filter((n) => n.metadata.labels?.["llmops.io/workspace"] === "true").length + 1,
                );
                const dir = fs.mkdtempSync(path.join(os.tmpdir(), `promtool-${stack}-`));
                // Every rules file is checked and tested before the verdict, so one run shows every failing alert.
                const failures: string[] = [];
                try {
                    for (const rule of rules) {
                        const id = `${rule.metadata.namespace}-${rule.metadata.name}`;
                        const alerts = alertRulesOf(rule);
                        expect(alerts.length, id).toBeGreaterThan(0);
                        for (const a of alerts) {
                            expect(a.labels.severity, `${a.alert}: who it pages`).toBe(SCENARIOS[a.alert]?.severity);
                            expect(a.labels.environment, `${a.alert}: environment label`).toBe(env);
                        }
                        const rulesFile = `${id}.rules.yaml`;
                        fs.writeFileSync(path.join(dir, rulesFile), stringify({ groups: rule.spec.groups }));
                        const check = spawnSync(promtool!, ["check", "rules", "--lint=all", "--lint-fatal", rulesFile], {
                            cwd: dir,
                            encoding: "utf8",
                        });
                        if (check.status !== 0 || !check.stdout.includes(`SUCCESS: ${alerts.length} rules found`)) {
                            failures.push(`promtool check rules ${id}:\n${check.stdout}${check.stderr}`);
                            continue;
                        }
                        const { doc, count } = unitTests(rule, factsOf(cap, rule), rulesFile);
                        const testFile = `${id}.test.yaml`;
                        fs.writeFileSync(path.join(dir, testFile), stringify(doc));
                        const started = Date.now();
                        const test = spawnSync(promtool!, ["test", "rules", testFile], { cwd: dir, encoding: "utf8" });
                        if (test.status !== 0 || !test.stdout.includes("SUCCESS"))
                            failures.push(`promtool test rules ${id}:\n${test.stdout}${test.stderr}`);
                        else
                            console.log(
                                `${stack}: ${id}: ${alerts.length} alerts, ${count} promtool test groups passed in ${Date.now() - started} ms`,
                            );
                    }
                } finally {
                    fs.rmSync(dir, { recursive: true, force: true });
                }
                expect(failures, failures.join("\n\n")).toEqual([]);
            },
        );

        it.skipIf(!promtool)(
            "keeps the tenants' alerts apart when several fail at once (Alertmanager tells alerts apart by their labels only)",
            async () => {
                const cap = await stackCapture(stack);
                const tenantRules = ofKind(cap, "PrometheusRule").filter((r) => r.metadata.labels?.["llmops.io/tenant"] !== "platform");
                const withLangfuse = tenantRules.filter((r) => alertRulesOf(r).some((a) => a.alert === "LangfuseHighErrorRate"));
                expect(withLangfuse.length, "tenants with Langfuse alerts").toBeGreaterThan(1);
                const dir = fs.mkdtempSync(path.join(os.tmpdir(), `promtool-${stack}-tenants-`));
                try {
                    const files = withLangfuse.map((r) => {
                        const file = `${r.metadata.namespace}.rules.yaml`;
                        fs.writeFileSync(path.join(dir, file), stringify({ groups: r.spec.groups }));
                        return file;
                    });
                    const expected = withLangfuse.map((r) => {
                        const a = alertRulesOf(r).find((x) => x.alert === "LangfuseHighErrorRate")!;
                        const tenant = ofKind(cap, "Namespace").find((n) => n.metadata.name === r.metadata.namespace)!.metadata.labels![
                            "llmops.io/tenant"
                        ];
                        expect(a.labels.tenant, `the tenant of ${r.metadata.namespace}'s alert`).toBe(tenant);
                        return { exp_labels: a.labels, exp_annotations: a.annotations };
                    });
                    expect(new Set(expected.map((e) => JSON.stringify(e.exp_labels))).size, "distinct label sets").toBe(
                        withLangfuse.length,
                    );
                    const series = withLangfuse.flatMap((r) =>
                        ingressRequests(find(cap, "Ingress", r.metadata.namespace, "langfuse").spec.rules[0].host, {
                            "200": 500,
                            "502": 500,
                        }),
                    );
                    const doc = {
                        rule_files: files,
                        evaluation_interval: "1m",
                        tests: [
                            {
                                name: "every tenant's Langfuse failing",
                                interval: "1m",
                                input_series: series,
                                alert_rule_test: [{ eval_time: "30m", alertname: "LangfuseHighErrorRate", exp_alerts: expected }],
                            },
                        ],
                    };
                    fs.writeFileSync(path.join(dir, "all.test.yaml"), stringify(doc));
                    const test = spawnSync(promtool!, ["test", "rules", "all.test.yaml"], { cwd: dir, encoding: "utf8" });
                    expect(test.status, `${test.stdout}${test.stderr}`).toBe(0);
                } finally {
                    fs.rmSync(dir, { recursive: true, force: true });
                }
            },
        );
    });
});
