import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Capture } from "../../cli/mock-runtime";
import { ROOT, stackCapture } from "../support/capture";
import { type ContainerRun, containerRun, rootedPath, workloadsNamed } from "../support/pod";
import { containerEnv, containersOf, find, ofKind, ofType } from "../support/resources";
import { requireServerTool } from "../support/tools";
import { IMAGES } from "../../components/versions/images";
import { type Proc, type S3Server, podEnv, run, startProcess, startS3, toLoopback } from "./support-loopback";
import { LANGFUSE_TABLES_DDL, LANGFUSE_VERSION } from "./support-langfuse-tables";

/**
 * Tier 2: a tenant's ClickHouse jobs, run for real on ClickHouse's engine (chDB, in-process,
 * behind a loopback port). The retention reconciler (ConfigMap `langfuse-retention`) and the
 * ClickHouse backup (ConfigMap `tenant-backup`) are POSIX sh scripts calling clickhouse-client:
 * they run unchanged, from the mounted files, with the emitted command and environment; a
 * stand-in `clickhouse-client` on PATH hands each `--query` to chDB, so the SQL is exactly the
 * script's (shell expansion included). The stand-in records the host, port and credentials the
 * scripts pass, which must name the tenant's declared ClickHouse Service and its user.
 *
 * The tables are Langfuse's at its pinned version (test/servers/support-langfuse-tables.ts); the
 * expected TTLs come from the tenant files. Rewritten: only the S3 endpoint of the backup, to moto
 * on loopback. Not checked here: ClickHouse's users (chDB has no authentication).
 */
const RUN_STACKS = ["local", "dev"] as const;
const python = requireServerTool("servers-python");
const motoServer = requireServerTool("moto_server");
const CHDB = path.join(__dirname, "support-chdb.py");

/**
 * Langfuse's trace-data tables and the time column each ages by (its schema at 4.16), and by how
 * many days the TTL outlives the tenant's trace retention: the blob-storage file log must outlive
 * the S3 event files it points to, so the worker can still find them to delete.
 */
const TRACE_TABLES: Record<string, { column: string; extraDays: number }> = {
    traces: { column: "timestamp", extraDays: 0 },
    observations: { column: "start_time", extraDays: 0 },
    scores: { column: "timestamp", extraDays: 0 },
    events_full: { column: "start_time", extraDays: 0 },
    events_core: { column: "start_time", extraDays: 0 },
    dataset_run_items_rmt: { column: "created_at", extraDays: 0 },
    blob_storage_file_log: { column: "created_at", extraDays: 1 },
};
/** Tables with a TTL of their own that the reconciler must leave alone. */
const OWN_TTL = { observations_batch_staging: "toDateTime(s3_first_seen_timestamp) + toIntervalHour(48)" };

/** The trace retention a tenant file asks for. */
function tenantTraceDays(tenant: string): number | undefined {
    const file = path.join(ROOT, "tenants", `${tenant}.yaml`);
    return (parseYaml(fs.readFileSync(file, "utf8")) as { retention?: { traceDays?: number } }).retention?.traceDays;
}

interface Engine {
    query(sql: string, database?: string): Promise<string>;
    portFile: string;
    stop(): Promise<void>;
}

async function startEngine(dir: string): Promise<Engine> {
    const portFile = path.join(dir, "chdb.port");
    const proc: Proc = startProcess(python!, [CHDB, "serve", path.join(dir, "chdb-data"), portFile], podEnv({}, { HOME: dir }));
    const deadline = Date.now() + 60_000;
    while (!fs.existsSync(portFile)) {
        if (Date.now() > deadline || proc.child.exitCode !== null) throw new Error(`chDB did not start:\n${proc.log()}`);
        await new Promise((r) => setTimeout(r, 100));
    }
    const port = fs.readFileSync(portFile, "utf8").trim();
    return {
        portFile,
        query: async (sql, database = "default") => {
            const res = await fetch(`http://127.0.0.1:${port}/`, { method: "POST", body: JSON.stringify({ query: sql, database }) });
            const text = await res.text();
            if (!res.ok) throw new Error(`chDB refused ${sql.slice(0, 120)}: ${text}`);
            return text.trim();
        },
        stop: () => proc.stop(),
    };
}

/** Runs a container whose command is `sh <mounted script>`, from its mounted files, with clickhouse-client bound to chDB. */
async function runScript(c: ContainerRun, dir: string, engine: Engine, env: Record<string, string>) {
    for (const [p, content] of Object.entries(c.files)) {
        fs.mkdirSync(path.dirname(rootedPath(dir, p)), { recursive: true });
        fs.writeFileSync(rootedPath(dir, p), content);
    }
    expect(c.command[0]).toBe("sh");
    const script = c.command[1]!;
    expect(c.files[script], `${script} is mounted`).toBeDefined();
    const bin = path.join(dir, "bin");
    fs.mkdirSync(bin, { recursive: true });
    fs.writeFileSync(path.join(bin, "clickhouse-client"), `#!/bin/sh\nexec "${python}" "${CHDB}" client "$@"\n`, { mode: 0o755 });
    const calls = path.join(dir, "calls.jsonl");
    const e = podEnv({ ...c.env, ...env }, { CHDB_PORT_FILE: engine.portFile, CHDB_CALLS: calls });
    e["PATH"] = `${bin}:${e["PATH"]}`;
    fs.rmSync(calls, { force: true });
    const r = await run("sh", [rootedPath(dir, script), ...c.command.slice(2), ...c.args], e);
    const seen = fs.existsSync(calls)
        ? fs
              .readFileSync(calls, "utf8")
              .trim()
              .split("\n")
              .map((l) => JSON.parse(l) as Record<string, string>)
        : [];
    return { ...r, calls: seen };
}

function ttlOf(createQuery: string): string | undefined {
    return /\bTTL (.+?)(?: SETTINGS |$)/.exec(createQuery)?.[1]?.trim();
}

const targets: Array<[string, string]> = [];
for (const stack of RUN_STACKS) {
    for (const file of fs.readdirSync(path.join(ROOT, "tenants")).filter((f) => f.endsWith(".yaml"))) {
        const doc = parseYaml(fs.readFileSync(path.join(ROOT, "tenants", file), "utf8")) as {
            id: string;
            stacks: string[];
            retention?: { traceDays?: number };
        };
        if (doc.stacks.includes(stack) && doc.retention?.traceDays !== undefined) targets.push([stack, doc.id]);
    }
}

describe("chDB", () => {
    it.skipIf(!python)("runs ClickHouse's engine at the image's release line", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chdb-"));
        const engine = await startEngine(dir);
        try {
            const version = await engine.query("SELECT version()");
            console.info(
                `chDB engine ${version}; the ClickHouse image is ${IMAGES.clickhouse.tag}; Langfuse tables as of ${LANGFUSE_VERSION}`,
            );
            // The nearest engine that runs every statement here (scripts/servers/versions.env says
            // why not the image's 26.3): the same year's releases, not older than the image's.
            const [major, minor] = IMAGES.clickhouse.tag.split(".").map(Number);
            const [vMajor, vMinor] = version.split(".").map(Number);
            expect(vMajor, `engine ${version} vs image ${IMAGES.clickhouse.tag}`).toBe(major);
            expect(vMinor).toBeGreaterThanOrEqual(minor!);
        } finally {
            await engine.stop();
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

it("finds tenants whose files set a trace retention in the stacks run here", () => {
    expect(targets.length).toBeGreaterThan(0);
});

describe.skipIf(!python || !motoServer).each(targets)("ClickHouse jobs of %s/%s on chDB", (stack, tenant) => {
    const ns = `llm-${tenant}`;
    const traceDays = tenantTraceDays(tenant)!;
    let cap: Capture;
    let dir: string;
    let engine: Engine;
    let s3: S3Server;
    let database: string;
    let clickhouseHost: string;
    let nativePort: string;

    const snapshot = async () => {
        const rows = await engine.query(
            `SELECT name, create_table_query FROM system.tables WHERE database = '${database}' ORDER BY name FORMAT JSONEachRow`,
        );
        return Object.fromEntries(
            rows
                .split("\n")
                .filter(Boolean)
                .map((l) => JSON.parse(l) as { name: string; create_table_query: string })
                .map((r) => [r.name, r.create_table_query]),
        );
    };
    const counts = async () =>
        Object.fromEntries(
            await Promise.all(
                Object.keys(TRACE_TABLES).map(async (t) => [t, Number(await engine.query(`SELECT count() FROM ${t}`, database))]),
            ),
        );
    const retentionRun = (kind: "Job" | "CronJob") => {
        const [w] =
            kind === "Job" ? workloadsNamed(cap, "Job", ns, /^langfuse-retention-/) : [find(cap, "CronJob", ns, "langfuse-retention")];
        expect(w, `the ${kind} running the reconciler`).toBeDefined();
        return containerRun(cap, kind, ns, w!.metadata.name!, "reconcile");
    };
    const expectDeclaredServer = (calls: Array<Record<string, string>>, creds: Record<string, string>) => {
        expect(calls.length).toBeGreaterThan(0);
        for (const call of calls) {
            expect({ host: call["host"], port: call["port"], user: call["user"], password: call["password"] }).toEqual({
                host: clickhouseHost,
                port: nativePort,
                user: creds["CLICKHOUSE_USER"],
                password: creds["CLICKHOUSE_PASSWORD"],
            });
        }
    };

    beforeAll(async () => {
        cap = await stackCapture(stack);
        dir = fs.mkdtempSync(path.join(os.tmpdir(), `ch-${stack}-${tenant}-`));
        engine = await startEngine(dir);
        s3 = await startS3(motoServer!);
        // The tenant's ClickHouse: its Service (native port) and the database its server creates.
        const server = ofKind(cap, "StatefulSet").find(
            (s) => s.metadata.namespace === ns && s.spec.template.spec.containers.some((c: { name: string }) => c.name === "clickhouse"),
        );
        expect(server, `a ClickHouse StatefulSet in ${ns}`).toBeDefined();
        // Its environment only (its data volume comes from a claim template, which containerRun does not read).
        database = containerEnv(cap, ns, containersOf(server!)["clickhouse"])["CLICKHOUSE_DB"]!;
        expect(database).toBeTruthy();
        const service = find(cap, "Service", ns, server!.spec.serviceName ?? server!.metadata.name!);
        clickhouseHost = `${service.metadata.name}.${ns}.svc.cluster.local`;
        nativePort = String(service.spec.ports.find((p: { name: string }) => p.name === "native").port);
        await engine.query(`CREATE DATABASE \`${database}\``);
        for (const ddl of LANGFUSE_TABLES_DDL) await engine.query(ddl, database);
        // Rows younger and older than the retention, in every trace table.
        const day = 24 * 3600;
        for (const [ageDays, id] of [
            [1, "young"],
            [traceDays + 10, "old"],
        ] as const) {
            const ts = `now64(3) - ${ageDays * day}`;
            await engine.query(
                `INSERT INTO traces (id, project_id, timestamp, name, event_ts, is_deleted) SELECT '${id}', 'p', ${ts}, 't', now64(3), 0`,
                database,
            );
            await engine.query(
                `INSERT INTO observations (id, trace_id, project_id, type, start_time, name, event_ts, is_deleted) SELECT '${id}', '${id}', 'p', 'SPAN', ${ts}, 'o', now64(3), 0`,
                database,
            );
            await engine.query(
                `INSERT INTO scores (id, timestamp, project_id, trace_id, name, value, event_ts, is_deleted) SELECT '${id}', ${ts}, 'p', '${id}', 's', 1, now64(3), 0`,
                database,
            );
            // events_core is filled through the materialized view, as in Langfuse.
            await engine.query(
                `INSERT INTO events_full (project_id, trace_id, span_id, start_time, name, event_ts, is_deleted) SELECT 'p', '${id}', '${id}', now64(6) - ${ageDays * day}, 'e', now64(6), 0`,
                database,
            );
            await engine.query(
                `INSERT INTO dataset_run_items_rmt (id, project_id, dataset_run_id, dataset_item_id, dataset_id, trace_id, created_at, dataset_run_created_at, event_ts, is_deleted) SELECT '${id}', 'p', 'r', 'i', 'd', '${id}', ${ts}, ${ts}, now64(3), 0`,
                database,
            );
            await engine.query(
                `INSERT INTO blob_storage_file_log (id, project_id, entity_type, entity_id, event_id, bucket_name, bucket_path, created_at, event_ts, is_deleted) SELECT '${id}', 'p', 'trace', '${id}', '${id}', 'b', 'k', ${ts} - ${day + 3600}, now64(3), 0`,
                database,
            );
        }
        expect(Object.values(await counts()).every((n) => n === 2)).toBe(true);
    });

    afterAll(async () => {
        await engine?.stop();
        await s3?.stop();
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it(`the deploy-time reconciler sets the tenant file's ${traceDays} days on every trace table and drops older rows`, async () => {
        const c = retentionRun("Job");
        const r = await runScript(c, dir, engine, {});
        expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
        expectDeclaredServer(r.calls, c.env);
        const tables = await snapshot();
        for (const [table, t] of Object.entries(TRACE_TABLES)) {
            expect(ttlOf(tables[table]!), table).toBe(`toDateTime(${t.column}) + toIntervalDay(${traceDays + t.extraDays})`);
        }
        for (const [table, ttl] of Object.entries(OWN_TTL)) expect(ttlOf(tables[table]!), table).toBe(ttl);
        expect(ttlOf(tables["schema_migrations"]!)).toBeUndefined();
        // MATERIALIZE=1: rows past the retention go now (a mutation; wait for it).
        const deadline = Date.now() + 30_000;
        let n = await counts();
        while (Object.values(n).some((v) => v !== 1) && Date.now() < deadline) {
            await new Promise((res) => setTimeout(res, 500));
            n = await counts();
        }
        expect(n).toEqual(Object.fromEntries(Object.keys(TRACE_TABLES).map((t) => [t, 1])));
    });

    it("a second run, and the nightly CronJob, change nothing", async () => {
        const before = await snapshot();
        const rows = await counts();
        for (const kind of ["Job", "CronJob"] as const) {
            const c = retentionRun(kind);
            const r = await runScript(c, dir, engine, {});
            expect(r.status, `${kind}: ${r.stdout}\n${r.stderr}`).toBe(0);
            expect(await snapshot()).toEqual(before);
            expect(await counts()).toEqual(rows);
        }
    });

    it("fails when a MergeTree table has no TTL, naming it", async () => {
        await engine.query(
            "CREATE TABLE a_table_langfuse_adds_later (id String, created_at DateTime64(3)) ENGINE = ReplacingMergeTree ORDER BY id",
            database,
        );
        try {
            const r = await runScript(retentionRun("CronJob"), dir, engine, {});
            expect(r.status).not.toBe(0);
            expect(r.stderr).toContain("a_table_langfuse_adds_later");
        } finally {
            await engine.query("DROP TABLE a_table_langfuse_adds_later SYNC", database);
        }
    });

    it("backs the database up to the tenant's bucket and the documented restore brings it back", async () => {
        const cron = find(cap, "CronJob", ns, "clickhouse-backup");
        expect(cron).toBeDefined();
        const c = containerRun(cap, "CronJob", ns, "clickhouse-backup", "clickhouse");
        const bucket = c.env["BACKUP_BUCKET"]!;
        expect(ofType(cap, "minio:index/s3Bucket:S3Bucket").map((b) => (b.inputs as { bucket: string }).bucket)).toContain(bucket);
        await s3.createBucket(bucket, true);
        const before = await snapshot();
        const rows = await counts();
        const r = await runScript(c, dir, engine, { BACKUP_S3_ENDPOINT: toLoopback(c.env["BACKUP_S3_ENDPOINT"]!, s3.port) });
        expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
        expectDeclaredServer(r.calls, c.env);
        const prefix = `${c.env["BACKUP_PREFIX"]}/clickhouse/`;
        const keys = await s3.keys(bucket, prefix);
        expect(
            keys.some((k) => k.endsWith("/.backup")),
            keys.slice(0, 5).join(", "),
        ).toBe(true);
        const stamp = keys[0]!.slice(prefix.length).split("/")[0]!;

        // The restore as README documents it, with the tenant-backup Secret's keys.
        const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
        const documented = /`(DROP DATABASE [^`]*RESTORE DATABASE [^`]*)`/.exec(readme)?.[1];
        expect(documented, "README documents the ClickHouse restore").toBeDefined();
        const statements = documented!
            .replace("<endpoint>", s3.endpoint)
            .replace("<bucket>", bucket)
            .replace("<stamp>", stamp)
            .replace("<key>", c.env["BACKUP_S3_ACCESS_KEY"]!)
            .replace("<secret>", c.env["BACKUP_S3_SECRET_KEY"]!)
            .split(/;\s*/)
            .filter(Boolean);
        expect(statements).toHaveLength(2);
        for (const s of statements) await engine.query(s.replace(/\blangfuse\b/g, `\`${database}\``));
        expect(await snapshot()).toEqual(before);
        expect(await counts()).toEqual(rows);
    });
});
