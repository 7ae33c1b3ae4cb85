import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { LABELS, PART_OF } from "../../components/naming/labels";
import { type DeclaredObject, declaredObjects, kubectlFor, kubectlJson, liveObjects, objectKey } from "./support/kube";
import { pulumi, pulumiOk, type StateResource, stackExport, urnName } from "./support/pulumi";
import { failedMarker } from "./support/environment";
import { PROJECT_ROOT, patchPlatformConfig, readPlatformConfig, writePlatformConfig } from "./support/stack";

/**
 * Tier 3: the real Pulumi engine, the real providers (Kubernetes, random, PostgreSQL; MinIO's is
 * a stand-in) and the real program against a local control plane, PostgreSQL, Redis and a fake
 * Logto. The tests run in order; each builds on the stack the previous one left.
 */
const e2e = inject("e2e");
const kubectl = kubectlFor(e2e.kubectl, e2e.kubeconfig);
const POLICIES = path.join(PROJECT_ROOT, "policies");
const s = e2e.pulumi;

afterEach((ctx) => {
    if (ctx.task.result?.state === "fail") fs.writeFileSync(failedMarker(e2e.runDir), ctx.task.name);
});

/** A resource's tenant: the resources of a tenant's workspace are named after the tenant id. */
function tenantOf(urn: string, tenants: readonly string[]): string | undefined {
    const name = urnName(urn);
    return tenants.find((t) => name === t || name.startsWith(`${t}-`));
}

function psql(sql: string, opts: { database?: string; user?: string; password?: string } = {}): { code: number; out: string } {
    const r = spawnSync(
        path.join(e2e.postgres.binDir, "psql"),
        ["-X", "-v", "ON_ERROR_STOP=1", "-Atc", sql, "-d", opts.database ?? "postgres"],
        {
            encoding: "utf8",
            env: { ...process.env, ...e2e.postgres.env, ...(opts.user ? { PGUSER: opts.user, PGPASSWORD: opts.password ?? "" } : {}) },
        },
    );
    return { code: r.status ?? 1, out: `${r.stdout}${r.stderr}`.trim() };
}

function byType(state: StateResource[], type: string): StateResource[] {
    return state.filter((r) => r.type === type);
}

const TENANT_FILES = new Map<string, string>();

beforeAll(() => {
    for (const f of fs.readdirSync(e2e.tenantsDir)) TENANT_FILES.set(f, fs.readFileSync(path.join(e2e.tenantsDir, f), "utf8"));
    expect(e2e.tenants.length).toBe(2);
});

describe("a real pulumi up", () => {
    let declared: DeclaredObject[] = [];

    // Runs first, on the empty stack: every resource is a create, so the preview reaches the stack's
    // policies. On the deployed stack, switching environments changes the environment label of
    // StatefulSets' claim templates, which cannot change in place, and the preview stops there.
    it("7. a change that breaks a mandatory rule fails pulumi preview --policy-pack policies, naming the rule", async () => {
        const before = readPlatformConfig(s.projectDir);
        const sso = before["sso"] as { logto: { endpoint: string } };
        // Staging with protection switched off: the program accepts it (protectState is a choice),
        // the mandatory rule `state-protected-in-staging-and-prod` does not.
        patchPlatformConfig(s.projectDir, {
            environment: "staging",
            protectState: false,
            ingress: { tlsIssuer: { name: "letsencrypt-staging" } },
            sso: { logto: { endpoint: sso.logto.endpoint.replace(/^http:/, "https:") } },
        });
        try {
            const r = await pulumi(s, ["preview", "--policy-pack", POLICIES]);
            const out = `${r.stdout}\n${r.stderr}`;
            expect(r.code, out.slice(-4000)).not.toBe(0);
            expect(out).toMatch(/state-protected-in-staging-and-prod/);
            expect(out).toMatch(/mandatory/);
        } finally {
            writePlatformConfig(s.projectDir, before);
        }
    });

    it("1. pulumi up --policy-pack policies deploys both tenants, and every declared Kubernetes object exists in the API server", async () => {
        const up = await pulumiOk(s, ["up", "--yes", "--skip-preview", "--policy-pack", POLICIES]);
        console.log(`e2e: pulumi up took ${up.seconds.toFixed(0)} s`);
        const state = await stackExport(s);
        declared = declaredObjects(state);
        expect(declared.length).toBeGreaterThan(50);
        // Every tenant of the input has objects, labelled as its own.
        for (const tenant of e2e.tenants)
            expect(declared.filter((o) => o.labels[LABELS.tenant] === tenant).length, tenant).toBeGreaterThan(20);
        const live = liveObjects(
            kubectl,
            declared.map((o) => o.resource),
        );
        const missing = declared.filter((o) => live.get(objectKey(o.resource, o.namespace, o.name)) !== o.uid);
        expect(missing.map((o) => `${o.type} ${o.namespace ?? ""}/${o.name}`)).toEqual([]);
    });

    it("2. pulumi preview --expect-no-changes passes right after: no perpetual diff", async () => {
        const r = await pulumi(s, ["preview", "--expect-no-changes", "--diff"]);
        expect(r.code, `preview found changes right after up (log: ${r.log}):\n${r.stdout.slice(-6000)}`).toBe(0);
    });

    it("3. PostgreSQL has each tenant's roles and databases as declared, and one tenant's role cannot connect to the other's database", async () => {
        const state = await stackExport(s, { showSecrets: true });
        const roles = byType(state, "postgresql:index/role:Role").map((r) => ({
            urn: r.urn,
            name: r.outputs!["name"] as string,
            password: r.outputs!["password"] as string,
            login: r.outputs!["login"] as boolean,
        }));
        const databases = byType(state, "postgresql:index/database:Database").map((r) => ({
            urn: r.urn,
            name: r.outputs!["name"] as string,
            owner: r.outputs!["owner"] as string,
        }));
        for (const tenant of e2e.tenants) {
            expect(roles.filter((r) => tenantOf(r.urn, e2e.tenants) === tenant).length, `${tenant}'s roles`).toBeGreaterThan(0);
            expect(databases.filter((d) => tenantOf(d.urn, e2e.tenants) === tenant).length, `${tenant}'s databases`).toBeGreaterThan(0);
        }
        const liveRoles = new Map(
            psql("SELECT rolname, rolcanlogin, rolsuper, rolcreatedb, rolcreaterole FROM pg_roles")
                .out.split("\n")
                .map((l) => l.split("|"))
                .map(([name, login, superuser, createdb, createrole]) => [
                    name!,
                    { login: login === "t", privileged: [superuser, createdb, createrole].includes("t") },
                ]),
        );
        for (const r of roles) {
            expect(liveRoles.get(r.name), `role ${r.name}`).toEqual({ login: r.login, privileged: false });
        }
        const liveDbs = new Map(
            psql("SELECT datname, pg_get_userbyid(datdba) FROM pg_database")
                .out.split("\n")
                .map((l) => l.split("|") as [string, string]),
        );
        for (const d of databases) expect(liveDbs.get(d.name), `database ${d.name}`).toBe(d.owner);

        // Each tenant's login role reaches its own database and no other tenant's.
        const [a, b] = e2e.tenants as [string, string];
        const loginOf = (tenant: string) => {
            const db = databases.find((d) => tenantOf(d.urn, e2e.tenants) === tenant)!;
            const role = roles.find((r) => r.name === db.owner && r.login)!;
            expect(role, `the owner of ${db.name} is a declared login role`).toBeDefined();
            return { db: db.name, role };
        };
        const [la, lb] = [loginOf(a), loginOf(b)];
        expect(psql("SELECT current_user", { database: la.db, user: la.role.name, password: la.role.password })).toEqual({
            code: 0,
            out: la.role.name,
        });
        expect(psql("SELECT current_user", { database: lb.db, user: lb.role.name, password: lb.role.password })).toEqual({
            code: 0,
            out: lb.role.name,
        });
        const crossAB = psql("SELECT 1", { database: lb.db, user: la.role.name, password: la.role.password });
        const crossBA = psql("SELECT 1", { database: la.db, user: lb.role.name, password: lb.role.password });
        expect(crossAB.code).not.toBe(0);
        expect(crossAB.out).toMatch(/permission denied for database/);
        expect(crossBA.code).not.toBe(0);
        expect(crossBA.out).toMatch(/permission denied for database/);
    });

    it("4. the API server itself rejects a pod that breaks Pod Security `restricted` in a tenant namespace", () => {
        const namespaces = declared.filter(
            (o) => o.type === "kubernetes:core/v1:Namespace" && e2e.tenants.includes(o.labels[LABELS.tenant] ?? ""),
        );
        expect(namespaces.map((n) => n.labels[LABELS.tenant]).sort()).toEqual(e2e.tenants);
        for (const ns of namespaces) {
            const pod = {
                apiVersion: "v1",
                kind: "Pod",
                metadata: { name: "e2e-escalating", namespace: ns.name },
                spec: {
                    containers: [
                        {
                            name: "c",
                            image: "busybox:1.36",
                            // Not `privileged`: the API server refuses that itself (--allow-privileged is off by default),
                            // before Pod Security admission would see the pod.
                            securityContext: { allowPrivilegeEscalation: true, runAsUser: 0, capabilities: { add: ["NET_ADMIN"] } },
                            resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { cpu: "10m", memory: "16Mi" } },
                        },
                    ],
                },
            };
            const r = kubectl(["create", "-f", "-"], JSON.stringify(pod));
            if (r.code === 0) kubectl(["delete", "pod", "-n", ns.name, "e2e-escalating", "--wait=false"]);
            expect(r.code, r.stdout).not.toBe(0);
            expect(r.stderr).toMatch(/violates PodSecurity "restricted:latest"/);
            expect(r.stderr).toMatch(/allowPrivilegeEscalation/);
        }
    });

    it("5. each migration Job completed before the workloads it gates rolled out (API server timestamps)", async () => {
        const state = await stackExport(s);
        const objects = declaredObjects(state);
        const migrations = objects.filter((o) => o.type === "kubernetes:batch/v1:Job" && o.labels[LABELS.component] === "migrate");
        expect(migrations.length).toBeGreaterThan(0);
        for (const tenant of e2e.tenants)
            expect(
                migrations.some((j) => j.labels[LABELS.tenant] === tenant),
                tenant,
            ).toBe(true);
        for (const job of migrations) {
            const gated = state.filter((r) => r.type === "kubernetes:apps/v1:Deployment" && (r.dependencies ?? []).includes(job.urn));
            expect(gated.length, `Deployments gated by ${job.name}`).toBeGreaterThan(0);
            const live = kubectlJson<{ status: { completionTime?: string; succeeded?: number } }>(kubectl, [
                "get",
                "job",
                "-n",
                job.namespace!,
                job.name,
            ]);
            expect(live.status.succeeded, job.name).toBeGreaterThan(0);
            const completed = Date.parse(live.status.completionTime ?? "");
            expect(completed, `${job.name} completionTime`).not.toBeNaN();
            for (const d of gated) {
                const dep = objects.find((o) => o.urn === d.urn)!;
                const sets = kubectlJson<{ items: { metadata: { creationTimestamp: string; ownerReferences?: { uid: string }[] } }[] }>(
                    kubectl,
                    ["get", "replicasets", "-n", dep.namespace!],
                ).items.filter((rs) => rs.metadata.ownerReferences?.some((o) => o.uid === dep.uid));
                expect(sets.length, `ReplicaSets of ${dep.name}`).toBeGreaterThan(0);
                for (const rs of sets)
                    expect(
                        Date.parse(rs.metadata.creationTimestamp),
                        `${dep.name} rolled out before ${job.name} completed`,
                    ).toBeGreaterThanOrEqual(completed);
            }
        }
    });

    it("6. adding a tenant file: the preview creates that tenant's resources and changes only what the README says (trace gateway routes, shared Redis users)", async () => {
        const added = fs.readdirSync(e2e.addedTenantsDir);
        expect(added.length).toBe(1);
        const id = added[0]!.replace(/\.yaml$/, "");
        fs.copyFileSync(path.join(e2e.addedTenantsDir, added[0]!), path.join(e2e.tenantsDir, added[0]!));
        try {
            const r = await pulumiOk(s, ["preview", "--json"]);
            const steps = (JSON.parse(r.stdout) as { steps: { op: string; urn: string; type?: string; diffReasons?: string[] }[] }).steps;
            expect(steps.length).toBeGreaterThan(0);
            const changed = steps.filter((st) => st.op !== "same");
            const creates = changed.filter((st) => st.op === "create" && tenantOf(st.urn, [id]) === id);
            expect(creates.length).toBeGreaterThan(30);
            // What the README (Tenants) says a new tenant changes besides its own resources: the trace
            // gateway (a route to its Langfuse) and the shared Redis users (its users are added).
            const gateway = changed.filter((st) => urnName(st.urn).startsWith("llmops-trace-gateway"));
            const redisUsers = changed.filter((st) => urnName(st.urn).startsWith("llmops-redis"));
            expect(gateway.map((st) => urnName(st.urn))).not.toEqual([]);
            expect(redisUsers.map((st) => urnName(st.urn))).not.toEqual([]);
            const others = changed.filter(
                (st) =>
                    !creates.includes(st) && !gateway.includes(st) && !redisUsers.includes(st) && !st.urn.includes("pulumi:pulumi:Stack"),
            );
            expect(others.map((st) => `${st.op} ${urnName(st.urn)} (${(st.diffReasons ?? []).join(", ")})`)).toEqual([]);
        } finally {
            fs.rmSync(path.join(e2e.tenantsDir, added[0]!));
        }
    });

    it("8. with protectState on, removing a tenant file makes pulumi up refuse to delete its protected resources, and nothing is deleted", async () => {
        patchPlatformConfig(s.projectDir, { protectState: true });
        await pulumiOk(s, ["up", "--yes", "--skip-preview"]);
        const [, removed] = e2e.tenants as [string, string];
        const state = await stackExport(s);
        const protectedOnes = state.filter((r) => r.protect && tenantOf(r.urn, e2e.tenants) === removed);
        expect(protectedOnes.length, `${removed}'s protected resources`).toBeGreaterThan(0);
        const objects = declaredObjects(state);
        const before = liveObjects(
            kubectl,
            objects.map((o) => o.resource),
        );
        const dbsBefore = psql("SELECT datname FROM pg_database ORDER BY 1").out;
        const file = [...TENANT_FILES.keys()].find((f) => f.startsWith(`${removed}.`))!;
        fs.rmSync(path.join(e2e.tenantsDir, file));
        try {
            // With its preview, as a person or CI runs it: the engine refuses protected deletes while
            // planning, before any step runs. (`--skip-preview` would go on to delete the tenant's
            // unprotected resources, skipping only what protected ones depend on.)
            const r = await pulumi(s, ["up", "--yes"]);
            const out = `${r.stdout}\n${r.stderr}`;
            expect(r.code, out.slice(-4000)).not.toBe(0);
            expect(out).toMatch(/protect/i);
            const after = liveObjects(
                kubectl,
                objects.map((o) => o.resource),
            );
            const gone = objects.filter(
                (o) =>
                    before.has(objectKey(o.resource, o.namespace, o.name)) &&
                    after.get(objectKey(o.resource, o.namespace, o.name)) !== o.uid,
            );
            expect(gone.map((o) => `${o.type} ${o.namespace ?? ""}/${o.name}`)).toEqual([]);
            expect(psql("SELECT datname FROM pg_database ORDER BY 1").out).toBe(dbsBefore);
            const stateAfter = await stackExport(s);
            expect(stateAfter.filter((r) => tenantOf(r.urn, e2e.tenants) === removed).length).toBe(
                state.filter((r) => tenantOf(r.urn, e2e.tenants) === removed).length,
            );
        } finally {
            fs.writeFileSync(path.join(e2e.tenantsDir, file), TENANT_FILES.get(file)!);
        }
    });

    it("9. pulumi destroy of an unprotected stack leaves no object of ours in the API server", async () => {
        patchPlatformConfig(s.projectDir, { protectState: false });
        await pulumiOk(s, ["up", "--yes", "--skip-preview"]);
        const state = await stackExport(s);
        expect(state.filter((r) => r.protect)).toEqual([]);
        const objects = declaredObjects(state);
        expect(objects.length).toBeGreaterThan(50);
        await pulumiOk(s, ["destroy", "--yes", "--skip-preview"]);
        const live = liveObjects(
            kubectl,
            objects.map((o) => o.resource),
        );
        expect(
            objects
                .filter((o) => live.has(objectKey(o.resource, o.namespace, o.name)))
                .map((o) => `${o.type} ${o.namespace ?? ""}/${o.name}`),
        ).toEqual([]);
        // Nor anything the controllers made for us (pods, ReplicaSets, volume claims) under our labels.
        const leftovers = kubectl([
            "get",
            "all,pvc,configmaps,secrets,namespaces",
            "--all-namespaces",
            "-l",
            `${LABELS.partOf}=${PART_OF}`,
            "-o",
            "name",
        ]);
        expect(leftovers.code, leftovers.stderr).toBe(0);
        expect(leftovers.stdout.trim()).toBe("");
        expect((await stackExport(s)).filter((r) => r.custom !== false && r.type !== "pulumi:pulumi:Stack")).toEqual([]);
    });
});
