import type * as pulumi from "@pulumi/pulumi";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { LogtoConnection } from "../../components/sso/logto/client";
import {
    type ApplicationInputs,
    type ApplicationOutputs,
    type OrganizationInputs,
    type OrganizationOutputs,
    applicationProvider,
    organizationProvider,
} from "../../components/sso/logto/provider";
import { FakeLogto } from "../support/fake-logto";

type Provider = Required<Pick<pulumi.dynamic.ResourceProvider, "check" | "diff" | "create" | "read" | "update" | "delete">>;
const orgs = organizationProvider as Provider;
const apps = applicationProvider as Provider;

let logto: FakeLogto;
let connection: LogtoConnection;

beforeEach(async () => {
    logto = await new FakeLogto().start();
    connection = {
        endpoint: logto.url,
        resource: "https://default.logto.app/api",
        appId: "m2m-app",
        appSecret: "m2m-secret-1",
        timeoutMs: 2000,
    };
});
afterEach(async () => logto.stop());

const orgInputs = (over: Partial<OrganizationInputs> = {}): OrganizationInputs => ({
    kind: "logto:organization",
    connection,
    key: "dev/acme",
    name: "Acme Corp",
    description: "LLMOps tenant acme",
    jitEmailDomains: ["acme.example"],
    adminEmails: ["jane@acme.example", "new.admin@acme.example"],
    ...over,
});

const appInputs = (organizationId: string, over: Partial<ApplicationInputs> = {}): ApplicationInputs => ({
    kind: "logto:application",
    connection,
    key: "dev/acme/langfuse",
    name: "Acme Corp Langfuse",
    description: "Langfuse of tenant acme",
    redirectUris: ["https://langfuse.acme.example.com/api/auth/callback/custom"],
    postLogoutRedirectUris: ["https://langfuse.acme.example.com"],
    organizationIds: [organizationId],
    ...over,
});

describe("Logto organization provider", () => {
    it("creates the organization with JIT domains, adds existing admins explicitly and reports the others", async () => {
        const jane = logto.addUser("jane@acme.example");
        const adminRole = logto.addOrgRole("admin");
        const { id, outs } = await orgs.create(orgInputs());
        const org = logto.orgs.get(id)!;
        expect(org.name).toBe("Acme Corp");
        expect(org.jit).toEqual(["acme.example"]);
        expect([...org.members]).toEqual([jane]);
        expect([...org.roles.get(jane)!]).toEqual([adminRole]);
        expect(org.customData).toEqual({ managedBy: "llmops-platform", llmopsKey: "dev/acme" });
        expect((outs as OrganizationOutputs).organizationId).toBe(id);
        expect((outs as OrganizationOutputs).pendingAdminEmails).toEqual(["new.admin@acme.example"]);
    });

    it("adopts what an interrupted create made instead of duplicating it", async () => {
        const first = await orgs.create(orgInputs());
        const again = await orgs.create(orgInputs());
        expect(again.id).toBe(first.id);
        expect(logto.orgs.size).toBe(1);
    });

    it("reports no change on an identical re-run, and an update for every real change", async () => {
        logto.addUser("jane@acme.example");
        logto.addUser("new.admin@acme.example");
        const { id, outs } = await orgs.create(orgInputs());
        expect((await orgs.diff(id, outs, orgInputs())).changes).toBe(false);
        expect(await orgs.diff(id, outs, orgInputs({ jitEmailDomains: ["acme.example", "acme.io"] }))).toMatchObject({
            changes: true,
            replaces: [],
        });
        expect(await orgs.diff(id, outs, orgInputs({ name: "Acme" }))).toMatchObject({ changes: true, replaces: [] });
        expect(
            await orgs.diff(id, outs, orgInputs({ connection: { ...connection, endpoint: "https://other.example.com" } })),
        ).toMatchObject({ changes: true, replaces: ["connection"] });
    });

    it("keeps trying to add admins who had no account until they do", async () => {
        logto.addUser("jane@acme.example");
        const { id, outs } = await orgs.create(orgInputs());
        expect((await orgs.diff(id, outs, orgInputs())).changes).toBe(true);
        const newcomer = logto.addUser("new.admin@acme.example");
        const updated = (await orgs.update(id, outs, orgInputs())).outs as OrganizationOutputs;
        expect(updated.pendingAdminEmails).toEqual([]);
        expect(logto.orgs.get(id)!.members.has(newcomer)).toBe(true);
        expect((await orgs.diff(id, updated, orgInputs())).changes).toBe(false);
    });

    it("detects drift made in the console and restores the declared state", async () => {
        const jane = logto.addUser("jane@acme.example");
        logto.addUser("new.admin@acme.example");
        const { id, outs } = await orgs.create(orgInputs());
        logto.orgs.get(id)!.jit = ["evil.example"];
        logto.orgs.get(id)!.members.delete(jane);
        const read = await orgs.read(id, outs);
        const props = read.props as OrganizationOutputs;
        expect(props.jitEmailDomains).toEqual(["evil.example"]);
        expect(props.pendingAdminEmails).toEqual(["jane@acme.example"]);
        expect((await orgs.diff(id, props, orgInputs())).changes).toBe(true);
        await orgs.update(id, props, orgInputs());
        expect(logto.orgs.get(id)!.jit).toEqual(["acme.example"]);
        expect(logto.orgs.get(id)!.members.has(jane)).toBe(true);
    });

    it("sees every member of a large organization, not just the first page", async () => {
        const jane = logto.addUser("jane@acme.example");
        logto.addUser("new.admin@acme.example");
        const { id, outs } = await orgs.create(orgInputs());
        const org = logto.orgs.get(id)!;
        // 150 users join by JIT before Jane in listing order: she is on the second page.
        org.members.delete(jane);
        for (let i = 0; i < 150; i++) org.members.add(logto.addUser(`user${i}@acme.example`));
        org.members.add(jane);
        const props = (await orgs.read(id, outs)).props as OrganizationOutputs;
        expect(props.pendingAdminEmails).toEqual([]);
        expect((await orgs.diff(id, props, orgInputs())).changes).toBe(false);
    });

    it("takes the admin role back from admins dropped from the tenant file, and membership outside its domains", async () => {
        const jane = logto.addUser("jane@acme.example");
        const contractor = logto.addUser("sam@contractor.example");
        const adminRole = logto.addOrgRole("admin");
        const { id, outs } = await orgs.create(orgInputs({ adminEmails: ["jane@acme.example", "sam@contractor.example"] }));
        const org = logto.orgs.get(id)!;
        expect([...org.members].sort()).toEqual([jane, contractor].sort());
        await orgs.update(id, outs, orgInputs({ adminEmails: [] }));
        // Jane is in acme.example: still a member, no longer an admin. Sam loses access altogether.
        expect([...org.members]).toEqual([jane]);
        expect([...(org.roles.get(jane) ?? [])]).not.toContain(adminRole);
    });

    it("reads a deleted organization as gone, and deletes idempotently", async () => {
        const { id, outs } = await orgs.create(orgInputs());
        await orgs.delete(id, outs);
        expect(logto.orgs.has(id)).toBe(false);
        expect(await orgs.read(id, outs)).toEqual({});
        await expect(orgs.delete(id, outs)).resolves.toBeUndefined();
    });

    it("refuses invalid inputs in check, naming the property", async () => {
        const { failures } = await orgs.check(
            {},
            orgInputs({ connection: { ...connection, endpoint: "http://auth.example.com", appSecret: "" }, name: "" }),
        );
        expect(failures?.map((f) => f.property).sort()).toEqual(["connection", "connection", "name"]);
        expect(failures?.map((f) => f.reason).join(" ")).toContain("plain http");
    });
});

describe("Logto application provider", () => {
    it("creates an OIDC app gated to the organization, and reads its secret from the secrets API", async () => {
        const { id: orgId } = await orgs.create(orgInputs({ adminEmails: [] }));
        const { id, outs } = await apps.create(appInputs(orgId));
        const app = logto.apps.get(id)!;
        expect(app.type).toBe("Traditional");
        expect(app.oidcClientMetadata).toEqual({
            redirectUris: ["https://langfuse.acme.example.com/api/auth/callback/custom"],
            postLogoutRedirectUris: ["https://langfuse.acme.example.com"],
        });
        expect(app.appLevelAccessControlEnabled).toBe(true);
        expect(app.access.organizationIds).toEqual([orgId]);
        const o = outs as ApplicationOutputs;
        expect(o.applicationId).toBe(id);
        expect(o.clientSecret).toBe(app.secrets.find((s) => s.name === "Default secret")!.value);
        // Rules are set before access control is enabled (Logto refuses the other order).
        const put = logto.requests.indexOf(`PUT /api/applications/${id}/access-control`);
        const patches = logto.requests
            .map((r, i) => [r, i] as const)
            .filter(([r]) => r === `PATCH /api/applications/${id}`)
            .map(([, i]) => i);
        expect(put).toBeGreaterThan(-1);
        expect(Math.max(...patches)).toBeGreaterThan(put);
    });

    it("mints its own secret when the default one expired", async () => {
        const { id: orgId } = await orgs.create(orgInputs({ adminEmails: [] }));
        const { id, outs } = await apps.create(appInputs(orgId));
        logto.apps.get(id)!.secrets[0]!.expiresAt = Date.now() - 1000;
        const updated = (await apps.update(id, outs, appInputs(orgId))).outs as ApplicationOutputs;
        expect(updated.clientSecret).toBe(logto.apps.get(id)!.secrets.find((s) => s.name === "llmops-platform")!.value);
    });

    it("detects access control switched off by hand and turns it back on", async () => {
        const { id: orgId } = await orgs.create(orgInputs({ adminEmails: [] }));
        const { id, outs } = await apps.create(appInputs(orgId));
        expect((await apps.diff(id, outs, appInputs(orgId))).changes).toBe(false);
        logto.apps.get(id)!.appLevelAccessControlEnabled = false;
        const read = (await apps.read(id, outs)).props as ApplicationOutputs;
        expect(read.organizationIds).toEqual([]);
        expect((await apps.diff(id, read, appInputs(orgId))).changes).toBe(true);
        await apps.update(id, read, appInputs(orgId));
        expect(logto.apps.get(id)!.appLevelAccessControlEnabled).toBe(true);
    });

    it("refuses an app without an organization gate", async () => {
        const { failures } = await apps.check({}, appInputs("x", { organizationIds: [] }));
        expect(failures?.[0]?.reason).toContain("any Logto user could sign in");
    });
});

describe("rotating the M2M secret in config", () => {
    it("is an update, not a replacement, and later updates and deletes use the new secret", async () => {
        const { id: orgId, outs: orgOuts } = await orgs.create(orgInputs({ adminEmails: [] }));
        const { id, outs } = await apps.create(appInputs(orgId));
        logto.rotateSecret("m2m-secret-2");
        logto.revokeTokens();
        const rotated = { ...connection, appSecret: "m2m-secret-2" };
        const diff = await apps.diff(id, outs, appInputs(orgId, { connection: rotated }));
        expect(diff).toMatchObject({ changes: true, replaces: [] });
        const updated = (await apps.update(id, outs, appInputs(orgId, { connection: rotated }))).outs as ApplicationOutputs;
        expect(updated.connection.appSecret).toBe("m2m-secret-2");
        // The old credentials no longer work: this is why the state must carry the new ones.
        await expect(apps.delete(id, outs)).rejects.toThrow(/could not get an access token for M2M app `m2m-app`.*401 invalid_client/);
        await apps.delete(id, updated);
        expect(logto.apps.has(id)).toBe(false);
        const orgUpdated = (await orgs.update(orgId, orgOuts, orgInputs({ adminEmails: [], connection: rotated })))
            .outs as OrganizationOutputs;
        await orgs.delete(orgId, orgUpdated);
        expect(logto.orgs.size).toBe(0);
    });
});

describe("errors", () => {
    it("names the call, the status and Logto's code on a 4xx", async () => {
        logto.inject({
            method: "POST",
            path: /^\/api\/organizations$/,
            status: 422,
            body: { code: "entity.unique_integrity_violation", message: "The entity already exists." },
        });
        await expect(orgs.create(orgInputs())).rejects.toThrow(
            "Logto Management API: POST /api/organizations returned 422 entity.unique_integrity_violation: The entity already exists.",
        );
    });

    it("retries throttling and gateway errors, then fails with the last status", async () => {
        logto.inject({ method: "GET", path: /^\/api\/organizations$/, status: 503, body: { message: "busy" }, times: 2 });
        const { id } = await orgs.create(orgInputs({ adminEmails: [] }));
        expect(logto.orgs.has(id)).toBe(true);
        logto.inject({ method: "GET", path: /^\/api\/applications$/, status: 500, body: { message: "Internal server error." }, times: 10 });
        await expect(apps.create(appInputs(id))).rejects.toThrow(
            "GET /api/applications?page=1&page_size=100 returned 500: Internal server error.",
        );
    });

    it("times out slow calls with a message naming the endpoint", async () => {
        logto.inject({ method: "POST", path: /^\/api\/organizations$/, delayMs: 3000 });
        const slow = { ...connection, timeoutMs: 300 };
        await expect(orgs.create(orgInputs({ connection: slow }))).rejects.toThrow(
            `POST /api/organizations timed out after 300 ms (endpoint ${logto.url})`,
        );
    });

    it("explains a refused token: wrong secret or missing role", async () => {
        await expect(orgs.create(orgInputs({ connection: { ...connection, appSecret: "wrong" } }))).rejects.toThrow(
            /Check the app id, its secret and that it has the "Logto Management API access" role/,
        );
    });

    it("explains an unreachable endpoint", async () => {
        await expect(orgs.create(orgInputs({ connection: { ...connection, endpoint: "http://127.0.0.1:1" } }))).rejects.toThrow(
            /POST \/oidc\/token failed: .*is it reachable from where Pulumi runs/,
        );
    });
});

describe("Logto providers as the engine runs them", () => {
    // The engine does not import the provider: it runs the text Pulumi serializes from it, with
    // what the code captures. A captured Set, Map or class instance does not survive that.
    const serialized = async (provider: pulumi.dynamic.ResourceProvider): Promise<Provider> => {
        const { runtime } = await import("@pulumi/pulumi");
        const vm = await import("node:vm");
        const { text } = await runtime.serializeFunction(() => provider);
        const module = { exports: {} as { handler?: () => Provider } };
        vm.runInThisContext(`(function (exports, module, require) {\n${text}\n})`)(module.exports, module, require);
        return module.exports.handler!();
    };

    it("work after Pulumi's closure serialization", async () => {
        const { id } = await (await serialized(organizationProvider)).create(orgInputs());
        expect(logto.orgs.get(id)?.name).toBe("Acme Corp");
        const app = await (await serialized(applicationProvider)).create(appInputs(id));
        expect(logto.apps.get(app.id)?.name).toBe("Acme Corp Langfuse");
    });
});
