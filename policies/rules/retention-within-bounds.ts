import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { ANNOTATIONS } from "../../components/naming/labels";
import { json, tenantNamespaces, tenantOwner } from "../lib/stack";
import { metaOf, plain } from "../lib/values";

type Retention = { traceDays: number; artifactDays: number; deletedRunsPurgeDays: number };
type Bounds = Record<keyof Retention, { min: number; max: number }>;

/** The days each retention mechanism of a tenant actually applies, read back from what is declared. */
function applied(resources: readonly PolicyResource[], tenant: string): Array<{ what: string; field: keyof Retention; days: number; offset?: number }> {
    const out: Array<{ what: string; field: keyof Retention; days: number; offset?: number }> = [];
    for (const r of resources) {
        if (tenantOwner(r) !== tenant) continue;
        const p = plain<Record<string, any>>(r.props);
        if (r.type === "minio:index/ilmPolicy:IlmPolicy") {
            // Buckets whose objects age with a tenant retention setting; others (media, artifacts,
            // backups) only expire noncurrent versions, or follow the environment's backup retention.
            const field: keyof Retention | undefined = /-lf-events$/.test(p["bucket"]) ? "traceDays" : /-(lf-exports|agenta)$/.test(p["bucket"]) ? "artifactDays" : undefined;
            for (const rule of p["rules"] ?? []) {
                if (field && rule.expiration !== undefined) out.push({ what: `lifecycle rule of bucket ${p["bucket"]}`, field, days: Number(/^(\d+)d$/.exec(rule.expiration)?.[1]) });
            }
        }
        if (r.type === "kubernetes:core/v1:ConfigMap" && p["metadata"]?.name === "langfuse-retention") {
            for (const m of String(p["data"]?.["reconcile.sh"] ?? "").matchAll(/ALTER TABLE (\w+) MODIFY TTL toDateTime\(\w+\) \+ INTERVAL (\d+) DAY/g)) {
                out.push({ what: `ClickHouse TTL of ${m[1]}`, field: "traceDays", days: Number(m[2]), offset: m[1] === "blob_storage_file_log" ? 1 : 0 });
            }
        }
        if (r.type === "kubernetes:batch/v1:CronJob" && p["metadata"]?.name === "mlflow-gc") {
            const cmd = JSON.stringify(p["spec"]?.jobTemplate?.spec?.template?.spec?.containers ?? []);
            const days = /--older-than (\d+)d/.exec(cmd)?.[1];
            if (days) out.push({ what: "mlflow gc", field: "deletedRunsPurgeDays", days: Number(days) });
        }
    }
    return out;
}

export const retentionWithinBounds: StackValidationPolicy = {
    name: "retention-within-bounds",
    description: `Every tenant's retention (namespace annotation \`${ANNOTATIONS.retention}\`) is within the environment's bounds (platform namespace annotation \`${ANNOTATIONS.retentionBounds}\`), and every retention mechanism applies exactly that.`,
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const platform = args.resources.find((r) => r.type === "kubernetes:core/v1:Namespace" && metaOf(r.props).annotations?.[ANNOTATIONS.retentionBounds]);
        const bounds = json<Bounds>(platform ? metaOf(platform.props).annotations?.[ANNOTATIONS.retentionBounds] : undefined);
        if (!bounds) {
            if (tenantNamespaces(args.resources).length) report(`the platform namespace does not declare the environment's retention bounds (${ANNOTATIONS.retentionBounds}).`);
            return;
        }
        for (const ns of tenantNamespaces(args.resources)) {
            const tenant = metaOf(ns.props).labels?.["llmops.io/tenant"] ?? "";
            const retention = json<Retention>(metaOf(ns.props).annotations?.[ANNOTATIONS.retention]);
            if (!retention) {
                report(`tenant namespace ${metaOf(ns.props).name} does not declare its retention (${ANNOTATIONS.retention}).`, ns.urn);
                continue;
            }
            for (const field of Object.keys(bounds) as Array<keyof Retention>) {
                const v = retention[field];
                const b = bounds[field];
                if (typeof v !== "number" || v < b.min || v > b.max) report(`tenant ${tenant}: ${field} is ${v}, outside the environment's bounds ${b.min} to ${b.max}.`, ns.urn);
            }
            for (const a of applied(args.resources, tenant)) {
                const expected = retention[a.field] + (a.offset ?? 0);
                if (a.days !== expected) report(`tenant ${tenant}: ${a.what} keeps data ${a.days} days, but its ${a.field} is ${retention[a.field]}.`, ns.urn);
            }
        }
    },
};
