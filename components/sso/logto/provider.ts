import type * as pulumi from "@pulumi/pulumi";
import { LogtoClient, type LogtoConnection } from "./client";

/**
 * Pulumi dynamic providers for Logto organizations and applications (no Pulumi provider for Logto
 * exists). Each entity carries `customData.llmopsKey`, so a create that runs again after a
 * failure adopts what the first attempt made instead of duplicating it. The M2M credentials are
 * inputs: when they are rotated in stack config, `diff` reports an update (never a replacement),
 * so the state carries the new secret and later updates and deletes keep working.
 */

/** `customData.managedBy` of every Logto entity this platform created (Kubernetes objects carry `MANAGED_BY_LABEL_VALUE` instead). */
export const MANAGED_BY = "llmops-platform";
/** Name of the client secret this platform mints when an app has no usable default secret. */
export const SECRET_NAME = "llmops-platform";

export interface OrganizationInputs {
    readonly kind: "logto:organization";
    readonly connection: LogtoConnection;
    /** Stable identity, e.g. `prod/acme`; stored in the organization's custom data. */
    readonly key: string;
    readonly name: string;
    readonly description: string;
    /** New users with these email domains join just in time. */
    readonly jitEmailDomains: string[];
    /** Existing users added explicitly (JIT only adds users at sign-up). */
    readonly adminEmails: string[];
}

export interface OrganizationOutputs extends OrganizationInputs {
    readonly organizationId: string;
    /** Listed admins that are members, with their Logto user ids. */
    readonly adminMembers: Array<{ email: string; userId: string }>;
    /** Admins with no Logto account yet; they are added on a deploy after they first sign in. */
    readonly pendingAdminEmails: string[];
}

export interface ApplicationInputs {
    readonly kind: "logto:application";
    readonly connection: LogtoConnection;
    readonly key: string;
    readonly name: string;
    readonly description: string;
    readonly redirectUris: string[];
    readonly postLogoutRedirectUris: string[];
    /** Only members of these organizations may sign in (Logto app-level access control). */
    readonly organizationIds: string[];
}

export interface ApplicationOutputs extends ApplicationInputs {
    readonly applicationId: string;
    readonly clientSecret: string;
}

const sorted = (xs: readonly string[]) => [...xs].sort();
const sameSet = (a: readonly string[] = [], b: readonly string[] = []) => JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));

function checkConnection(c: LogtoConnection | undefined, failures: pulumi.dynamic.CheckFailure[]): void {
    if (!c?.endpoint || !/^https?:\/\//.test(c.endpoint)) failures.push({ property: "connection", reason: "connection.endpoint must be the Logto URL, e.g. https://auth.example.com" });
    if (c?.endpoint?.startsWith("http://") && !/^http:\/\/(localhost|127\.0\.0\.1)(:|\/|$)/.test(c.endpoint)) {
        failures.push({ property: "connection", reason: `connection.endpoint ${c.endpoint} is plain http: the client secret would cross the network unencrypted; use https` });
    }
    if (!c?.resource) failures.push({ property: "connection", reason: "connection.resource must be the Management API indicator, e.g. https://default.logto.app/api" });
    if (!c?.appId || !c?.appSecret) failures.push({ property: "connection", reason: "connection.appId and connection.appSecret (the M2M app's credentials) are required" });
}

interface Identity {
    readonly connection: LogtoConnection;
    readonly key: string;
    readonly name: string;
    readonly description: string;
}

/**
 * The diff both kinds share: another Logto or another identity key replaces; new M2M credentials
 * only update the state (so later calls use them); a new name or description updates.
 */
function identityDiff(olds: Identity, news: Identity): { replaces: string[]; changed: boolean } {
    const o = olds.connection;
    const n = news.connection;
    const replaces = [...(o.endpoint !== n.endpoint || o.resource !== n.resource ? ["connection"] : []), ...(olds.key !== news.key ? ["key"] : [])];
    const changed =
        replaces.length > 0 ||
        o.appId !== n.appId ||
        o.appSecret !== n.appSecret ||
        o.timeoutMs !== n.timeoutMs ||
        olds.name !== news.name ||
        olds.description !== news.description;
    return { replaces, changed };
}

async function ensureAdmins(client: LogtoClient, orgId: string, emails: readonly string[]): Promise<{ adminMembers: Array<{ email: string; userId: string }>; pendingAdminEmails: string[] }> {
    const adminMembers: Array<{ email: string; userId: string }> = [];
    const pendingAdminEmails: string[] = [];
    for (const email of sorted(emails)) {
        const userId = await client.findUserIdByEmail(email);
        if (userId) adminMembers.push({ email, userId });
        else pendingAdminEmails.push(email);
    }
    const ids = adminMembers.map((a) => a.userId);
    await client.addOrganizationUsers(orgId, ids);
    const adminRole = await client.findOrganizationRoleId("admin");
    if (adminRole) await client.assignOrganizationRoles(orgId, ids, [adminRole]);
    return { adminMembers, pendingAdminEmails };
}

/**
 * Admins dropped from the tenant file lose what the platform gave them: the admin role, and
 * membership too unless their email domain is one of the organization's (a domain user would
 * belong anyway, and removing them would lock them out).
 */
async function revokeAdmins(client: LogtoClient, orgId: string, olds: OrganizationOutputs, news: OrganizationInputs): Promise<void> {
    const dropped = (olds.adminMembers ?? []).filter((a) => !news.adminEmails.includes(a.email));
    if (!dropped.length) return;
    const adminRole = await client.findOrganizationRoleId("admin");
    for (const a of dropped) {
        if (adminRole) await client.removeOrganizationRole(orgId, a.userId, adminRole);
        const domain = a.email.slice(a.email.lastIndexOf("@") + 1).toLowerCase();
        if (!news.jitEmailDomains.includes(domain)) await client.removeOrganizationUser(orgId, a.userId);
    }
}

async function applyOrganization(client: LogtoClient, id: string, i: OrganizationInputs): Promise<OrganizationOutputs> {
    await client.updateOrganization(id, { name: i.name, description: i.description, customData: { managedBy: MANAGED_BY, llmopsKey: i.key } });
    await client.setJitEmailDomains(id, sorted(i.jitEmailDomains));
    const admins = await ensureAdmins(client, id, i.adminEmails);
    return { ...i, organizationId: id, ...admins };
}

export const organizationProvider: pulumi.dynamic.ResourceProvider = {
    async check(_olds: OrganizationInputs, news: OrganizationInputs) {
        const failures: pulumi.dynamic.CheckFailure[] = [];
        checkConnection(news.connection, failures);
        if (!news.name) failures.push({ property: "name", reason: "name is required" });
        if (!news.key) failures.push({ property: "key", reason: "key is required" });
        return { inputs: news, failures };
    },

    async diff(_id: string, olds: OrganizationOutputs, news: OrganizationInputs) {
        const { replaces, changed: identityChanged } = identityDiff(olds, news);
        const changed =
            identityChanged ||
            !sameSet(olds.jitEmailDomains, news.jitEmailDomains) ||
            !sameSet(olds.adminEmails, news.adminEmails) ||
            // Keep trying until every listed admin has an account and is a member.
            (olds.pendingAdminEmails ?? []).length > 0;
        return { changes: changed, replaces, deleteBeforeReplace: false };
    },

    async create(inputs: OrganizationInputs) {
        const client = new LogtoClient(inputs.connection);
        const existing = (await client.findOrganizations(inputs.name)).find((o) => o.customData?.["llmopsKey"] === inputs.key);
        const id = existing?.id ?? (await client.createOrganization({ name: inputs.name, description: inputs.description, customData: { managedBy: MANAGED_BY, llmopsKey: inputs.key } })).id;
        return { id, outs: await applyOrganization(client, id, inputs) };
    },

    async read(id: string, props: OrganizationOutputs) {
        const client = new LogtoClient(props.connection);
        const org = await client.getOrganization(id);
        if (!org) return {}; // deleted outside Pulumi: a refresh drops it, and the next up recreates it
        const members = new Set(await client.organizationUserIds(id));
        // An admin removed from the organization by hand is drift: pending again, so the next update adds them back.
        const kept = (props.adminMembers ?? []).filter((a) => members.has(a.userId));
        const removed = (props.adminMembers ?? []).filter((a) => !members.has(a.userId)).map((a) => a.email);
        const outs: OrganizationOutputs = {
            ...props,
            name: org.name,
            description: org.description ?? "",
            jitEmailDomains: await client.getJitEmailDomains(id),
            adminMembers: kept,
            pendingAdminEmails: sorted([...(props.pendingAdminEmails ?? []), ...removed]),
        };
        return { id, props: outs };
    },

    async update(id: string, olds: OrganizationOutputs, news: OrganizationInputs) {
        const client = new LogtoClient(news.connection);
        await revokeAdmins(client, id, olds, news);
        return { outs: await applyOrganization(client, id, news) };
    },

    async delete(id: string, props: OrganizationOutputs) {
        await new LogtoClient(props.connection).deleteOrganization(id);
    },
};

async function applyApplication(client: LogtoClient, id: string, i: ApplicationInputs): Promise<ApplicationOutputs> {
    await client.updateApplication(id, {
        name: i.name,
        description: i.description,
        oidcClientMetadata: { redirectUris: i.redirectUris, postLogoutRedirectUris: i.postLogoutRedirectUris },
        customData: { managedBy: MANAGED_BY, llmopsKey: i.key },
    });
    await client.requireOrganizations(id, i.organizationIds);
    return { ...i, applicationId: id, clientSecret: await client.clientSecret(id, SECRET_NAME) };
}

export const applicationProvider: pulumi.dynamic.ResourceProvider = {
    async check(_olds: ApplicationInputs, news: ApplicationInputs) {
        const failures: pulumi.dynamic.CheckFailure[] = [];
        checkConnection(news.connection, failures);
        if (!news.name) failures.push({ property: "name", reason: "name is required" });
        if (!news.redirectUris?.length) failures.push({ property: "redirectUris", reason: "at least one redirect URI is required" });
        for (const uri of news.redirectUris ?? []) if (!/^https?:\/\//.test(uri)) failures.push({ property: "redirectUris", reason: `${uri} is not an absolute http(s) URL` });
        if (!news.organizationIds?.length) failures.push({ property: "organizationIds", reason: "an app must be limited to at least one organization, or any Logto user could sign in" });
        return { inputs: news, failures };
    },

    async diff(_id: string, olds: ApplicationOutputs, news: ApplicationInputs) {
        const { replaces, changed: identityChanged } = identityDiff(olds, news);
        const changed =
            identityChanged ||
            JSON.stringify(olds.redirectUris) !== JSON.stringify(news.redirectUris) ||
            JSON.stringify(olds.postLogoutRedirectUris) !== JSON.stringify(news.postLogoutRedirectUris) ||
            !sameSet(olds.organizationIds, news.organizationIds);
        return { changes: changed, replaces, deleteBeforeReplace: false };
    },

    async create(inputs: ApplicationInputs) {
        const client = new LogtoClient(inputs.connection);
        const existing = (await client.listApplications()).find((a) => a.customData?.["llmopsKey"] === inputs.key);
        const id =
            existing?.id ??
            (
                await client.createApplication({
                    name: inputs.name,
                    description: inputs.description,
                    type: "Traditional",
                    oidcClientMetadata: { redirectUris: inputs.redirectUris, postLogoutRedirectUris: inputs.postLogoutRedirectUris },
                    customData: { managedBy: MANAGED_BY, llmopsKey: inputs.key },
                })
            ).id;
        return { id, outs: await applyApplication(client, id, inputs) };
    },

    async read(id: string, props: ApplicationOutputs) {
        const client = new LogtoClient(props.connection);
        const app = await client.getApplication(id);
        if (!app) return {};
        const access = await client.getAccessControl(id);
        const outs: ApplicationOutputs = {
            ...props,
            name: app.name,
            description: app.description ?? "",
            redirectUris: app.oidcClientMetadata?.redirectUris ?? [],
            postLogoutRedirectUris: app.oidcClientMetadata?.postLogoutRedirectUris ?? [],
            // Access control switched off by hand reads as no organization gate: the next update restores it.
            organizationIds: app.appLevelAccessControlEnabled ? sorted(access.organizationIds) : [],
        };
        return { id, props: outs };
    },

    async update(id: string, _olds: ApplicationOutputs, news: ApplicationInputs) {
        return { outs: await applyApplication(new LogtoClient(news.connection), id, news) };
    },

    async delete(id: string, props: ApplicationOutputs) {
        await new LogtoClient(props.connection).deleteApplication(id);
    },
};
