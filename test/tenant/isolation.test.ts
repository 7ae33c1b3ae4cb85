import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Capture, CapturedResource } from "../../cli/mock-runtime";
import { reveal } from "../../cli/mock-runtime";
import { tenantOf } from "../../cli/render";
import { bucketsInPolicy } from "../../components/data/urls";
import { capture, ROOT, stackCapture, STACKS } from "../support/capture";
import { stackInputs } from "../support/inputs";
import { type RedisServer, requireBinary, startRedis } from "../support/servers";
import { containerEnv, containersOf, find, ofKind, ofType, tenantNamespaces } from "../support/resources";
import { APP_NAMES } from "../../components/apps/registry";

const tenantIdOf = (ns: string) => ns.replace(/^llm-/, "");

describe.each(STACKS)("isolation between tenants in %s", (stack) => {
    let cap: Capture;
    let owner: Map<string, string>;
    beforeAll(async () => {
        cap = await stackCapture(stack);
        owner = tenantOf(cap.resources);
    });

    it("gives each Postgres database to its own tenant's role, and revokes CONNECT from PUBLIC", () => {
        const dbs = ofType(cap, "postgresql:index/database:Database");
        expect(dbs.length).toBeGreaterThan(0);
        for (const db of dbs) {
            const tenant = owner.get(db.urn)!.replace(/-/g, "_");
            expect(db.inputs["name"]).toMatch(new RegExp(`^${tenant}_`));
            expect(db.inputs["owner"]).toMatch(new RegExp(`^${tenant}_(${APP_NAMES.join("|")})$`));
            const revoke = ofType(cap, "postgresql:index/grant:Grant").find((g) => g.inputs["database"] === db.inputs["name"]);
            expect(revoke?.inputs).toMatchObject({ role: "public", objectType: "database", privileges: [] });
        }
        for (const role of ofType(cap, "postgresql:index/role:Role")) {
            expect(role.inputs).toMatchObject({ superuser: false, createDatabase: false, createRole: false, login: true });
        }
    });

    it("lets each object-store user reach exactly its own tenant's buckets", () => {
        const policies = ofType(cap, "minio:index/iamPolicy:IamPolicy");
        expect(policies.length).toBeGreaterThan(0);
        const bucketsOf = new Map<string, string[]>();
        for (const b of ofType(cap, "minio:index/s3Bucket:S3Bucket"))
            bucketsOf.set(owner.get(b.urn)!, [...(bucketsOf.get(owner.get(b.urn)!) ?? []), b.inputs["bucket"] as string]);
        for (const p of policies) {
            const tenant = owner.get(p.urn)!;
            const granted = bucketsInPolicy(p.inputs["policy"] as string);
            expect(granted.length).toBeGreaterThan(0);
            for (const b of granted) expect(bucketsOf.get(tenant), `${p.name} grants ${b}`).toContain(b);
        }
        for (const a of ofType(cap, "minio:index/iamUserPolicyAttachment:IamUserPolicyAttachment")) {
            expect(String(a.inputs["policyName"])).toBe(`${String(a.inputs["userName"])}-buckets`);
        }
    });

    it("connects each tenant's Langfuse only to its own ClickHouse, database, buckets and Redis prefix", () => {
        // Which tenants run Langfuse comes from the tenant files; each of them must have its langfuse-web.
        const withLangfuse = stackInputs(stack)
            .tenants.filter((t) => t.apps.langfuse)
            .map((t) => t.id);
        expect(withLangfuse.length).toBeGreaterThan(0);
        const namespaces = tenantNamespaces(cap);
        for (const id of withLangfuse) {
            const ns = namespaces.find((n) => tenantIdOf(n) === id)!;
            expect(ns, `no namespace for ${id}`).toBeDefined();
            const env = containerEnv(cap, ns, containersOf(find(cap, "Deployment", ns, "langfuse-web"))["web"]);
            expect(new URL(env["CLICKHOUSE_URL"]!).hostname).toBe(`clickhouse.${ns}.svc.cluster.local`);
            expect(new URL(env["DATABASE_URL"]!).pathname).toBe(`/${id.replace(/-/g, "_")}_langfuse`);
            for (const k of ["LANGFUSE_S3_EVENT_UPLOAD_BUCKET", "LANGFUSE_S3_MEDIA_UPLOAD_BUCKET", "LANGFUSE_S3_BATCH_EXPORT_BUCKET"])
                expect(env[k]).toMatch(new RegExp(`^llm-${stack}-${id}-`));
            if (env["REDIS_KEY_PREFIX"]) expect(env["REDIS_KEY_PREFIX"]).toBe(`${id}:langfuse:`);
        }
    });

    it("confines every shared-Redis user to its own tenant's prefix", () => {
        const acl = ofKind(cap, "Secret").find((s) => s.metadata.namespace === "llm-platform" && s.metadata.name === "redis-acl")!;
        const lines = acl.stringData!["users.acl"]!.trim().split("\n");
        const tenantLines = lines.filter((l) => / ~[a-z0-9-]+:/.test(l));
        expect(tenantLines.length).toBeGreaterThan(0);
        for (const line of tenantLines) {
            const [, user] = line.split(" ");
            const tenant = user!.replace(/-langfuse$/, "");
            expect(line.match(/ ~\S+/g)).toEqual([` ~${tenant}:langfuse:*`]);
            expect(line.match(/ &\S+/g)).toEqual([` &${tenant}:langfuse:*`]);
            expect(line).toContain("-@dangerous");
        }
    });

    it("gives no two tenants the same secret value", () => {
        const valuesByTenant = new Map<string, Set<string>>();
        const tenantNs = tenantNamespaces(cap);
        for (const s of ofKind(cap, "Secret").filter((x) => tenantNs.includes(x.metadata.namespace!))) {
            const ns = s.metadata.namespace!;
            for (const v of Object.values(s.stringData ?? {})) {
                if (typeof v === "string" && v.length >= 16) valuesByTenant.set(ns, (valuesByTenant.get(ns) ?? new Set()).add(v));
            }
        }
        const seen = new Map<string, string>();
        for (const [ns, values] of valuesByTenant) {
            for (const v of values) {
                const other = seen.get(v);
                expect(other === undefined || other === ns, `${ns} and ${other} share a secret value`).toBe(true);
                seen.set(v, ns);
            }
        }
        expect(seen.size).toBeGreaterThan(10);
        expect([...valuesByTenant.keys()].sort(), "a tenant namespace holds no generated secret").toEqual(tenantNs);
    });

    it("admits no other tenant's namespace in any tenant network policy", () => {
        const tenants = tenantNamespaces(cap);
        const policies = ofKind(cap, "NetworkPolicy").filter((np) => tenants.includes(np.metadata.namespace!));
        expect(new Set(policies.map((p) => p.metadata.namespace)).size, "a tenant namespace has no network policy").toBe(tenants.length);
        for (const p of policies) {
            const peers = [
                ...(p.spec.ingress ?? []).flatMap((r: any) => r.from ?? []),
                ...(p.spec.egress ?? []).flatMap((r: any) => r.to ?? []),
            ];
            for (const peer of peers) {
                const selected = peer.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"];
                if (selected)
                    expect(
                        tenants.filter((t) => t !== p.metadata.namespace),
                        `${p.metadata.namespace}/${p.metadata.name} admits ${selected}`,
                    ).not.toContain(selected);
                expect(
                    peer.namespaceSelector?.matchLabels?.["llmops.io/workspace"],
                    `${p.metadata.name} selects all workspaces`,
                ).toBeUndefined();
                if (peer.namespaceSelector)
                    expect(
                        Object.keys(peer.namespaceSelector.matchLabels ?? {}).length,
                        `${p.metadata.name} selects every namespace`,
                    ).toBeGreaterThan(0);
            }
        }
    });

    it("puts every tenant namespace behind default-deny with Pod Security restricted, a quota and limits", () => {
        for (const ns of tenantNamespaces(cap)) {
            const n = find(cap, "Namespace", undefined, ns);
            expect(n.metadata.labels?.["pod-security.kubernetes.io/enforce"]).toBe("restricted");
            expect(find(cap, "NetworkPolicy", ns, "default-deny").spec).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
            const quota = find(cap, "ResourceQuota", ns, "tenant-quota").spec.hard;
            expect(quota["services.nodeports"]).toBe("0");
            expect(quota["services.loadbalancers"]).toBe("0");
            expect(find(cap, "LimitRange", ns, "tenant-limits").spec.limits[0].type).toBe("Container");
        }
    });
});

describe("the generated Redis users file, loaded by Debian's redis-server", () => {
    const redisServer = requireBinary("redis-server", "redis-server");
    let redis: RedisServer;
    let cap: Capture;
    beforeAll(async () => {
        cap = await stackCapture("dev");
        if (!redisServer) return;
        const acl = find(cap, "Secret", "llm-platform", "redis-acl");
        redis = await startRedis(redisServer, acl.stringData!["users.acl"]!);
    });
    afterAll(() => redis?.stop());

    it.skipIf(!redisServer)(
        "lets each tenant's Langfuse write under its prefix and refuses it another tenant's keys and server-wide commands",
        () => {
            const creds = (ns: string) => {
                const env = containerEnv(cap, ns, containersOf(find(cap, "Deployment", ns, "langfuse-worker"))["worker"]);
                return { user: env["REDIS_USERNAME"]!, password: env["REDIS_AUTH"]!, prefix: env["REDIS_KEY_PREFIX"]! };
            };
            const acme = creds("llm-acme");
            const initech = creds("llm-initech");
            expect(redis.run(acme.user, acme.password, "SET", `${acme.prefix}bull:ingestion:1`, "a")).toBe("OK");
            expect(redis.run(initech.user, initech.password, "SET", `${initech.prefix}bull:ingestion:1`, "b")).toBe("OK");
            expect(redis.run(acme.user, acme.password, "GET", `${initech.prefix}bull:ingestion:1`)).toMatch(/NOPERM/);
            expect(redis.run(initech.user, initech.password, "DEL", `${acme.prefix}bull:ingestion:1`)).toMatch(/NOPERM/);
            expect(redis.run(acme.user, acme.password, "XADD", `${acme.prefix}events`, "*", "k", "v")).toMatch(/^\d+-\d+$/);
            for (const cmd of [["FLUSHALL"], ["CONFIG", "SET", "maxmemory-policy", "allkeys-lru"], ["KEYS", "*"]])
                expect(redis.run(acme.user, acme.password, ...cmd), cmd.join(" ")).toMatch(/NOPERM/);
            // Globex has its own Redis: no user of it in the shared one.
            expect(find(cap, "Secret", "llm-platform", "redis-acl").stringData!["users.acl"]).not.toContain("globex");
        },
    );
});

describe("adding a tenant", () => {
    it("changes no declared resource of any other tenant", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenants-plus-"));
        for (const f of fs.readdirSync(path.join(ROOT, "tenants")).filter((f) => f.endsWith(".yaml")))
            fs.copyFileSync(path.join(ROOT, "tenants", f), path.join(dir, f));
        fs.writeFileSync(
            path.join(dir, "hooli.yaml"),
            "id: hooli\ndisplayName: Hooli\nowners: [{ name: Gavin, email: gavin@hooli.example }]\nstacks: [dev, prod]\nsize: standard\nsso:\n  emailDomains: [hooli.example]\nkong:\n  consumers: [hooli-api]\n",
        );
        for (const stack of ["dev", "prod"]) {
            const before = await stackCapture(stack);
            const after = await capture({ stack, tenantsDir: dir });
            const own = (c: Capture) => {
                const t = tenantOf(c.resources);
                return new Map(
                    c.resources
                        .filter((r: CapturedResource) => t.get(r.urn) && t.get(r.urn) !== "hooli")
                        .map((r) => [r.urn, JSON.stringify({ inputs: reveal(r.inputs), options: r.options })]),
                );
            };
            const a = own(before);
            const b = own(after);
            expect(a.size).toBeGreaterThan(50);
            expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
            for (const [urn, v] of a) expect(b.get(urn), urn).toBe(v);
            const hooli = after.resources.filter((r) => tenantOf(after.resources).get(r.urn) === "hooli");
            expect(hooli.length).toBeGreaterThan(30);
        }
    });
});
