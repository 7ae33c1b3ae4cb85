import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { readStackConfig } from "../../cli/mock-runtime";
import { resolveEnvironment } from "../../components/environment/resolve";
import { ValidationError } from "../../components/validation/problems";
import { capture, stackCapture } from "../support/capture";
import { containerRun } from "../support/pod";
import { containersOf, ofKind, tenantNamespaces } from "../support/resources";
import { APP_NAMES } from "../../components/apps/registry";

/**
 * Every Postgres client verifies the server against the CA the stack config gives, in its own
 * spelling (upstream facts at the pinned versions):
 * - libpq (MLflow's psycopg2, pg_dump): `sslmode=<mode>` and `sslrootcert=<file>` in the URL.
 * - asyncpg 0.31 (Agenta): `ssl=<mode>` in the URL, the CA from `PGSSLROOTCERT`.
 * - pgjdbc 42.7 (SuperTokens, the URI's query becomes JDBC attributes): `sslmode`, `sslrootcert`.
 * - Prisma 6 (Langfuse): `sslmode` knows only disable/prefer/require; the CA is `sslcert`, and
 *   only `sslaccept=strict` verifies.
 */

const PEM = "-----BEGIN CERTIFICATE-----\nMIIBtest+ca+for+the+platform\n-----END CERTIFICATE-----\n";

type Found = { client: string; where: string; caFile: string; files: Record<string, string> };

/** Every database client container in the tenant namespaces, with the CA file its settings name. */
function databaseClients(cap: Awaited<ReturnType<typeof stackCapture>>, mode: string): Found[] {
    const verifying = mode.startsWith("verify-");
    const found: Found[] = [];
    for (const ns of tenantNamespaces(cap)) {
        for (const kind of ["Deployment", "Job", "CronJob"]) {
            for (const w of ofKind(cap, kind).filter((o) => o.metadata.namespace === ns)) {
                for (const name of Object.keys(containersOf(w))) {
                    const run = containerRun(cap, kind, ns, w.metadata.name!, name);
                    const where = `${kind} ${ns}/${w.metadata.name}/${name}`;
                    const e = run.env;
                    const q = (url: string) => new URL(url.replace(/^postgresql\+asyncpg:/, "postgresql:")).searchParams;
                    if (e["DATABASE_URL"]) {
                        const p = q(e["DATABASE_URL"]);
                        expect(p.get("sslmode"), where).toBe("require");
                        // Prisma accepts any certificate unless told `strict`.
                        expect(p.get("sslaccept"), where).toBe(verifying ? "strict" : null);
                        found.push({ client: "prisma", where, caFile: p.get("sslcert")!, files: run.files });
                    }
                    if (e["MLFLOW_BACKEND_STORE_URI"]) {
                        const p = q(e["MLFLOW_BACKEND_STORE_URI"]);
                        expect(p.get("sslmode"), where).toBe(mode);
                        found.push({ client: "libpq", where, caFile: p.get("sslrootcert")!, files: run.files });
                    }
                    if (e["POSTGRES_URI_CORE"]) {
                        for (const key of ["POSTGRES_URI_CORE", "POSTGRES_URI_TRACING"])
                            expect(q(e[key]!).get("ssl"), `${where} ${key}`).toBe(mode);
                        found.push({ client: "asyncpg", where, caFile: e["PGSSLROOTCERT"]!, files: run.files });
                    }
                    if (e["POSTGRESQL_CONNECTION_URI"]) {
                        const p = q(e["POSTGRESQL_CONNECTION_URI"]);
                        expect(p.get("sslmode"), where).toBe(mode);
                        found.push({ client: "jdbc", where, caFile: p.get("sslrootcert")!, files: run.files });
                    }
                    for (const line of (e["DATABASE_URLS"] ?? "").split("\n").filter(Boolean)) {
                        const p = q(line.slice(line.indexOf("=") + 1));
                        expect(p.get("sslmode"), where).toBe(mode);
                        found.push({ client: "pg_dump", where, caFile: p.get("sslrootcert")!, files: run.files });
                    }
                }
            }
        }
    }
    return found;
}

describe("Postgres TLS of every client", () => {
    it("prod with the CA as PEM: every client verifies against a mounted file holding exactly that PEM", async () => {
        const cap = await capture({
            stack: "prod",
            platformOverrides: { dataServices: { postgres: { caCertificate: { pem: PEM, configMap: null, key: null } } } },
        });
        const found = databaseClients(cap, "verify-full");
        // Agenta's api, workers and migration, SuperTokens, MLflow and its jobs, Langfuse and its migration
        // (pg_dump only runs for an offboarding export against an external Postgres; prod has none).
        expect(new Set(found.filter((f) => f.client !== "pg_dump").map((f) => f.client))).toEqual(
            new Set(["prisma", "libpq", "asyncpg", "jdbc"]),
        );
        for (const f of found) {
            expect(f.caFile, `${f.where} (${f.client}) names a CA file`).toMatch(/^\//);
            expect(f.files[f.caFile], `${f.where} (${f.client}) has ${f.caFile} mounted`).toBe(PEM);
        }
    });

    it("prod as shipped: the CA comes from the ConfigMap the stack config names, mounted where each client reads it", async () => {
        const given = (readStackConfig("prod")["llmops-platform:platform"] as any).dataServices.postgres.caCertificate as {
            configMap: string;
            key: string;
        };
        expect(given.configMap).toBeTruthy();
        const cap = await stackCapture("prod");
        let checked = 0;
        for (const ns of tenantNamespaces(cap)) {
            for (const kind of ["Deployment", "Job", "CronJob"]) {
                for (const w of ofKind(cap, kind).filter((o) => o.metadata.namespace === ns)) {
                    const spec = kind === "CronJob" ? w.spec.jobTemplate.spec.template.spec : w.spec.template.spec;
                    for (const c of Object.values(containersOf(w))) {
                        const env: Record<string, string> = Object.fromEntries(
                            (c.env ?? []).filter((e: any) => e.value !== undefined).map((e: any) => [e.name, e.value]),
                        );
                        const caPath = env["PGSSLROOTCERT"];
                        if (!caPath) continue;
                        const mount = (c.volumeMounts ?? []).find((m: any) => caPath.startsWith(`${m.mountPath}/`));
                        expect(mount, `${ns}/${w.metadata.name}/${c.name} mounts ${caPath}`).toBeDefined();
                        const volume = spec.volumes.find((v: any) => v.name === mount.name);
                        expect(volume.configMap.name).toBe(given.configMap);
                        expect(volume.configMap.items).toEqual([{ key: given.key, path: path.basename(caPath) }]);
                        checked++;
                    }
                }
            }
        }
        expect(checked).toBeGreaterThan(0);
    });

    it("staging (sslMode require) encrypts without verification, in each client's spelling", async () => {
        const cap = await stackCapture("staging");
        const found = databaseClients(cap, "require");
        expect(new Set(found.map((f) => f.client))).toEqual(new Set(["prisma", "libpq", "asyncpg", "jdbc"]));
        // Nothing to verify against: no client names a CA file.
        for (const f of found) expect(f.caFile ?? null, f.where).toBeNull();
    });

    it("refuses prod's verify-full without a CA, naming the file, the field and the fix", () => {
        const raw = structuredClone(readStackConfig("prod")["llmops-platform:platform"]) as any;
        expect(raw.dataServices.postgres.sslMode).toBe("verify-full");
        delete raw.dataServices.postgres.caCertificate;
        const ctx = {
            stack: "prod",
            project: "llmops-platform",
            source: "stacks/Pulumi.prod.yaml",
            apps: APP_NAMES,
            secrets: { has: () => true, get: () => pulumi.output("x") },
        };
        let error = "";
        try {
            resolveEnvironment(raw, ctx);
        } catch (e) {
            error = (e as Error).message;
        }
        expect(error).toMatch(
            /stacks\/Pulumi\.prod\.yaml: llmops-platform:platform\.dataServices\.postgres\.caCertificate: is required with `sslMode: verify-full`/,
        );
        expect(error).toMatch(/Fix: add `caCertificate:/);
    });

    it.each(["verify-ca", "verify-full"])("refuses %s without a CA, and a CA with require", (mode) => {
        const base = {
            environment: "staging",
            baseDomain: "example.com",
            ingress: { className: "nginx", controllerNamespace: "ingress-nginx", tlsIssuer: { name: "le" } },
            sso: { enabled: true, logto: { endpoint: "https://auth.example.com", m2mAppId: "m", m2mAppSecretKey: "s" } },
        };
        const pg = (extra: Record<string, unknown>) => ({
            ...base,
            dataServices: {
                postgres: { mode: "external", host: "pg.example.com", adminPasswordKey: "pw", ...extra },
                objectStore: { mode: "in-cluster" },
                redis: { mode: "in-cluster" },
            },
        });
        const ctx = {
            stack: "staging",
            project: "llmops-platform",
            source: "stacks/Pulumi.staging.yaml",
            apps: APP_NAMES,
            secrets: { has: () => true, get: () => pulumi.output("x") },
        };
        const problems = (raw: unknown) => {
            try {
                resolveEnvironment(raw, ctx);
                return [];
            } catch (e) {
                if (!(e instanceof ValidationError)) throw e;
                return e.problems.map((p) => `${p.source}: ${p.path}: ${p.message}`);
            }
        };
        expect(problems(pg({ sslMode: mode }))).toEqual([
            expect.stringMatching(
                new RegExp(
                    `^stacks/Pulumi.staging.yaml: llmops-platform:platform.dataServices.postgres.caCertificate: is required with \`sslMode: ${mode}\``,
                ),
            ),
        ]);
        expect(problems(pg({ sslMode: mode, caCertificate: { configMap: "ca" } }))).toEqual([]);
        expect(problems(pg({ sslMode: "require", caCertificate: { pem: PEM } }))).toEqual([
            expect.stringMatching(/caCertificate: is set, but `sslMode: require` does not verify the server/),
        ]);
    });
});
