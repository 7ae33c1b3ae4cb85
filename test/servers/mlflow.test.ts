import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Capture, CapturedResource } from "../../cli/mock-runtime";
import { reveal } from "../../cli/mock-runtime";
import { stackCapture } from "../support/capture";
import { containerRun, workloadsNamed } from "../support/pod";
import { find, ofKind, ofType } from "../support/resources";
import { type PostgresServer, postgresBinDirs, requireBinary, startPostgres, freePort } from "../support/servers";
import { requireServerTool } from "../support/tools";
import {
    type Proc,
    type S3Server,
    httpGet,
    podEnv,
    rootPaths,
    run,
    startClusterProxy,
    startProcess,
    startS3,
    toLoopback,
} from "./support-loopback";
import { createDatabaseSql, createRoleSql, grantSql } from "./support-postgres";

/**
 * Tier 2: one tenant's MLflow, run for real from what the plan declares. PostgreSQL 15 (Debian)
 * gets the tenant's role, database and grants exactly as the plan's postgresql resources declare
 * them; the `mlflow db upgrade` Job, the `mlflow server` Deployment and the `mlflow gc` CronJob
 * run their emitted commands, flags and environment with the pinned MLflow (PyPI, the image's
 * version), against moto's S3 server standing in for the object store.
 *
 * The only rewrites are addresses: the Postgres host and port in the backend store URI and the
 * S3 endpoint (both checked to be the declared platform Services) point at their loopback
 * stand-ins, and the server listens on a loopback port instead of 0.0.0.0:5000. In-cluster names
 * (the Service in MLFLOW_TRACKING_URI, the Ingress host) stay as declared and reach the server
 * through a forward proxy standing in for the cluster network, Host header untouched. Pod paths
 * (the /tmp emptyDir) map to a test directory. Added: MLFLOW_DISABLE_TELEMETRY=true.
 *
 * Stacks: local and dev (in-cluster Postgres without TLS, `http://` object store; dev adds the
 * Prometheus exporter and pod-IP hosts). Not staging and prod: their external Postgres URLs ask
 * for `sslmode=require` / `verify-full` and their object stores for https endpoints, which this
 * loopback setup does not serve.
 */
const RUN_STACKS = ["local", "dev"] as const;
const TENANT = "acme";
const NS = `llm-${TENANT}`;
/** Pod paths the containers write (their emptyDirs), mapped under the test's directory. */
const POD_PATHS = ["/tmp"];

const mlflowBin = requireServerTool("mlflow");
const python = requireServerTool("servers-python");
const motoServer = requireServerTool("moto_server");
const pgBin = postgresBinDirs()[0];
const havePostgres = requireBinary("postgres", "postgresql", postgresBinDirs()) !== undefined;
const ready = mlflowBin && python && motoServer && pgBin && havePostgres;
const CLIENT = path.join(__dirname, "support-mlflow-client.py");

function pgUrlParts(url: string): { user: string; password: string; host: string; port: number; database: string } {
    const u = new URL(url);
    return {
        user: decodeURIComponent(u.username),
        password: decodeURIComponent(u.password),
        host: u.hostname,
        port: Number(u.port || 5432),
        database: u.pathname.slice(1),
    };
}

function byInput(resources: CapturedResource[], key: string, value: string): CapturedResource | undefined {
    return resources.find((r) => (reveal(r.inputs) as Record<string, unknown>)[key] === value);
}

/** An option's value in an argv, and the argv with it replaced. */
function replaceOption(argv: string[], option: string, value: string): string[] {
    const i = argv.indexOf(option);
    if (i < 0 || i + 1 >= argv.length) throw new Error(`${argv.join(" ")} has no ${option} <value>`);
    return [...argv.slice(0, i + 1), value, ...argv.slice(i + 2)];
}

describe.skipIf(!ready).each(RUN_STACKS)(`MLflow of tenant ${TENANT} in %s, on real servers`, (stack) => {
    let cap: Capture;
    let pg: PostgresServer;
    let s3: S3Server;
    let server: Proc | undefined;
    let serverPort: number;
    let proxy: Awaited<ReturnType<typeof startClusterProxy>>;
    let outside: Awaited<ReturnType<typeof startClusterProxy>>;
    let dir: string;
    let backendUrl: string;
    let db: ReturnType<typeof pgUrlParts>;
    let publicHost: string;
    let logged: { experiment_id: string; run_id: string; artifact_uri: string; metrics: Record<string, number>; artifacts: string[] };
    let bucket: string;
    let artifactPrefix: string;
    /** Set once the server answers; later steps fail at once without it instead of waiting on retries. */
    let serving = false;
    const requireServing = () => {
        if (!serving) throw new Error("the MLflow server is not serving (see the failure of the server step)");
    };

    beforeAll(async () => {
        cap = await stackCapture(stack);
        dir = fs.mkdtempSync(path.join(os.tmpdir(), `mlflow-${stack}-`));
        pg = await startPostgres(pgBin!);
        s3 = await startS3(motoServer!);
        serverPort = await freePort();
        const ingress = find(cap, "Ingress", NS, "mlflow");
        publicHost = ingress.spec.rules[0].host;
        // The cluster network: the Service's names (port 5000) and the Ingress host lead to the server.
        const service = find(cap, "Service", NS, "mlflow");
        const servicePort = String(service.spec.ports[0].port);
        const routes: Record<string, number> = { [publicHost]: serverPort };
        for (const name of ["mlflow", `mlflow.${NS}`, `mlflow.${NS}.svc`, `mlflow.${NS}.svc.cluster.local`])
            routes[`${name}:${servicePort}`] = serverPort;
        // Outside the cluster only the Ingress host is reachable.
        outside = await startClusterProxy({ [publicHost]: serverPort });
        // Inside it, the object store too, at the address the server uses for it: MLflow 3.15's
        // clients download proxied artifacts from presigned URLs on that address.
        routes[new URL(s3.endpoint).host] = s3.port;
        proxy = await startClusterProxy(routes);
    });

    afterAll(async () => {
        await server?.stop();
        await proxy?.stop();
        await outside?.stop();
        await s3?.stop();
        pg?.stop();
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it("creates the tenant's role and database exactly as the plan declares them", () => {
        const roles = ofType(cap, "postgresql:index/role:Role");
        const databases = ofType(cap, "postgresql:index/database:Database");
        const grants = ofType(cap, "postgresql:index/grant:Grant");
        expect(roles.length).toBeGreaterThan(0);
        expect(databases.length).toBeGreaterThan(0);
        // The server's connection string names the role and the database.
        backendUrl = containerRun(cap, "Deployment", NS, "mlflow", "mlflow").env["MLFLOW_BACKEND_STORE_URI"]!;
        expect(backendUrl).toMatch(/^postgresql(\+\w+)?:\/\//);
        db = pgUrlParts(backendUrl);
        // The address rewritten to loopback is the platform's Postgres Service.
        const pgService = find(cap, "Service", undefined, "postgres");
        expect(`${db.host}:${db.port}`).toBe(
            `${pgService.metadata.name}.${pgService.metadata.namespace}.svc.cluster.local:${pgService.spec.ports[0].port}`,
        );
        const role = byInput(roles, "name", db.user);
        const database = byInput(databases, "name", db.database);
        const revoke = grants.filter((g) => (reveal(g.inputs) as Record<string, unknown>)["database"] === db.database);
        expect(role, `a Role named ${db.user}`).toBeDefined();
        expect(database, `a Database named ${db.database}`).toBeDefined();
        expect(revoke.length).toBeGreaterThan(0);
        // Every role of the stack (other tenants' and other apps'), so isolation is tested against them.
        for (const r of roles) pg.sql(createRoleSql(r));
        pg.sql(createDatabaseSql(database!));
        for (const g of revoke) for (const s of grantSql(g)) pg.sql(s);

        const declared = reveal(role!.inputs) as Record<string, any>;
        const [login, superuser, createdb, createrole, connlimit] = pg
            .sql(`SELECT rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, rolconnlimit FROM pg_roles WHERE rolname = '${db.user}'`)
            .split("|");
        expect({
            login: login === "t",
            superuser: superuser === "t",
            createdb: createdb === "t",
            createrole: createrole === "t",
            connlimit: Number(connlimit),
        }).toEqual({
            login: declared.login,
            superuser: declared.superuser,
            createdb: declared.createDatabase,
            createrole: declared.createRole,
            connlimit: declared.connectionLimit,
        });
        expect(pg.sql(`SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = '${db.database}'`)).toBe(
            (reveal(database!.inputs) as Record<string, unknown>)["owner"],
        );
        // CONNECT is revoked from PUBLIC: only the owner (and superusers) may connect.
        expect(pg.sql(`SELECT has_database_privilege('public', '${db.database}', 'CONNECT')`)).toBe("f");
        // The app's own password, from the Secret, logs in.
        expect(pg.sql("SELECT current_user", { database: db.database, user: db.user, password: db.password })).toBe(db.user);
    });

    it("another tenant's role cannot connect to this tenant's database", () => {
        const others = ofType(cap, "postgresql:index/role:Role")
            .map((r) => reveal(r.inputs) as { name: string; password: string })
            .filter((r) => r.name !== db.user);
        expect(others.length).toBeGreaterThan(0);
        const tenants = ofKind(cap, "Namespace").filter((n) => n.metadata.labels?.["llmops.io/workspace"] === "true").length;
        // With more than one tenant in the stack, the roles tried include another tenant's.
        if (tenants > 1) expect(others.some((r) => !r.name.startsWith(`${TENANT}_`))).toBe(true);
        for (const other of others) {
            expect(() => pg.sql("SELECT 1", { database: db.database, user: other.name, password: other.password }), other.name).toThrow(
                /permission denied for database/,
            );
            // The role itself is valid: it reaches its own server, just not this database.
            expect(pg.sql("SELECT current_user", { database: "postgres", user: other.name, password: other.password })).toBe(other.name);
        }
    });

    it("runs the emitted `mlflow db upgrade` Job as the tenant's role", async () => {
        const [job] = workloadsNamed(cap, "Job", NS, /^mlflow-db-upgrade-/);
        expect(job, "the db upgrade Job").toBeDefined();
        const c = containerRun(cap, "Job", NS, job!.metadata.name!, "db-upgrade");
        expect(c.command.length).toBeGreaterThan(0);
        const env = rootPaths(
            { ...c.env, MLFLOW_BACKEND_STORE_URI: toLoopback(c.env["MLFLOW_BACKEND_STORE_URI"]!, pg.port) },
            POD_PATHS,
            dir,
        );
        const r = await run(c.command[0]!, [...c.command.slice(1), ...c.args], podEnv(env, { MLFLOW_DISABLE_TELEMETRY: "true" }));
        expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
        // The schema exists and belongs to the tenant's role (the migration ran as it).
        expect(pg.sql("SELECT tableowner FROM pg_tables WHERE tablename = 'experiments'", { database: db.database })).toBe(db.user);
        expect(pg.sql("SELECT count(*) FROM alembic_version", { database: db.database })).toBe("1");
    }, 300_000);

    it("serves the emitted `mlflow server` command against Postgres and the S3 stand-in", async () => {
        const c = containerRun(cap, "Deployment", NS, "mlflow", "mlflow");
        const destination = new URL(c.env["MLFLOW_ARTIFACTS_DESTINATION"]!);
        expect(destination.protocol).toBe("s3:");
        bucket = destination.host;
        artifactPrefix = destination.pathname.replace(/^\//, "");
        // The bucket the plan declares, versioned as declared.
        const declared = ofType(cap, "minio:index/s3Bucket:S3Bucket").map((b) => (reveal(b.inputs) as { bucket: string }).bucket);
        expect(declared).toContain(bucket);
        const versioned = ofType(cap, "minio:index/s3BucketVersioning:S3BucketVersioning").some(
            (v) => (reveal(v.inputs) as { bucket: string }).bucket === bucket,
        );
        await s3.createBucket(bucket, versioned);

        // The address rewritten to loopback is the platform's object-store Service.
        const objectStore = find(cap, "Service", undefined, "minio");
        expect(new URL(c.env["MLFLOW_S3_ENDPOINT_URL"]!).host).toBe(
            `${objectStore.metadata.name}.${objectStore.metadata.namespace}.svc.cluster.local:${objectStore.spec.ports.find((p: { name: string }) => p.name === "s3")!.port}`,
        );
        const argv = replaceOption(replaceOption([...c.command, ...c.args], "--host", "127.0.0.1"), "--port", String(serverPort));
        const env = rootPaths(
            {
                ...c.env,
                MLFLOW_BACKEND_STORE_URI: toLoopback(c.env["MLFLOW_BACKEND_STORE_URI"]!, pg.port),
                MLFLOW_S3_ENDPOINT_URL: s3.endpoint,
            },
            POD_PATHS,
            dir,
        );
        const proc = startProcess(argv[0]!, argv.slice(1), podEnv(env, { MLFLOW_DISABLE_TELEMETRY: "true" }));
        server = proc;
        // Up when /health answers (the probes' path); a server that exits fails at once.
        const deadline = Date.now() + 100_000;
        let health = { status: 0, body: "" };
        while (health.status !== 200 && Date.now() < deadline && proc.child.exitCode === null) {
            await new Promise((r) => setTimeout(r, 500));
            health = await httpGet(serverPort, "/health", publicHost).catch(() => ({ status: 0, body: "" }));
        }
        expect(health.status, proc.log()).toBe(200);
        serving = true;
    }, 300_000);

    it("logs a run with a metric and an artifact through the artifact proxy into the bucket, and reads them back", async () => {
        requireServing();
        const text = `written through mlflow-artifacts in ${stack}`;
        // A user's client outside the cluster, at the public URL (plain http behind the Ingress, which terminates TLS).
        const client = (via: string, extra: Record<string, string> = {}) =>
            podEnv(
                {},
                { MLFLOW_TRACKING_URI: `http://${publicHost}`, HTTP_PROXY: via, HOME: dir, MLFLOW_DISABLE_TELEMETRY: "true", ...extra },
            );
        const r = await run(python!, [CLIENT, "log", text], client(outside.url), 90_000);
        expect(r.status, `${r.stderr}\nproxy saw: ${outside.seen.join(", ")}\n${server?.log()}`).toBe(0);
        logged = JSON.parse(r.stdout.trim().split("\n").pop()!);
        expect(logged.artifact_uri).toMatch(/^mlflow-artifacts:/);
        expect(logged.metrics).toEqual({ accuracy: 0.93 });
        expect(logged.artifacts).toEqual(["notes.txt"]);
        const keys = await s3.keys(bucket, `${artifactPrefix}/`);
        expect(keys).toContain(`${artifactPrefix}/${logged.experiment_id}/${logged.run_id}/artifacts/notes.txt`);
        // Read back inside the cluster with the client's defaults (a presigned URL on the object store's address)...
        const inside = await run(python!, [CLIENT, "read", logged.run_id], client(proxy.url), 90_000);
        expect(inside.status, `${inside.stderr}\nproxy saw: ${proxy.seen.join(", ")}`).toBe(0);
        expect(JSON.parse(inside.stdout.trim().split("\n").pop()!).read_back).toBe(text);
        // ...and outside it, streamed through the server, which is what an outside client must ask for.
        const streamed = await run(
            python!,
            [CLIENT, "read", logged.run_id],
            client(outside.url, { MLFLOW_ENABLE_PROXY_MULTIPART_DOWNLOAD: "false" }),
            90_000,
        );
        expect(streamed.status, `${streamed.stderr}\nproxy saw: ${outside.seen.join(", ")}`).toBe(0);
        expect(JSON.parse(streamed.stdout.trim().split("\n").pop()!).read_back).toBe(text);
    }, 300_000);

    it("admits the public host and refuses an unknown Host header (--allowed-hosts)", async () => {
        requireServing();
        const api = "/api/2.0/mlflow/experiments/search?max_results=1";
        expect((await httpGet(serverPort, api, publicHost)).status).toBe(200);
        expect((await httpGet(serverPort, api, `mlflow.${NS}.svc.cluster.local:5000`)).status).toBe(200);
        expect((await httpGet(serverPort, api, "attacker.example.com")).status).toBe(403);
        expect((await httpGet(serverPort, api, `${publicHost}.attacker.example.com`)).status).toBe(403);
        // With Prometheus on, the scraper's Host is the pod IP.
        const c = containerRun(cap, "Deployment", NS, "mlflow", "mlflow");
        if (c.env["MLFLOW_EXPOSE_PROMETHEUS"]) {
            const metrics = await httpGet(serverPort, "/metrics", "10.42.0.17:5000");
            expect(metrics.status).toBe(200);
            expect(metrics.body).toContain("# TYPE");
        }
    });

    it("the emitted gc CronJob purges a run deleted long enough ago, with its artifacts, and keeps a recent one", async () => {
        requireServing();
        const gc = containerRun(cap, "CronJob", NS, "mlflow-gc", "gc");
        const olderThan = /--older-than (\d+)d\b/.exec(gc.command.join(" "));
        expect(olderThan, gc.command.join(" ")).not.toBeNull();
        const days = Number(olderThan![1]);
        const client = podEnv(
            {},
            { MLFLOW_TRACKING_URI: `http://${publicHost}`, HTTP_PROXY: proxy.url, HOME: dir, MLFLOW_DISABLE_TELEMETRY: "true" },
        );
        // A second run, deleted just now: younger than --older-than, it must survive.
        const fresh = await run(python!, [CLIENT, "log", "recently deleted"], client);
        expect(fresh.status, fresh.stderr).toBe(0);
        const recent = JSON.parse(fresh.stdout.trim().split("\n").pop()!) as typeof logged;
        for (const id of [logged.run_id, recent.run_id]) {
            const d = await run(python!, [CLIENT, "delete", id], client);
            expect(d.status, d.stderr).toBe(0);
        }
        // The first run was deleted a day more than --older-than ago (set in the store; the argument stays as emitted).
        const longAgo = Date.now() - (days + 1) * 24 * 3600 * 1000;
        pg.sql(`UPDATE runs SET deleted_time = ${longAgo} WHERE run_uuid = '${logged.run_id}'`, { database: db.database });

        const env = rootPaths(
            { ...gc.env, MLFLOW_BACKEND_STORE_URI: toLoopback(gc.env["MLFLOW_BACKEND_STORE_URI"]!, pg.port) },
            POD_PATHS,
            dir,
        );
        // MLFLOW_TRACKING_URI stays the Service's name: the proxy is the cluster network.
        const r = await run(
            gc.command[0]!,
            [...gc.command.slice(1), ...gc.args],
            podEnv(env, { HTTP_PROXY: proxy.url, MLFLOW_DISABLE_TELEMETRY: "true" }),
        );
        expect(r.status, `${r.stdout}\n${r.stderr}\n${server?.log()}`).toBe(0);
        expect(pg.sql(`SELECT count(*) FROM runs WHERE run_uuid = '${logged.run_id}'`, { database: db.database })).toBe("0");
        expect(pg.sql(`SELECT lifecycle_stage FROM runs WHERE run_uuid = '${recent.run_id}'`, { database: db.database })).toBe("deleted");
        const keys = await s3.keys(bucket, `${artifactPrefix}/`);
        expect(keys.filter((k) => k.includes(`/${logged.run_id}/`))).toEqual([]);
        expect(keys.filter((k) => k.includes(`/${recent.run_id}/`)).length).toBeGreaterThan(0);
        // gc reached the server by its Service name, through the cluster network.
        expect(proxy.seen.some((s) => s.startsWith(`DELETE ${new URL(gc.env["MLFLOW_TRACKING_URI"]!).host}/`))).toBe(true);
    }, 300_000);
});
