import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../support/capture";
import { type PostgresServer, postgresBinDirs, requireBinary, startPostgres } from "../support/servers";

const postgres = requireBinary("postgres", "postgresql", postgresBinDirs());

describe.skipIf(!postgres)("backup and restore of a tenant's databases, against Debian's PostgreSQL", () => {
    let pg: PostgresServer;
    let work: string;
    const roles = { acme_langfuse: "Lf0pw0000000000000000000000000000", acme_mlflow: "Ml0pw0000000000000000000000000000" };

    beforeAll(async () => {
        pg = await startPostgres(path.dirname(fs.realpathSync(postgres!)));
        work = fs.mkdtempSync(path.join(os.tmpdir(), "backup-"));
        fs.chmodSync(work, 0o777);
        // The tenant as the platform declares it: a login role owning its database, CONNECT revoked from PUBLIC.
        for (const [role, password] of Object.entries(roles)) {
            pg.sql(`CREATE ROLE ${role} LOGIN PASSWORD '${password}' NOSUPERUSER NOCREATEDB NOCREATEROLE`);
            pg.sql(`CREATE DATABASE ${role} OWNER ${role} TEMPLATE template0 ENCODING 'UTF8'`);
            pg.sql(`REVOKE CONNECT ON DATABASE ${role} FROM PUBLIC`);
        }
        pg.sql("CREATE TABLE traces (id int PRIMARY KEY, name text NOT NULL, at timestamptz DEFAULT now())", {
            database: "acme_langfuse",
            user: "acme_langfuse",
            password: roles.acme_langfuse,
        });
        pg.sql("INSERT INTO traces (id, name) SELECT g, 'trace ' || g FROM generate_series(1, 1500) g", {
            database: "acme_langfuse",
            user: "acme_langfuse",
            password: roles.acme_langfuse,
        });
        pg.sql("CREATE TABLE runs (id text PRIMARY KEY, metric real); INSERT INTO runs VALUES ('r1', 0.5), ('r2', 0.75)", {
            database: "acme_mlflow",
            user: "acme_mlflow",
            password: roles.acme_mlflow,
        });
    });
    afterAll(() => pg?.stop());

    const env = (extra: Record<string, string>) => ({ ...process.env, PATH: `${pg.binDir}:${process.env["PATH"]}`, ...extra });
    const url = (role: keyof typeof roles) => `postgresql://${role}:${roles[role]}@127.0.0.1:${pg.port}/${role}?sslmode=disable`;
    const backup = (dir: string) =>
        spawnSync("sh", [path.join(ROOT, "scripts", "pg-backup.sh")], {
            encoding: "utf8",
            env: env({
                DATABASE_URLS: `langfuse=${url("acme_langfuse")}\nmlflow=${url("acme_mlflow")}\n`,
                BACKUP_DIR: dir,
                TENANT: "acme",
                BACKUP_STAMP: "20261125T021500Z",
            }),
        });
    const restore = (dir: string, extra: Record<string, string> = {}) =>
        spawnSync("sh", [path.join(ROOT, "scripts", "pg-restore.sh")], {
            encoding: "utf8",
            env: env({ ...pg.adminEnv, BACKUP_DIR: dir, ...extra }),
        });

    it("backs up, survives dropping the databases, and restores every row with owner and grants", () => {
        const b = backup(work);
        expect(b.stderr).toBe("");
        expect(b.status).toBe(0);
        expect(b.stdout).toContain("backup 20261125T021500Z of tenant acme: 2 database(s)");
        const dir = path.join(work, "20261125T021500Z");
        const manifest = fs.readFileSync(path.join(dir, "MANIFEST"), "utf8");
        expect(manifest).toMatch(/^database acme_langfuse acme_langfuse acme_langfuse\.dump \d+ [0-9a-f]{64}$/m);

        pg.sql("DROP DATABASE acme_langfuse WITH (FORCE)");
        pg.sql("DROP DATABASE acme_mlflow WITH (FORCE)");
        expect(pg.sql("SELECT count(*) FROM pg_database WHERE datname LIKE 'acme_%'")).toBe("0");

        const r = restore(dir);
        expect(r.stderr).toBe("");
        expect(r.status).toBe(0);
        expect(r.stdout).toContain("restored 2 database(s)");
        expect(
            pg.sql("SELECT count(*), max(id), min(name) FROM traces", {
                database: "acme_langfuse",
                user: "acme_langfuse",
                password: roles.acme_langfuse,
            }),
        ).toBe("1500|1500|trace 1");
        expect(
            pg.sql("SELECT string_agg(id || '=' || metric, ',' ORDER BY id) FROM runs", {
                database: "acme_mlflow",
                user: "acme_mlflow",
                password: roles.acme_mlflow,
            }),
        ).toBe("r1=0.5,r2=0.75");
        // The app's role still owns its database and tables, and no other role may connect.
        expect(pg.sql("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'acme_langfuse'")).toBe("acme_langfuse");
        expect(pg.sql("SELECT tableowner FROM pg_tables WHERE tablename = 'traces'", { database: "acme_langfuse" })).toBe("acme_langfuse");
        expect(pg.sql("SELECT has_database_privilege('public', 'acme_langfuse', 'CONNECT')")).toBe("f");
        expect(() => pg.sql("SELECT 1", { database: "acme_langfuse", user: "acme_mlflow", password: roles.acme_mlflow })).toThrow(
            /permission denied for database/,
        );
    });

    it("refuses to overwrite an existing database unless told to, and restores a subset", () => {
        const dir = path.join(work, "20261125T021500Z");
        const refused = restore(dir);
        expect(refused.status).toBe(1);
        expect(refused.stderr).toContain("database acme_langfuse exists; set REPLACE=1 to drop it and restore the backup");
        pg.sql("DELETE FROM runs", { database: "acme_mlflow", user: "acme_mlflow", password: roles.acme_mlflow });
        const one = restore(dir, { REPLACE: "1", DATABASES: "acme_mlflow" });
        expect(one.status).toBe(0);
        expect(one.stdout).toContain("restored 1 database(s)");
        expect(pg.sql("SELECT count(*) FROM runs", { database: "acme_mlflow", user: "acme_mlflow", password: roles.acme_mlflow })).toBe(
            "2",
        );
    });

    it("refuses a corrupt or incomplete backup before touching anything", () => {
        const copy = fs.mkdtempSync(path.join(os.tmpdir(), "backup-bad-"));
        const dir = path.join(work, "20261125T021500Z");
        for (const f of fs.readdirSync(dir)) fs.copyFileSync(path.join(dir, f), path.join(copy, f));
        fs.appendFileSync(path.join(copy, "acme_mlflow.dump"), "tampered");
        const bad = restore(copy, { REPLACE: "1" });
        expect(bad.status).toBe(1);
        expect(bad.stderr).toContain("acme_mlflow.dump is corrupt");
        expect(pg.sql("SELECT count(*) FROM runs", { database: "acme_mlflow", user: "acme_mlflow", password: roles.acme_mlflow })).toBe(
            "2",
        );
        fs.rmSync(path.join(copy, "MANIFEST"));
        expect(restore(copy).stderr).toContain("not a complete backup");
    });
});
