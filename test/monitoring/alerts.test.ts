import { describe, expect, it } from "vitest";
import { type AlertGroup, platformAlertGroups, prometheusRuleSpec, tenantAlertGroups } from "../../components/monitoring/alerts";
import { APP_NAMES } from "../../components/apps/registry";

const TENANT = { tenantId: "acme", namespace: "llm-acme", platformNamespace: "llm-platform" };
const HOSTS = { langfuse: "langfuse.acme.example.com", mlflow: "mlflow.acme.example.com", agenta: "agenta.acme.example.com" };
const names = (groups: readonly AlertGroup[]) => groups.map((g) => [g.name, g.alerts.map((a) => a.alert)]);

describe("tenant alert groups", () => {
    it("watch each app the tenant runs, at its own public host and namespace", () => {
        const groups = tenantAlertGroups({
            ...TENANT,
            hosts: HOSTS,
            gatewayExporter: "otlp_http/tenant-acme",
            postgres: { roles: [{ name: "acme_langfuse", connectionLimit: 20 }] },
        });
        expect(names(groups)).toEqual([
            ["acme.langfuse", ["LangfuseIngestionBacklog", "LangfuseIngestionErrors", "LangfuseHighErrorRate", "LangfuseSlowRequests"]],
            // Langfuse's ClickHouse comes with it.
            ["acme.clickhouse", ["ClickHouseDiskFilling", "ClickHouseDiskFull"]],
            ["acme.mlflow", ["MlflowHighErrorRate", "MlflowSlowRequests", "MlflowServerErrors"]],
            ["acme.agenta", ["AgentaHighErrorRate", "AgentaSlowRequests"]],
            ["acme.postgres", ["PostgresTenantConnectionsNearLimit"]],
        ]);
        const all = groups.flatMap((g) => g.alerts);
        for (const a of all.filter((x) => x.expr.includes("nginx_ingress_controller")))
            expect(a.expr, a.alert).toMatch(new RegExp(`host="(${APP_NAMES.join("|")})\\.acme\\.example\\.com"`));
        for (const a of all.filter((x) => x.expr.includes("otelcol_")))
            expect([...a.expr.matchAll(/exporter="([^"]+)"/g)].map((m) => m[1])).toEqual(expect.arrayContaining(["otlp_http/tenant-acme"]));
        for (const a of all.filter((x) => /^(Mlflow|ClickHouse)/.test(x.alert) && !x.expr.includes("nginx_")))
            expect(a.expr, a.alert).toContain('namespace="llm-acme"');
        // 80% of the role's limit.
        expect(all.find((a) => a.alert === "PostgresTenantConnectionsNearLimit")!.expr).toBe(
            '(sum by (usename) (pg_stat_activity_count{usename="acme_langfuse"}) > 16)',
        );
        for (const a of all) {
            expect(a.runbook.length, `${a.alert} has no runbook`).toBeGreaterThan(20);
            expect(a.for, a.alert).toMatch(/^\d+m$/);
        }
    });

    it("leave out what the tenant does not run: switched-off apps, gateway traces, an external Postgres", () => {
        expect(names(tenantAlertGroups({ ...TENANT, hosts: { mlflow: HOSTS.mlflow } }))).toEqual([
            ["acme.mlflow", ["MlflowHighErrorRate", "MlflowSlowRequests", "MlflowServerErrors"]],
        ]);
        expect(names(tenantAlertGroups({ ...TENANT, hosts: { langfuse: HOSTS.langfuse } }))).toEqual([
            ["acme.langfuse", ["LangfuseHighErrorRate", "LangfuseSlowRequests"]],
            ["acme.clickhouse", ["ClickHouseDiskFilling", "ClickHouseDiskFull"]],
        ]);
        expect(tenantAlertGroups({ ...TENANT, hosts: {}, postgres: { roles: [] } })).toEqual([]);
    });
});

describe("platform alert groups", () => {
    it("always watch the trace gateway, and the data services only where the platform runs them", () => {
        const all = platformAlertGroups({ namespace: "llm-platform", postgresExporter: true, minio: true });
        expect(all.map((g) => g.name)).toEqual(["platform.trace-gateway", "platform.postgres", "platform.object-store"]);
        expect(platformAlertGroups({ namespace: "llm-platform", postgresExporter: false, minio: false }).map((g) => g.name)).toEqual([
            "platform.trace-gateway",
        ]);
        for (const a of all[0]!.alerts) expect(a.expr, a.alert).toContain('namespace="llm-platform"');
    });
});

describe("prometheusRuleSpec", () => {
    it("puts the severity and the given labels on every rule, and the texts in annotations", () => {
        const [group] = tenantAlertGroups({ ...TENANT, hosts: { agenta: HOSTS.agenta } });
        const spec = prometheusRuleSpec([group!], { tenant: "acme", environment: "dev" }) as {
            groups: Array<{ name: string; rules: any[] }>;
        };
        expect(spec.groups.map((g) => g.name)).toEqual(["acme.agenta"]);
        for (const [i, r] of spec.groups[0]!.rules.entries()) {
            const a = group!.alerts[i]!;
            expect(r).toEqual({
                alert: a.alert,
                expr: a.expr,
                for: a.for,
                labels: { severity: a.severity, tenant: "acme", environment: "dev" },
                annotations: { summary: a.summary, description: a.description, runbook: a.runbook },
            });
        }
    });
});
