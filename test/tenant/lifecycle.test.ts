import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { Capture } from "../../cli/mock-runtime";
import { evaluate } from "../../cli/policy-eval";
import { capture, ROOT } from "../support/capture";
import { runCli } from "../support/cli";
import { ofKind, ofType } from "../support/resources";

/** The shipped tenants, with acme moved to another lifecycle state. */
function tenantsWithAcme(lifecycle: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lifecycle-"));
    for (const f of fs.readdirSync(path.join(ROOT, "tenants")).filter((f) => f.endsWith(".yaml")))
        fs.copyFileSync(path.join(ROOT, "tenants", f), path.join(dir, f));
    fs.appendFileSync(path.join(dir, "acme.yaml"), `lifecycle:\n${lifecycle}`);
    return dir;
}

const inAcme = (cap: Capture, kind: string) => ofKind(cap, kind).filter((o) => o.metadata.namespace === "llm-acme");

describe.each(["offboarding", "retired"] as const)("a tenant %s, in prod", (state) => {
    let cap: Capture;
    beforeAll(async () => {
        cap = await capture({ stack: "prod", tenantsDir: tenantsWithAcme(`  state: ${state}\n  dataRetainedUntil: "2027-03-31"\n`) });
    }, 120_000);

    it("runs no app workload, and keeps ClickHouse only while its data is exported", () => {
        const deployments = inAcme(cap, "Deployment");
        expect(deployments.length).toBeGreaterThan(5);
        for (const d of deployments) expect(d.spec.replicas, d.metadata.name).toBe(0);
        for (const s of inAcme(cap, "StatefulSet"))
            expect(s.spec.replicas, s.metadata.name).toBe(s.metadata.name === "clickhouse" && state === "offboarding" ? 1 : 0);
        // Nothing scales it back up.
        expect(inAcme(cap, "HorizontalPodAutoscaler")).toEqual([]);
        // Other tenants are untouched: prod's two web replicas, or an autoscaler that keeps at least two.
        const web = ofKind(cap, "Deployment").find((d) => d.metadata.namespace === "llm-globex" && d.metadata.name === "langfuse-web")!;
        const hpa = ofKind(cap, "HorizontalPodAutoscaler").find(
            (h) => h.metadata.namespace === "llm-globex" && h.spec.scaleTargetRef.name === "langfuse-web",
        );
        expect(web.spec.replicas ?? hpa?.spec.minReplicas).toBe(2);
    });

    it("exposes nothing: no ingress, no SSO gate, no Kong consumer, no trace gateway route", () => {
        expect(inAcme(cap, "Ingress")).toEqual([]);
        expect(
            ofKind(cap, "Deployment").filter((d) => d.metadata.namespace === "llm-acme" && d.metadata.name!.endsWith("-sso-gate")),
        ).toEqual([]);
        const kong = [...ofKind(cap, "KongConsumer"), ...ofKind(cap, "KongPlugin")].map((o) => o.metadata.name!);
        expect(kong.length).toBeGreaterThan(0);
        expect(kong.filter((n) => n.startsWith("acme"))).toEqual([]);
        const gateway = ofKind(cap, "ConfigMap").find((c) => c.metadata.name === "trace-gateway")!;
        expect(JSON.stringify(gateway.data)).not.toContain("llm-acme");
        expect(JSON.stringify(gateway.data)).toContain("llm-globex");
        expect(String(cap.outputs["kongDeck"])).not.toContain("acme-chatbot");
    });

    it("suspends its scheduled jobs and runs no migration", () => {
        const crons = inAcme(cap, "CronJob");
        expect(crons.map((c) => c.metadata.name).sort()).toEqual(["clickhouse-backup", "langfuse-retention", "mlflow-gc"]);
        for (const c of crons) expect(c.spec.suspend, c.metadata.name).toBe(true);
        expect(inAcme(cap, "Job").filter((j) => /migrate|db-upgrade|retention/.test(j.metadata.name!))).toEqual([]);
    });

    it(state === "offboarding" ? "exports every database and its ClickHouse to the backup bucket, once" : "runs no export any more", () => {
        const exports = inAcme(cap, "Job").filter((j) => j.metadata.name!.startsWith("offboarding-export-"));
        if (state === "retired") return expect(exports).toEqual([]);
        expect(exports).toHaveLength(1);
        const pod = exports[0]!.spec.template.spec;
        expect(pod.initContainers.map((c: { name: string }) => c.name)).toEqual(["dump", "clickhouse"]);
        expect(pod.containers.map((c: { name: string }) => c.name)).toEqual(["upload"]);
        for (const c of [...pod.initContainers, ...pod.containers]) {
            expect(c.env).toEqual(
                expect.arrayContaining([
                    { name: "BACKUP_PREFIX", value: "offboarding" },
                    { name: "BACKUP_BUCKET", value: "llm-prod-acme-backups" },
                ]),
            );
        }
    });

    it("keeps every database, bucket and volume, protected", () => {
        const acmeData = [...ofType(cap, "postgresql:index/database:Database"), ...ofType(cap, "minio:index/s3Bucket:S3Bucket")].filter(
            (r) => r.name.startsWith("acme-"),
        );
        // Five databases (langfuse, mlflow, three of agenta) and six buckets (three of Langfuse, MLflow's, Agenta's, backups).
        expect(acmeData.length).toBe(11);
        for (const r of acmeData) expect(r.options.protect, r.name).toBe(true);
        const sets = cap.resources.filter((r) => r.type === "kubernetes:apps/v1:StatefulSet" && r.name.startsWith("acme-"));
        for (const s of sets.filter((s) => !/redis-volatile/.test(s.name))) expect(s.options.protect, s.name).toBe(true);
    });

    it("passes every policy", async () => {
        const failing = (await evaluate(cap)).filter((r) => r.violations.length);
        expect(failing).toEqual([]);
    });
});

describe("lifecycle in a tenant file", () => {
    it("needs a date until which the data is kept once the tenant leaves active", () => {
        const result = runCli("synth", ["dev", "--tenants", tenantsWithAcme("  state: offboarding\n"), "--out", os.tmpdir()]);
        expect(result.status).toBe(1);
        expect(result.stderr).toContain(
            "acme.yaml: lifecycle.dataRetainedUntil: is required when the tenant is `offboarding`: it says how long its data is kept. Fix: add `dataRetainedUntil: YYYY-MM-DD`",
        );
    });

    it("refuses a date that is not one", () => {
        const result = runCli("synth", [
            "dev",
            "--tenants",
            tenantsWithAcme('  state: retired\n  dataRetainedUntil: "2027-02-30"\n'),
            "--out",
            os.tmpdir(),
        ]);
        expect(result.status).toBe(1);
        expect(result.stderr).toContain("lifecycle.dataRetainedUntil: must be a real calendar date");
    });
});
