/**
 * A small client for the Logto Management API (self-hosted OSS and Logto Cloud; shapes from
 * logto-io/logto v1.42.0). It runs inside Pulumi's dynamic provider, so it depends on nothing but
 * Node's built-ins (`fetch`, `AbortSignal`, `Buffer`).
 */

/** Where the Management API is and the machine-to-machine app that may use it. */
export interface LogtoConnection {
    /** The Logto endpoint, e.g. `https://auth.example.com`; the OIDC issuer is `<endpoint>/oidc`. */
    readonly endpoint: string;
    /** Management API resource indicator: `https://default.logto.app/api` (OSS) or `https://<tenant>.logto.app/api` (Cloud). */
    readonly resource: string;
    readonly appId: string;
    readonly appSecret: string;
    /** Per-request timeout. @default 15000 */
    readonly timeoutMs?: number;
}

/** A failed Management API call, with what Logto said. */
export class LogtoError extends Error {
    constructor(
        message: string,
        readonly status?: number,
        readonly code?: string,
    ) {
        super(message);
        this.name = "LogtoError";
    }
}

/** An organization as Logto's Management API returns it (the Pulumi resource is `LogtoOrganization`). */
export interface OrganizationRecord {
    id: string;
    name: string;
    description?: string | null;
    customData?: Record<string, unknown>;
}

/** An application as Logto's Management API returns it (the Pulumi resource is `LogtoApplication`). */
export interface ApplicationRecord {
    id: string;
    name: string;
    description?: string | null;
    type: string;
    oidcClientMetadata?: { redirectUris: string[]; postLogoutRedirectUris: string[] };
    customData?: Record<string, unknown>;
    appLevelAccessControlEnabled?: boolean;
}

export interface AccessControl {
    userIds: string[];
    userRoleIds: string[];
    organizationIds: string[];
    organizationRoleRules: Array<{ organizationId: string; organizationRoleIds: string[] }>;
}

// An array, not a Set: the dynamic provider's code is serialized with what it captures, and a
// captured Set arrives as a plain object (`Set.prototype.has called on incompatible receiver`).
const RETRYABLE: readonly number[] = [429, 502, 503, 504];

/** Rows per page of list calls (Logto allows up to 100). */
const PAGE_SIZE = 100;

export class LogtoClient {
    private accessToken?: { value: string; expiresAt: number };
    private readonly base: string;

    constructor(
        private readonly conn: LogtoConnection,
        private readonly opts: { retries?: number; retryDelayMs?: number } = {},
    ) {
        this.base = conn.endpoint.replace(/\/+$/, "");
    }

    private timeout(): number {
        return this.conn.timeoutMs ?? 15_000;
    }

    private async fetchWithTimeout(url: string, init: RequestInit, what: string): Promise<Response> {
        try {
            return await fetch(url, { ...init, signal: AbortSignal.timeout(this.timeout()) });
        } catch (e) {
            const err = e as Error;
            if (err.name === "TimeoutError" || err.name === "AbortError") {
                throw new LogtoError(`Logto Management API: ${what} timed out after ${this.timeout()} ms (endpoint ${this.base}).`);
            }
            throw new LogtoError(`Logto Management API: ${what} failed: ${err.message} (endpoint ${this.base}; is it reachable from where Pulumi runs?).`);
        }
    }

    /** An access token for the Management API (client credentials, HTTP Basic), cached until shortly before it expires. */
    async token(): Promise<string> {
        if (this.accessToken && this.accessToken.expiresAt > Date.now()) return this.accessToken.value;
        const basic = Buffer.from(`${this.conn.appId}:${this.conn.appSecret}`).toString("base64");
        const res = await this.fetchWithTimeout(
            `${this.base}/oidc/token`,
            {
                method: "POST",
                headers: { authorization: `Basic ${basic}`, "content-type": "application/x-www-form-urlencoded" },
                body: new URLSearchParams({ grant_type: "client_credentials", resource: this.conn.resource, scope: "all" }).toString(),
            },
            "POST /oidc/token",
        );
        const body = (await res.json().catch(() => ({}))) as { access_token?: string; expires_in?: number; error?: string; error_description?: string };
        if (!res.ok || !body.access_token) {
            throw new LogtoError(
                `Logto Management API: could not get an access token for M2M app \`${this.conn.appId}\` at ${this.base}/oidc/token: ` +
                    `${res.status} ${body.error ?? ""} ${body.error_description ?? ""}`.trim() +
                    `. Check the app id, its secret and that it has the "Logto Management API access" role (resource ${this.conn.resource}).`,
                res.status,
                body.error,
            );
        }
        this.accessToken = { value: body.access_token, expiresAt: Date.now() + Math.max(0, (body.expires_in ?? 3600) - 60) * 1000 };
        return body.access_token;
    }

    /** One API call. Retries throttling and gateway errors; returns undefined for a 404 when `allow404`. */
    async request<T>(method: string, path: string, body?: unknown, opts: { allow404?: boolean } = {}): Promise<T | undefined> {
        const what = `${method} ${path}`;
        const retries = this.opts.retries ?? 3;
        for (let attempt = 0; ; attempt++) {
            const res = await this.fetchWithTimeout(
                `${this.base}${path}`,
                {
                    method,
                    headers: { authorization: `Bearer ${await this.token()}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
                    body: body === undefined ? undefined : JSON.stringify(body),
                },
                what,
            );
            if (res.status === 401 && attempt === 0) {
                this.accessToken = undefined; // the token may have been revoked or the secret rotated
                continue;
            }
            if (RETRYABLE.includes(res.status) && attempt < retries) {
                await new Promise((r) => setTimeout(r, (this.opts.retryDelayMs ?? 500) * 2 ** attempt));
                continue;
            }
            if (res.status === 404 && opts.allow404) return undefined;
            const text = await res.text();
            if (!res.ok) {
                let code: string | undefined;
                let message = text.slice(0, 300);
                try {
                    const err = JSON.parse(text) as { code?: string; message?: string };
                    code = err.code;
                    message = err.message ?? message;
                } catch {
                    // not JSON: keep the text
                }
                throw new LogtoError(`Logto Management API: ${what} returned ${res.status}${code ? ` ${code}` : ""}: ${message}`, res.status, code);
            }
            return (text ? JSON.parse(text) : undefined) as T;
        }
    }

    /** Every row of a paginated list (Logto's `page` and `page_size`), not just the first page. */
    private async listAll<T>(path: string): Promise<T[]> {
        const all: T[] = [];
        const sep = path.includes("?") ? "&" : "?";
        for (let page = 1; page <= 100; page++) {
            const batch = (await this.request<T[]>("GET", `${path}${sep}page=${page}&page_size=${PAGE_SIZE}`)) ?? [];
            all.push(...batch);
            if (batch.length < PAGE_SIZE) return all;
        }
        throw new LogtoError(`Logto Management API: GET ${path} has more than ${100 * PAGE_SIZE} rows`, 0);
    }

    // Organizations

    getOrganization(id: string): Promise<OrganizationRecord | undefined> {
        return this.request<OrganizationRecord>("GET", `/api/organizations/${encodeURIComponent(id)}`, undefined, { allow404: true });
    }

    async findOrganizations(q: string): Promise<OrganizationRecord[]> {
        return this.listAll<OrganizationRecord>(`/api/organizations?q=${encodeURIComponent(q)}`);
    }

    async createOrganization(body: { name: string; description?: string; customData?: Record<string, unknown> }): Promise<OrganizationRecord> {
        return (await this.request<OrganizationRecord>("POST", "/api/organizations", body))!;
    }

    async updateOrganization(id: string, body: { name?: string; description?: string; customData?: Record<string, unknown> }): Promise<void> {
        await this.request("PATCH", `/api/organizations/${encodeURIComponent(id)}`, body);
    }

    async deleteOrganization(id: string): Promise<void> {
        await this.request("DELETE", `/api/organizations/${encodeURIComponent(id)}`, undefined, { allow404: true });
    }

    async getJitEmailDomains(id: string): Promise<string[]> {
        const rows = await this.listAll<{ emailDomain: string }>(`/api/organizations/${encodeURIComponent(id)}/jit/email-domains`);
        return rows.map((r) => r.emailDomain).sort();
    }

    async setJitEmailDomains(id: string, emailDomains: readonly string[]): Promise<void> {
        await this.request("PUT", `/api/organizations/${encodeURIComponent(id)}/jit/email-domains`, { emailDomains });
    }

    async findUserIdByEmail(email: string): Promise<string | undefined> {
        const users = (await this.request<Array<{ id: string; primaryEmail?: string }>>("GET", `/api/users?search.primaryEmail=${encodeURIComponent(email)}&mode.primaryEmail=exact`)) ?? [];
        return users.find((u) => u.primaryEmail?.toLowerCase() === email.toLowerCase())?.id;
    }

    async organizationUserIds(id: string): Promise<string[]> {
        const users = await this.listAll<{ id: string }>(`/api/organizations/${encodeURIComponent(id)}/users`);
        return users.map((u) => u.id).sort();
    }

    async removeOrganizationUser(id: string, userId: string): Promise<void> {
        await this.request("DELETE", `/api/organizations/${encodeURIComponent(id)}/users/${encodeURIComponent(userId)}`, undefined, { allow404: true });
    }

    async removeOrganizationRole(id: string, userId: string, organizationRoleId: string): Promise<void> {
        await this.request("DELETE", `/api/organizations/${encodeURIComponent(id)}/users/${encodeURIComponent(userId)}/roles/${encodeURIComponent(organizationRoleId)}`, undefined, { allow404: true });
    }

    async addOrganizationUsers(id: string, userIds: readonly string[]): Promise<void> {
        if (userIds.length) await this.request("POST", `/api/organizations/${encodeURIComponent(id)}/users`, { userIds });
    }

    async findOrganizationRoleId(name: string): Promise<string | undefined> {
        const roles = await this.listAll<{ id: string; name: string }>(`/api/organization-roles?q=${encodeURIComponent(name)}`);
        return roles.find((r) => r.name === name)?.id;
    }

    async assignOrganizationRoles(id: string, userIds: readonly string[], organizationRoleIds: readonly string[]): Promise<void> {
        if (userIds.length && organizationRoleIds.length) await this.request("POST", `/api/organizations/${encodeURIComponent(id)}/users/roles`, { userIds, organizationRoleIds });
    }

    // Applications

    getApplication(id: string): Promise<ApplicationRecord | undefined> {
        return this.request<ApplicationRecord>("GET", `/api/applications/${encodeURIComponent(id)}`, undefined, { allow404: true });
    }

    listApplications(): Promise<ApplicationRecord[]> {
        return this.listAll<ApplicationRecord>("/api/applications");
    }

    async createApplication(body: Omit<ApplicationRecord, "id">): Promise<ApplicationRecord> {
        return (await this.request<ApplicationRecord>("POST", "/api/applications", body))!;
    }

    async updateApplication(id: string, body: Partial<Omit<ApplicationRecord, "id" | "type">>): Promise<void> {
        await this.request("PATCH", `/api/applications/${encodeURIComponent(id)}`, body);
    }

    async deleteApplication(id: string): Promise<void> {
        await this.request("DELETE", `/api/applications/${encodeURIComponent(id)}`, undefined, { allow404: true });
    }

    /**
     * The app's client secret. Since Logto 1.42 the create response hides it; it is the value of
     * the "Default secret" entry (or of a secret this client minted), never `application.secret`.
     */
    async clientSecret(id: string, mintName: string): Promise<string> {
        const secrets = (await this.request<Array<{ name: string; value: string; expiresAt?: number | null }>>("GET", `/api/applications/${encodeURIComponent(id)}/secrets`)) ?? [];
        const usable = secrets.filter((s) => !s.expiresAt || s.expiresAt > Date.now());
        const found = usable.find((s) => s.name === mintName) ?? usable.find((s) => s.name === "Default secret");
        if (found) return found.value;
        const created = await this.request<{ value: string }>("POST", `/api/applications/${encodeURIComponent(id)}/secrets`, { name: mintName });
        return created!.value;
    }

    async getAccessControl(id: string): Promise<AccessControl> {
        return (await this.request<AccessControl>("GET", `/api/applications/${encodeURIComponent(id)}/access-control`))!;
    }

    /** Lets only members of these organizations sign in to the app (rules first, then enable). */
    async requireOrganizations(id: string, organizationIds: readonly string[]): Promise<void> {
        await this.request("PUT", `/api/applications/${encodeURIComponent(id)}/access-control`, { userIds: [], userRoleIds: [], organizationIds, organizationRoleRules: [] });
        await this.updateApplication(id, { appLevelAccessControlEnabled: true });
    }
}
