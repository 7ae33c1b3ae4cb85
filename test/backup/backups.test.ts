import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { reveal } from "../../cli/mock-runtime";
import { CLICKHOUSE_BACKUP_SCRIPT, UPLOAD_SCRIPT } from "../../components/backup/scripts";
import { bucketsInPolicy } from "../../components/data/urls";
import { ROOT, stackCapture, STACKS } from "../support/capture";
import { containersOf, find, ofKind, ofType, tenantNamespaces } from "../support/resources";
import { platformConfigOf } from "../support/stacks";

const TENANT_DATABASES: Record<string, string[]> = {
    acme: ["acme_langfuse", "acme_mlflow", "acme_agenta_core", "acme_agenta_tracing", "acme_agenta_supertokens"],
    globex: ["globex_langfuse", "globex_mlflow"],
    initech: ["initech_langfuse", "initech_agenta_core", "initech_agenta_tracing", "initech_agenta_supertokens"],
};

describe.each(STACKS)("tenant backups in %s", (stack) => {
    const inCluster = platformConfigOf(stack).dataServices.postgres.mode === "in-cluster";

    it("give every tenant a versioned backup bucket that only its backup user can reach", async () => {
        const cap = await stackCapture(stack);
        const namespaces = tenantNamespaces(cap);
        expect(namespaces.length).toBeGreaterThan(0);
        const buckets = ofType(cap, "minio:index/s3Bucket:S3Bucket").map((b) => (b.inputs as { bucket: string }).bucket);
        const versioned = ofType(cap, "minio:index/s3BucketVersioning:S3BucketVersioning").map(
            (v) => v.inputs as { bucket: string; versioningConfiguration: { status: string } },
        );
        // Every bucket of every tenant, data and backups alike, keeps overwritten and deleted objects.
        expect(versioned.map((v) => v.bucket).sort()).toEqual([...buckets].sort());
        for (const v of versioned) expect(v.versioningConfiguration.status).toBe("Enabled");
        for (const ns of namespaces) {
            const tenant = ns.replace(/^llm-/, "");
            const bucket = `llm-${stack}-${tenant}-backups`;
            expect(buckets).toContain(bucket);
            const policy = ofType(cap, "minio:index/iamPolicy:IamPolicy").find(
                (p) => (p.inputs as { name: string }).name === `${tenant}-backup-buckets`,
            )!;
            expect(bucketsInPolicy((policy.inputs as { policy: string }).policy)).toEqual([bucket]);
            const ilm = ofType(cap, "minio:index/ilmPolicy:IlmPolicy").find((p) => (p.inputs as { bucket: string }).bucket === bucket)!
                .inputs as { rules: Array<Record<string, unknown>> };
            expect(ilm.rules[0]).toMatchObject({
                expiration: `${{ local: 3, dev: 7, staging: 14, prod: 35 }[stack]}d`,
                filter: "scheduled/",
            });
            expect(ilm.rules).toHaveLength(2);
        }
    });

    it(
        inCluster
            ? "dump every tenant database nightly with the apps' own logins, and upload the dumps"
            : "leave Postgres to the provider's point-in-time recovery",
        async () => {
            const cap = await stackCapture(stack);
            for (const ns of tenantNamespaces(cap)) {
                const tenant = ns.replace(/^llm-/, "");
                const cron = ofKind(cap, "CronJob").find((c) => c.metadata.namespace === ns && c.metadata.name === "postgres-backup");
                if (!inCluster) {
                    expect(cron).toBeUndefined();
                    continue;
                }
                expect(cron!.spec.schedule).toMatch(/^\d+ 1 \* \* \*$/);
                expect(cron!.spec.suspend).toBe(false);
                const pod = cron!.spec.jobTemplate.spec.template.spec;
                expect(pod.initContainers.map((c: { name: string; image: string }) => [c.name, c.image.split(":")[0]])).toEqual([
                    ["dump", "docker.io/library/postgres"],
                ]);
                expect(pod.containers.map((c: { name: string; image: string }) => [c.name, c.image.split(":")[0]])).toEqual([
                    ["upload", "quay.io/minio/minio"],
                ]);
                // The ConfigMap carries the very script the restore drill tests against PostgreSQL.
                expect(find(cap, "ConfigMap", ns, "tenant-backup").data!["pg-backup.sh"]).toBe(
                    fs.readFileSync(path.join(ROOT, "scripts", "pg-backup.sh"), "utf8"),
                );
                const secret = reveal(find(cap, "Secret", ns, "tenant-backup").stringData) as Record<string, string>;
                const urls = secret["DATABASE_URLS"]!.trim()
                    .split("\n")
                    .map((l) => new URL(l.slice(l.indexOf("=") + 1)));
                expect(urls.map((u) => u.pathname.slice(1)).sort()).toEqual([...TENANT_DATABASES[tenant]!].sort());
                // Each database is dumped by its own app's role, never an admin.
                for (const u of urls) expect(u.username).toBe(`${tenant}_${u.pathname.slice(1).replace(`${tenant}_`, "").split("_")[0]}`);
                expect(secret["MC_HOST_backup"]).toMatch(
                    new RegExp(`^http://${tenant}-backup:[A-Za-z0-9]{40}@minio\\.llm-platform\\.svc\\.cluster\\.local:9000$`),
                );
            }
        },
    );

    it("back up every tenant ClickHouse nightly with BACKUP … TO S3", async () => {
        const cap = await stackCapture(stack);
        for (const ns of tenantNamespaces(cap)) {
            const cron = find(cap, "CronJob", ns, "clickhouse-backup");
            const c = containersOf(cron)["clickhouse"];
            expect(c.command).toEqual(["sh", "/scripts/clickhouse-backup.sh"]);
            expect(c.envFrom).toEqual([{ secretRef: { name: "clickhouse-credentials" } }]);
            expect(c.env).toEqual(
                expect.arrayContaining([
                    { name: "BACKUP_PREFIX", value: "scheduled" },
                    { name: "CLICKHOUSE_HOST", value: `clickhouse.${ns}.svc.cluster.local` },
                ]),
            );
            const keyRef = c.env.find((e: { name: string }) => e.name === "BACKUP_S3_SECRET_KEY");
            expect(keyRef.valueFrom).toEqual({ secretKeyRef: { name: "tenant-backup", key: "BACKUP_S3_SECRET_KEY" } });
        }
    });
});

/** A directory of stand-in commands that record their arguments. */
function standIns(commands: Record<string, string>): { bin: string; log: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "standin-"));
    const bin = path.join(dir, "bin");
    fs.mkdirSync(bin);
    const log = path.join(dir, "calls.log");
    for (const [name, body] of Object.entries(commands)) {
        fs.writeFileSync(path.join(bin, name), `#!/bin/sh\necho "${name} $*" >> "${log}"\n${body}\n`, { mode: 0o755 });
    }
    return { bin, log };
}

describe("the backup upload script", () => {
    const run = (backupDir: string, bin: string) =>
        spawnSync("sh", ["-c", UPLOAD_SCRIPT.replace(/\/backup\//g, `${backupDir}/`)], {
            encoding: "utf8",
            env: {
                PATH: `${bin}:${process.env["PATH"]}`,
                BACKUP_BUCKET: "llm-dev-acme-backups",
                BACKUP_PREFIX: "scheduled",
                MC_HOST_backup: "http://k:s@minio:9000",
            },
        });

    it("uploads every dump, then the MANIFEST last", () => {
        const { bin, log } = standIns({ mc: "exit 0" });
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dumps-"));
        fs.mkdirSync(path.join(dir, "20261125T010000Z"));
        for (const f of ["acme_langfuse.dump", "acme_mlflow.dump", "MANIFEST"])
            fs.writeFileSync(path.join(dir, "20261125T010000Z", f), "x");
        const r = run(dir, bin);
        expect(r.stderr).toBe("");
        expect(r.status).toBe(0);
        const calls = fs.readFileSync(log, "utf8").trim().split("\n");
        expect(calls).toHaveLength(3);
        expect(calls[2]).toBe(
            `mc cp --quiet ${dir}/20261125T010000Z/MANIFEST backup/llm-dev-acme-backups/scheduled/postgres/20261125T010000Z/MANIFEST`,
        );
        expect(
            calls
                .slice(0, 2)
                .every((c) => /\.dump backup\/llm-dev-acme-backups\/scheduled\/postgres\/20261125T010000Z\/acme_\w+\.dump$/.test(c)),
        ).toBe(true);
    });

    it("refuses to upload a dump without its MANIFEST", () => {
        const { bin, log } = standIns({ mc: "exit 0" });
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dumps-"));
        fs.mkdirSync(path.join(dir, "20261125T010000Z"));
        fs.writeFileSync(path.join(dir, "20261125T010000Z", "acme_langfuse.dump"), "x");
        const r = run(dir, bin);
        expect(r.status).toBe(1);
        expect(r.stderr).toContain("has no MANIFEST: the dump did not finish");
        expect(fs.existsSync(log)).toBe(false);
    });
});

describe("the ClickHouse backup script", () => {
    const env = {
        CLICKHOUSE_HOST: "clickhouse.llm-acme.svc.cluster.local",
        CLICKHOUSE_USER: "langfuse",
        CLICKHOUSE_PASSWORD: "pw",
        CLICKHOUSE_DB: "langfuse",
        BACKUP_S3_ENDPOINT: "http://minio.llm-platform.svc.cluster.local:9000",
        BACKUP_BUCKET: "llm-dev-acme-backups",
        BACKUP_PREFIX: "scheduled",
        BACKUP_S3_ACCESS_KEY: "acme-backup",
        BACKUP_S3_SECRET_KEY: "s3cret",
        BACKUP_STAMP: "20261125T013000Z",
    };
    const run = (reply: string) => {
        const { bin, log } = standIns({ "clickhouse-client": `printf '%s\\n' '${reply}'` });
        const r = spawnSync("sh", ["-c", CLICKHOUSE_BACKUP_SCRIPT], {
            encoding: "utf8",
            env: { PATH: `${bin}:${process.env["PATH"]}`, ...env },
        });
        return { ...r, calls: fs.readFileSync(log, "utf8") };
    };

    it("asks the server to write a new backup directory in the bucket", () => {
        const r = run("d0e1f2\tBACKUP_CREATED");
        expect(r.stderr).toBe("");
        expect(r.status).toBe(0);
        expect(r.calls).toContain(
            "--query BACKUP DATABASE `langfuse` TO S3('http://minio.llm-platform.svc.cluster.local:9000/llm-dev-acme-backups/scheduled/clickhouse/20261125T013000Z/', 'acme-backup', 's3cret')",
        );
        expect(r.stdout).toContain(
            "clickhouse backup 20261125T013000Z of langfuse: llm-dev-acme-backups/scheduled/clickhouse/20261125T013000Z/",
        );
    });

    it("fails unless the server reports the backup created", () => {
        const r = run("d0e1f2\tBACKUP_FAILED");
        expect(r.status).toBe(1);
        expect(r.stderr).toContain("clickhouse backup failed: d0e1f2\tBACKUP_FAILED");
    });
});
