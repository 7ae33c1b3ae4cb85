import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { readStackConfig } from "../../cli/mock-runtime";
import { resolveEnvironment } from "../../components/environment/resolve";
import { loadInputs } from "../../components/platform/inputs";
import { ValidationError } from "../../components/validation/problems";
import { STACKS, ROOT, stackCapture } from "../support/capture";
import { type OperatorProvided, containerRun as declaredRun, workloadsNamed as named } from "../support/pod";
import { type K8sObject, ofKind, ofType, tenantNamespaces } from "../support/resources";
import { platformConfigOf } from "../support/stacks";
import { APP_NAMES } from "../../components/apps/registry";

/**
 * Everything that connects as a tenant app's role fits the role's connection limit, and the limits
 * of every tenant fit the server. Pool sizes are read from what the containers get; what each
 * setting means comes from upstream, at the pinned versions:
 * - Prisma 6 (Langfuse): `connection_limit` per process; without it num_cpus*2+1 of the node.
 * - MLflow 3.15: MLFLOW_SQLALCHEMYSTORE_POOL_SIZE + _MAX_OVERFLOW per engine (non-zero values only;
 *   otherwise SQLAlchemy's 5 + 10); two engines (tracking, model registry) in every uvicorn worker
 *   (MLFLOW_WORKERS) and in the parent process that initializes the stores.
 * - SuperTokens postgresql-plugin 9.4: POSTGRESQL_CONNECTION_POOL_SIZE, default 10.
 * - Agenta v0.113.0: 100 + 300 per engine, not configurable; bounded only by the role limit.
 * - PostgreSQL keeps superuser_reserved_connections (3 by default) out of max_connections.
 */

const SUPERUSER_RESERVED = 3;

function surge(d: K8sObject): number {
    const s = d.spec.strategy;
    if (s?.type === "Recreate") return 0;
    const v = s?.rollingUpdate?.maxSurge;
    expect(typeof v, `${d.metadata.name} maxSurge is a number`).toBe("number");
    return v as number;
}

let autoscalers: K8sObject[] = [];

/** Pods of a Deployment at once during a rollout: its replicas, or its autoscaler's maximum. */
function pods(d: K8sObject): number {
    const hpa = autoscalers.find(
        (h) =>
            h.metadata.namespace === d.metadata.namespace &&
            h.spec.scaleTargetRef.kind === "Deployment" &&
            h.spec.scaleTargetRef.name === d.metadata.name,
    );
    const replicas = hpa ? hpa.spec.maxReplicas : d.spec.replicas;
    expect(typeof replicas, `${d.metadata.namespace}/${d.metadata.name}: replicas or an autoscaler`).toBe("number");
    return replicas + (replicas > 0 ? surge(d) : 0);
}

function positiveInt(v: string | undefined, what: string): number {
    expect(v, what).toMatch(/^[1-9][0-9]*$/);
    return Number(v);
}

/** ConfigMaps the stack config says the operator provides in tenant namespaces (the Postgres CA bundle). */
function operatorProvided(stack: string): OperatorProvided {
    const postgres = platformConfigOf(stack).dataServices?.postgres;
    const ca = postgres?.mode === "external" ? postgres.caCertificate : undefined;
    return { configMaps: ca && "configMap" in ca ? [ca.configMap] : [] };
}

describe.each(STACKS)("Postgres connections of %s", (stack) => {
    it("every sized pool fits its role's limit, and every role's limit fits the server", async () => {
        const cap = await stackCapture(stack);
        const provided = operatorProvided(stack);
        const containerRun = (c: typeof cap, kind: string, ns: string, workload: string, container: string) =>
            declaredRun(c, kind, ns, workload, container, provided);
        autoscalers = ofKind(cap, "HorizontalPodAutoscaler");
        const roles = new Map(
            ofType(cap, "postgresql:index/role:Role").map((r) => [r.inputs["name"] as string, r.inputs["connectionLimit"] as number]),
        );
        expect(roles.size).toBeGreaterThan(0);
        for (const [role, limit] of roles) expect(limit, role).toBeGreaterThan(0);
        const namespaces = tenantNamespaces(cap);
        expect(namespaces.length).toBeGreaterThan(0);
        let checked = 0;
        for (const ns of namespaces) {
            const tenant = ns.replace(/^llm-/, "").replace(/-/g, "_");
            const backup =
                ofKind(cap, "CronJob").some((c) => c.metadata.namespace === ns && c.metadata.name === "postgres-backup") ||
                named(cap, "Job", ns, /^tenant-export/).length > 0
                    ? 1
                    : 0;

            const langfuseLimit = roles.get(`${tenant}_langfuse`);
            const web = named(cap, "Deployment", ns, /^langfuse-web$/);
            if (langfuseLimit !== undefined && web.length) {
                const run = containerRun(cap, "Deployment", ns, "langfuse-web", "web");
                const perProcess = positiveInt(
                    new URL(run.env["DATABASE_URL"]!).searchParams.get("connection_limit") ?? undefined,
                    `${ns} langfuse connection_limit`,
                );
                const processes =
                    pods(web[0]!) +
                    pods(named(cap, "Deployment", ns, /^langfuse-worker$/)[0]!) +
                    named(cap, "Job", ns, /^langfuse-migrate-/).length;
                expect(processes * perProcess + backup, `${ns}: Langfuse pools vs role limit ${langfuseLimit}`).toBeLessThanOrEqual(
                    langfuseLimit,
                );
                checked++;
            }

            const mlflowLimit = roles.get(`${tenant}_mlflow`);
            const server = named(cap, "Deployment", ns, /^mlflow$/);
            if (mlflowLimit !== undefined && server.length) {
                const run = containerRun(cap, "Deployment", ns, "mlflow", "mlflow");
                const perEngine =
                    positiveInt(run.env["MLFLOW_SQLALCHEMYSTORE_POOL_SIZE"], `${ns} pool size`) +
                    positiveInt(run.env["MLFLOW_SQLALCHEMYSTORE_MAX_OVERFLOW"], `${ns} max overflow`);
                const processesPerPod = positiveInt(run.env["MLFLOW_WORKERS"], `${ns} workers`) + 1;
                const jobs = named(cap, "Job", ns, /^mlflow-db-upgrade-/).length + named(cap, "CronJob", ns, /^mlflow-gc$/).length;
                for (const [kind, re, c] of [
                    ["Job", /^mlflow-db-upgrade-/, "db-upgrade"],
                    ["CronJob", /^mlflow-gc$/, "gc"],
                ] as const) {
                    for (const w of named(cap, kind, ns, re)) {
                        const env = containerRun(cap, kind, ns, w.metadata.name!, c).env;
                        expect(
                            Number(env["MLFLOW_SQLALCHEMYSTORE_POOL_SIZE"]) + Number(env["MLFLOW_SQLALCHEMYSTORE_MAX_OVERFLOW"]),
                            `${ns} ${c} pool`,
                        ).toBe(perEngine);
                    }
                }
                const total = pods(server[0]!) * processesPerPod * 2 * perEngine + jobs * perEngine + backup;
                expect(total, `${ns}: MLflow pools vs role limit ${mlflowLimit}`).toBeLessThanOrEqual(mlflowLimit);
                checked++;
            }

            const agentaLimit = roles.get(`${tenant}_agenta`);
            const supertokens = named(cap, "Deployment", ns, /^agenta-supertokens$/);
            if (agentaLimit !== undefined && supertokens.length) {
                const run = containerRun(cap, "Deployment", ns, "agenta-supertokens", "supertokens");
                const pool = positiveInt(run.env["POSTGRESQL_CONNECTION_POOL_SIZE"], `${ns} SuperTokens pool`);
                // Agenta's own engines cannot be sized at v0.113.0: what is left of the role's limit is theirs.
                expect(pods(supertokens[0]!) * pool + backup, `${ns}: SuperTokens pool vs role limit ${agentaLimit}`).toBeLessThan(
                    agentaLimit,
                );
                checked++;
            }
        }
        expect(checked).toBeGreaterThan(0);

        const platform = (readStackConfig(stack)["llmops-platform:platform"] as any).dataServices.postgres;
        let max: number;
        if (platform.mode === "in-cluster") {
            const sts = ofKind(cap, "StatefulSet").find((s) => s.metadata.name === "postgres")!;
            const args: string[] = sts.spec.template.spec.containers.find((c: { name: string }) => c.name === "postgres").args;
            max = Number(args.map((a) => /^max_connections=(\d+)$/.exec(a)?.[1]).find(Boolean));
        } else max = platform.maxConnections ?? 100; // PostgreSQL's default
        expect(max).toBeGreaterThan(0);
        const sum = [...roles.values()].reduce((a, b) => a + b, 0);
        expect(sum + SUPERUSER_RESERVED, `role limits of ${stack} vs max_connections ${max}`).toBeLessThanOrEqual(max);
    });
});

describe("connection budget validation", () => {
    const tenantYaml = (id: string, size: string) =>
        `id: ${id}\ndisplayName: ${id}\nsize: ${size}\nowners:\n  - name: O\n    email: o@${id}.example\nstacks: [staging]\nsso:\n  emailDomains: [${id}.example]\n`;

    it("refuses more tenants than the server's max_connections can hold, naming the stack file, the field and the fix", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenants-"));
        for (let i = 0; i < 8; i++) fs.writeFileSync(path.join(dir, `t${i}.yaml`), tenantYaml(`t${i}`, "standard"));
        const raw = readStackConfig("staging")["llmops-platform:platform"] as any;
        const environment = () =>
            resolveEnvironment(raw, {
                stack: "staging",
                project: "llmops-platform",
                source: "stacks/Pulumi.staging.yaml",
                apps: APP_NAMES,
                secrets: { has: () => true, get: () => pulumi.output("x") },
            });
        let error: ValidationError | undefined;
        try {
            loadInputs({ projectRoot: ROOT, tenantsDir: dir, environment });
        } catch (e) {
            if (!(e instanceof ValidationError)) throw e;
            error = e;
        }
        expect(error).toBeDefined();
        expect(error!.problems).toHaveLength(1);
        const p = error!.problems[0]!;
        expect(p.source).toBe("stacks/Pulumi.staging.yaml");
        expect(p.path).toBe("dataServices.postgres.maxConnections");
        expect(p.message).toContain(`allows ${raw.dataServices.postgres.maxConnections} Postgres connections, but the 8 tenants`);
        expect(p.fix).toMatch(/raise max_connections on the server/);
        // Two such tenants fit.
        for (let i = 2; i < 8; i++) fs.rmSync(path.join(dir, `t${i}.yaml`));
        expect(loadInputs({ projectRoot: ROOT, tenantsDir: dir, environment }).tenants).toHaveLength(2);
    });
});

describe("operator-provided mounts", () => {
    const stacks = STACKS.filter((s) => (operatorProvided(s).configMaps ?? []).length > 0);

    it("some stack mounts a ConfigMap its config says the operator provides", () => {
        expect(stacks.length).toBeGreaterThan(0);
    });

    it.each(stacks)("%s: reading a container's files without them fails on exactly that ConfigMap", async (stack) => {
        const cap = await stackCapture(stack);
        const ns = tenantNamespaces(cap)[0]!;
        const [configMap] = operatorProvided(stack).configMaps!;
        expect(() => declaredRun(cap, "Deployment", ns, "mlflow", "mlflow")).toThrow(`no ConfigMap ${ns}/${configMap} declared`);
        expect(declaredRun(cap, "Deployment", ns, "mlflow", "mlflow", operatorProvided(stack)).env["MLFLOW_BACKEND_STORE_URI"]).toMatch(
            /^postgresql\+psycopg2:/,
        );
    });
});
