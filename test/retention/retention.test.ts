import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { CAPPED_SYSTEM_LOGS, systemLogTtls } from "../../components/data/clickhouse/config";
import { effectiveTtlDays, LANGFUSE_TTL_TABLES, ttlScript, ttlsInScript } from "../../components/retention/clickhouse-ttl";
import { stackCapture, STACKS } from "../support/capture";
import { containersOf, find, ofKind, ofType } from "../support/resources";

/** What each example tenant's file asks for, or the environment's defaults. */
const EXPECTED: Record<string, Record<string, { traceDays: number; artifactDays: number; deletedRunsPurgeDays: number }>> = {
    dev: {
        acme: { traceDays: 90, artifactDays: 30, deletedRunsPurgeDays: 30 },
        globex: { traceDays: 30, artifactDays: 14, deletedRunsPurgeDays: 7 },
        initech: { traceDays: 7, artifactDays: 7, deletedRunsPurgeDays: 7 },
    },
    prod: {
        acme: { traceDays: 90, artifactDays: 30, deletedRunsPurgeDays: 30 },
        globex: { traceDays: 30, artifactDays: 30, deletedRunsPurgeDays: 30 },
    },
};

/** Days noncurrent object versions are kept, per environment profile (components/environment/defaults.ts). */
const NONCURRENT_DAYS: Record<string, number> = { local: 1, dev: 3, staging: 7, prod: 30 };

describe.each(["dev", "prod"])("each tenant's effective retention in %s", (stack) => {
    it("on every mechanism", async () => {
        const cap = await stackCapture(stack);
        for (const [tenant, r] of Object.entries(EXPECTED[stack]!)) {
            const ns = `llm-${tenant}`;
            // ClickHouse: a TTL on every table Langfuse writes, set by the reconciler.
            const script = find(cap, "ConfigMap", ns, "langfuse-retention").data!["reconcile.sh"]!;
            expect(ttlsInScript(script)).toEqual(effectiveTtlDays(r.traceDays));
            expect(Object.keys(ttlsInScript(script)).sort()).toEqual(LANGFUSE_TTL_TABLES.map((t) => t.table).sort());
            // Object storage: events age with the traces, exports with artifacts; media and MLflow
            // artifacts get no lifecycle rule at all. Every bucket is versioned; overwritten or
            // deleted objects go after the environment's noncurrent-version days, except there.
            const rules = ofType(cap, "minio:index/ilmPolicy:IlmPolicy").map(
                (p) => p.inputs as { bucket: string; rules: Array<{ expiration: string; filter?: string }> },
            );
            const rule = (bucket: string) => rules.find((p) => p.bucket === bucket)?.rules;
            const noncurrent = {
                id: `expire-noncurrent-after-${NONCURRENT_DAYS[stack]}-days`,
                noncurrentVersionExpirationDays: NONCURRENT_DAYS[stack],
                status: "Enabled",
            };
            expect(rule(`llm-${stack}-${tenant}-lf-events`)).toEqual([
                { id: `expire-after-${r.traceDays}-days`, expiration: `${r.traceDays}d`, status: "Enabled", filter: "events/" },
                noncurrent,
            ]);
            expect(rule(`llm-${stack}-${tenant}-lf-exports`)).toEqual([
                { id: `expire-after-${r.artifactDays}-days`, expiration: `${r.artifactDays}d`, status: "Enabled", filter: "exports/" },
                noncurrent,
            ]);
            expect(rule(`llm-${stack}-${tenant}-lf-media`)).toBeUndefined();
            expect(rule(`llm-${stack}-${tenant}-mlflow`)).toBeUndefined();
            const agenta = ofKind(cap, "Deployment").some((d) => d.metadata.namespace === ns && d.metadata.name === "agenta-api");
            expect(rule(`llm-${stack}-${tenant}-agenta`)).toEqual(
                agenta
                    ? [{ id: `expire-after-${r.artifactDays}-days`, expiration: `${r.artifactDays}d`, status: "Enabled" }, noncurrent]
                    : undefined,
            );
            // MLflow: deleted runs purged after the tenant's days, through the server (artifacts are proxied).
            const hasMlflow = ofKind(cap, "Deployment").some((d) => d.metadata.namespace === ns && d.metadata.name === "mlflow");
            if (hasMlflow) {
                const gc = containersOf(find(cap, "CronJob", ns, "mlflow-gc"))["gc"];
                expect(gc.command).toEqual([
                    "sh",
                    "-c",
                    `exec mlflow gc --older-than ${r.deletedRunsPurgeDays}d --backend-store-uri "$MLFLOW_BACKEND_STORE_URI"`,
                ]);
                expect(gc.env).toEqual(
                    expect.arrayContaining([{ name: "MLFLOW_TRACKING_URI", value: `http://mlflow.${ns}.svc.cluster.local:5000` }]),
                );
            }
            // ClickHouse's own logs: capped, except query_log which Langfuse reads.
            const chConfig = find(cap, "ConfigMap", ns, "clickhouse-config").data!["llmops.xml"]!;
            expect(Object.keys(systemLogTtls(chConfig)).sort()).toEqual([...CAPPED_SYSTEM_LOGS].sort());
            expect(chConfig).not.toContain("<query_log>");
        }
    });

    it("re-runs the reconciler after every Langfuse migration and on every change of retention", async () => {
        const cap = await stackCapture(stack);
        const job = cap.resources.find((r) => r.name === "acme-langfuse-retention-job")!;
        const migration = cap.resources.find((r) => r.name === "acme-langfuse-migrate")!;
        expect(job.options.dependencies).toContain(migration.urn);
        const jobs = ofKind(cap, "Job").filter((j) => j.metadata.name!.startsWith("langfuse-retention-"));
        expect(jobs.find((j) => j.metadata.namespace === "llm-acme")!.metadata.annotations?.["pulumi.com/replaceUnready"]).toBe("true");
        // Different retention, different script, different Job name.
        const names = new Set(jobs.map((j) => j.metadata.name));
        expect(names.size).toBe(new Set(Object.values(EXPECTED[stack]!).map((r) => r.traceDays)).size);
        expect(find(cap, "CronJob", "llm-acme", "langfuse-retention").spec.schedule).toMatch(/^\d+ 2 \* \* \*$/);
    });
});

describe("the TTL reconciler script", () => {
    it("is valid POSIX shell and fails when a MergeTree table has no TTL", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ttl-"));
        const file = path.join(dir, "reconcile.sh");
        fs.writeFileSync(file, ttlScript(30));
        const check = spawnSync("sh", ["-n", file], { encoding: "utf8" });
        expect(check.stderr).toBe("");
        expect(check.status).toBe(0);
        // Run it against a stand-in clickhouse-client that has every table but reports one without a TTL.
        const bin = path.join(dir, "bin");
        fs.mkdirSync(bin);
        fs.writeFileSync(
            path.join(bin, "clickhouse-client"),
            '#!/bin/sh\nfor a in "$@"; do q="$a"; done\ncase "$q" in\n  "EXISTS TABLE "*) echo 1 ;;\n  ALTER*) echo "$q" >> "$LOG" ;;\n  SELECT*) echo "$MISSING" ;;\nesac\n',
            { mode: 0o755 },
        );
        const env = {
            ...process.env,
            PATH: `${bin}:${process.env["PATH"]}`,
            LOG: path.join(dir, "log"),
            CLICKHOUSE_HOST: "h",
            CLICKHOUSE_USER: "u",
            CLICKHOUSE_PASSWORD: "p",
            CLICKHOUSE_DB: "langfuse",
        };
        const ok = spawnSync("sh", [file], { env: { ...env, MISSING: "" }, encoding: "utf8" });
        expect(ok.status).toBe(0);
        expect(ok.stdout).toContain("retention: traces kept 30 days on 7 tables");
        expect(fs.readFileSync(path.join(dir, "log"), "utf8").trim().split("\n")).toHaveLength(LANGFUSE_TTL_TABLES.length);
        const bad = spawnSync("sh", [file], { env: { ...env, MISSING: "events_new" }, encoding: "utf8" });
        expect(bad.status).toBe(1);
        expect(bad.stderr).toContain("these MergeTree tables have no TTL: events_new");
        const cron = spawnSync("sh", [file], { env: { ...env, MISSING: "", MATERIALIZE: "0" }, encoding: "utf8" });
        expect(cron.status).toBe(0);
        expect(fs.readFileSync(path.join(dir, "log"), "utf8")).toContain("SETTINGS materialize_ttl_after_modify = 0");
    });
});

describe.each(STACKS)("shell scripts the platform runs in %s", (stack) => {
    it("are valid POSIX shell", async () => {
        const cap = await stackCapture(stack);
        const scripts: string[] = [];
        for (const w of [...ofKind(cap, "Deployment"), ...ofKind(cap, "StatefulSet"), ...ofKind(cap, "Job"), ...ofKind(cap, "CronJob")]) {
            for (const c of Object.values(containersOf(w))) {
                const cmd = [...(c.command ?? []), ...(c.args ?? [])];
                const i = cmd.findIndex((x: string) => x === "-c" || x === "-ec");
                if (cmd[0] === "sh" && i >= 0) scripts.push(cmd[i + 1]);
            }
        }
        expect(scripts.length).toBeGreaterThan(2);
        for (const s of scripts) {
            const r = spawnSync("sh", ["-n", "-c", s], { encoding: "utf8" });
            expect(r.status, `${s}\n${r.stderr}`).toBe(0);
        }
    });
});
