import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { capture } from "../support/capture";
import { containerRun, rootedPath } from "../support/pod";
import { TOOLS_DIR } from "../support/tools";
import { type PostgresServer, postgresBinDirs, requireBinary, startPostgres } from "../support/servers";
import { TestPki } from "../support/pki";

/**
 * The connection string MLflow (and pg_dump) get in prod, against a real PostgreSQL with TLS:
 * libpq, as psql and as MLflow's own SQLAlchemy + psycopg2, verifies the server against the CA
 * the stack config gives (written where the container would see it), and refuses a server signed
 * by another CA. Without the CA file, as before, libpq refuses `verify-full` outright.
 */

const postgres = requireBinary("postgres", "postgresql", postgresBinDirs());
const openssl = requireBinary("openssl", "openssl");

/** A CA and, signed by it, a certificate for `localhost` / 127.0.0.1. */
function pki(dir: string, name: string): { ca: string; cert: string; key: string } {
    const p = new TestPki(dir, openssl)
        .ca(`${name} test CA`)
        .leaf("server", "/CN=localhost", "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
    return { ca: p.read("ca.crt"), cert: p.read("server.crt"), key: p.read("server.key") };
}

/** MLflow's Python (its venv has SQLAlchemy and psycopg2), when scripts/servers installed it. */
function mlflowPython(): string | undefined {
    const launcher = path.join(TOOLS_DIR, "servers", "bin", "mlflow");
    if (!fs.existsSync(launcher)) return undefined;
    const shebang = fs.readFileSync(launcher, "utf8").split("\n")[0]!;
    return shebang.startsWith("#!") ? shebang.slice(2).trim() : undefined;
}

describe.skipIf(!postgres || !openssl)("prod's libpq connection string against PostgreSQL with TLS", () => {
    let pg: PostgresServer;
    let work: string;
    let url: string;
    let caPath: string;
    let other: string;

    beforeAll(async () => {
        work = fs.mkdtempSync(path.join(os.tmpdir(), "pg-tls-"));
        const good = pki(path.join(work, "good"), "platform");
        other = pki(path.join(work, "other"), "other").ca;
        pg = await startPostgres(path.dirname(fs.realpathSync(postgres!)), { tls: { cert: good.cert, key: good.key } });
        // Prod as shipped, pointed at this server, with the CA given as PEM.
        const cap = await capture({
            stack: "prod",
            platformOverrides: {
                dataServices: {
                    postgres: { host: "localhost", port: pg.port, caCertificate: { pem: good.ca, configMap: null, key: null } },
                },
            },
        });
        const run = containerRun(cap, "Deployment", "llm-acme", "mlflow", "mlflow");
        const declared = new URL(run.env["MLFLOW_BACKEND_STORE_URI"]!);
        const inContainer = declared.searchParams.get("sslrootcert")!;
        expect(run.files[inContainer], "the CA is mounted where the URL says").toBe(good.ca);
        caPath = rootedPath(path.join(work, "root"), inContainer);
        fs.mkdirSync(path.dirname(caPath), { recursive: true });
        fs.writeFileSync(caPath, run.files[inContainer]!);
        declared.searchParams.set("sslrootcert", caPath);
        // SQLAlchemy's driver-qualified scheme; psycopg2 hands libpq the rest of the URL unchanged.
        expect(declared.protocol).toBe("postgresql+psycopg2:");
        url = declared.toString().replace(/^postgresql\+psycopg2:/, "postgresql:");
        const role = decodeURIComponent(declared.username);
        const db = declared.pathname.slice(1);
        pg.sql(`CREATE ROLE ${role} LOGIN PASSWORD '${decodeURIComponent(declared.password)}'`);
        pg.sql(`CREATE DATABASE ${db} OWNER ${role}`);
    }, 180_000);
    afterAll(() => pg?.stop());

    const psql = (connection: string, env: Record<string, string> = {}) =>
        spawnSync(path.join(pg.binDir, "psql"), ["-X", "-Atc", "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", connection], {
            encoding: "utf8",
            env: { PATH: process.env["PATH"]!, HOME: work, ...env },
        });

    it("psql (libpq) connects with verify-full and the mounted CA, over TLS", () => {
        expect(new URL(url).searchParams.get("sslmode")).toBe("verify-full");
        const r = psql(url);
        expect(r.stderr).toBe("");
        expect(r.stdout.trim()).toBe("t");
    });

    it("refuses a server the CA did not sign", () => {
        fs.writeFileSync(caPath, other);
        try {
            const r = psql(url);
            expect(r.status).not.toBe(0);
            expect(r.stderr).toMatch(/certificate verify failed/);
        } finally {
            fs.writeFileSync(caPath, fs.readFileSync(path.join(work, "good", "ca.crt"), "utf8"));
        }
    });

    it("without the CA file (the old output) libpq refuses verify-full", () => {
        const bare = new URL(url);
        bare.searchParams.delete("sslrootcert");
        const r = psql(bare.toString());
        expect(r.status).not.toBe(0);
        expect(r.stderr).toMatch(/root certificate file .* does not exist/);
    });

    it("MLflow's own client (SQLAlchemy + psycopg2, MLflow's pool settings) connects over verified TLS", () => {
        const python = mlflowPython();
        if (!python) {
            if (process.env["CI"] === "true") throw new Error("MLflow's venv is missing: run scripts/servers/install.sh");
            console.warn("skipping: MLflow's venv not installed (scripts/servers/install.sh)");
            return;
        }
        const code = [
            "import os, sqlalchemy",
            "e = sqlalchemy.create_engine(os.environ['URL'], pool_size=1, max_overflow=1)",
            "with e.connect() as c: print(c.execute(sqlalchemy.text('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()')).scalar())",
        ].join("\n");
        const r = spawnSync(python, ["-c", code], { encoding: "utf8", env: { PATH: process.env["PATH"]!, HOME: work, URL: url } });
        expect(r.stderr).toBe("");
        expect(r.stdout.trim()).toBe("True");
    });
});
