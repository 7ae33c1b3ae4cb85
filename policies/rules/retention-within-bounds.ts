import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { ANNOTATIONS, LABELS } from "../../components/naming/labels";
import { BUCKET_PURPOSES, type BucketPurpose } from "../../components/naming/names";
import { effectiveTtlDays, ttlsInScript } from "../../components/retention/clickhouse-ttl";
import { json, tenantNamespaces, tenantOwner } from "../lib/stack";
import { metaOf, plain } from "../lib/values";

type Retention = { traceDays: number; artifactDays: number; deletedRunsPurgeDays: number };
type Bounds = Record<keyof Retention, { min: number; max: number }>;

/** The fields of the resources this policy reads back (a MinIO lifecycle policy, a ConfigMap, a CronJob). */
interface Declared {
    bucket?: unknown;
    rules?: { expiration?: string }[];
    metadata?: { name?: string };
    data?: Record<string, string>;
    spec?: { jobTemplate?: { spec?: { template?: { spec?: { containers?: unknown[] } } } } };
}

/** Buckets whose objects age with a tenant retention setting; the others (media, artifacts, backups) do not. */
const AGING_BUCKETS: Partial<Record<BucketPurpose, keyof Retention>> = {
    langfuseEvents: "traceDays",
    langfuseExports: "artifactDays",
    agentaFiles: "artifactDays",
};

/** The days each retention mechanism of a tenant actually applies, read back from what is declared. */
function applied(
    resources: readonly PolicyResource[],
    tenant: string,
): Array<{ what: string; field: keyof Retention; days: number; offset?: number }> {
    const out: Array<{ what: string; field: keyof Retention; days: number; offset?: number }> = [];
    // Days a table keeps data beyond traceDays (a staging table one day longer), as the reconciler applies them.
    const extraDays = effectiveTtlDays(0);
    for (const r of resources) {
        if (tenantOwner(r) !== tenant) continue;
        const p = plain<Declared>(r.props);
        if (r.type === "minio:index/ilmPolicy:IlmPolicy") {
            const bucket = String(p.bucket);
            const field = (Object.keys(AGING_BUCKETS) as BucketPurpose[]).find((purpose) =>
                bucket.endsWith(`-${BUCKET_PURPOSES[purpose]}`),
            );
            const setting = field ? AGING_BUCKETS[field] : undefined;
            for (const rule of p.rules ?? []) {
                if (setting && rule.expiration !== undefined)
                    out.push({
                        what: `lifecycle rule of bucket ${bucket}`,
                        field: setting,
                        days: Number(/^(\d+)d$/.exec(rule.expiration)?.[1]),
                    });
            }
        }
        if (r.type === "kubernetes:core/v1:ConfigMap" && p.metadata?.name === "langfuse-retention") {
            for (const [table, days] of Object.entries(ttlsInScript(String(p.data?.["reconcile.sh"] ?? "")))) {
                out.push({ what: `ClickHouse TTL of ${table}`, field: "traceDays", days, offset: extraDays[table] ?? 0 });
            }
        }
        if (r.type === "kubernetes:batch/v1:CronJob" && p.metadata?.name === "mlflow-gc") {
            const cmd = JSON.stringify(p.spec?.jobTemplate?.spec?.template?.spec?.containers ?? []);
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
        const platform = args.resources.find(
            (r) => r.type === "kubernetes:core/v1:Namespace" && metaOf(r.props).annotations?.[ANNOTATIONS.retentionBounds],
        );
        const bounds = json<Bounds>(platform ? metaOf(platform.props).annotations?.[ANNOTATIONS.retentionBounds] : undefined);
        if (!bounds) {
            if (tenantNamespaces(args.resources).length)
                report(`the platform namespace does not declare the environment's retention bounds (${ANNOTATIONS.retentionBounds}).`);
            return;
        }
        for (const ns of tenantNamespaces(args.resources)) {
            const tenant = metaOf(ns.props).labels?.[LABELS.tenant] ?? "";
            const retention = json<Retention>(metaOf(ns.props).annotations?.[ANNOTATIONS.retention]);
            if (!retention) {
                report(`tenant namespace ${metaOf(ns.props).name} does not declare its retention (${ANNOTATIONS.retention}).`, ns.urn);
                continue;
            }
            for (const field of Object.keys(bounds) as Array<keyof Retention>) {
                const v = retention[field];
                const b = bounds[field];
                if (typeof v !== "number" || v < b.min || v > b.max)
                    report(`tenant ${tenant}: ${field} is ${v}, outside the environment's bounds ${b.min} to ${b.max}.`, ns.urn);
            }
            for (const a of applied(args.resources, tenant)) {
                const expected = retention[a.field] + (a.offset ?? 0);
                if (a.days !== expected)
                    report(`tenant ${tenant}: ${a.what} keeps data ${a.days} days, but its ${a.field} is ${retention[a.field]}.`, ns.urn);
            }
        }
    },
};
