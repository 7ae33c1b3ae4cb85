import { randomBytes } from "node:crypto";
import * as http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A fake of the Logto Management API (the subset the platform uses), stateful and on loopback,
 * with the status codes and error shapes of Logto 1.42: POST /api/applications answers 200 and
 * hides the secret, organizations answer 201, deletes 204, missing entities 404
 * `entity.not_exists_with_id`, duplicates 422. Faults can be injected per request.
 */

interface Org {
    id: string;
    name: string;
    description: string;
    customData: Record<string, unknown>;
    jit: string[];
    members: Set<string>;
    roles: Map<string, Set<string>>;
}
interface App {
    id: string;
    name: string;
    description: string;
    type: string;
    oidcClientMetadata: unknown;
    customData: Record<string, unknown>;
    appLevelAccessControlEnabled: boolean;
    secrets: Array<{ name: string; value: string; expiresAt: number | null }>;
    access: { userIds: string[]; userRoleIds: string[]; organizationIds: string[]; organizationRoleRules: unknown[] };
}

export interface Fault {
    readonly method: string;
    readonly path: RegExp;
    readonly status?: number;
    readonly body?: unknown;
    /** Delay before answering, for timeout tests. */
    readonly delayMs?: number;
    /** How many requests it applies to. @default 1 */
    times?: number;
}

export class FakeLogto {
    readonly orgs = new Map<string, Org>();
    readonly apps = new Map<string, App>();
    readonly users = new Map<string, { id: string; primaryEmail: string }>();
    readonly orgRoles = new Map<string, { id: string; name: string }>();
    readonly requests: string[] = [];
    m2m = { appId: "m2m-app", secret: "m2m-secret-1" };
    private readonly tokens = new Map<string, number>();
    private readonly faults: Fault[] = [];
    private server?: http.Server;
    url = "";

    async start(): Promise<this> {
        this.server = http.createServer((req, res) => void this.handle(req, res));
        await new Promise<void>((r) => this.server!.listen(0, "127.0.0.1", r));
        this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
        return this;
    }

    async stop(): Promise<void> {
        this.server?.closeAllConnections();
        await new Promise((r) => this.server?.close(r));
    }

    inject(fault: Fault): void {
        this.faults.push({ times: 1, ...fault });
    }

    addUser(email: string): string {
        const id = `user-${randomBytes(4).toString("hex")}`;
        this.users.set(id, { id, primaryEmail: email });
        return id;
    }

    addOrgRole(name: string): string {
        const id = `role-${name}`;
        this.orgRoles.set(id, { id, name });
        return id;
    }

    /** Rotates the M2M app's secret; tokens issued before stay valid until they expire, as in Logto. */
    rotateSecret(secret: string): void {
        this.m2m = { ...this.m2m, secret };
    }

    revokeTokens(): void {
        this.tokens.clear();
    }

    private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
        const chunks: Buffer[] = [];
        for await (const c of req) chunks.push(c as Buffer);
        const raw = Buffer.concat(chunks).toString("utf8");
        const url = new URL(req.url ?? "/", this.url);
        const method = req.method ?? "GET";
        this.requests.push(`${method} ${url.pathname}`);
        const send = (status: number, body?: unknown) => {
            res.writeHead(status, body === undefined ? {} : { "content-type": "application/json" });
            res.end(body === undefined ? undefined : JSON.stringify(body));
        };
        const fault = this.faults.find((f) => f.method === method && f.path.test(url.pathname) && (f.times ?? 0) > 0);
        if (fault) {
            fault.times = (fault.times ?? 1) - 1;
            if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
            if (fault.status) return send(fault.status, fault.body);
        }
        try {
            if (url.pathname === "/oidc/token" && method === "POST") return this.token(req, raw, send);
            const auth = req.headers.authorization ?? "";
            const token = auth.replace(/^Bearer /, "");
            if (!this.tokens.has(token) || this.tokens.get(token)! < Date.now())
                return send(401, { code: "auth.unauthorized", message: "Unauthorized." });
            const body = raw ? JSON.parse(raw) : undefined;
            return this.api(method, url, body, send);
        } catch (e) {
            return send(500, { message: `Internal server error. ${(e as Error).message}` });
        }
    }

    private token(req: http.IncomingMessage, raw: string, send: (s: number, b?: unknown) => void): void {
        const [id, secret] = Buffer.from((req.headers.authorization ?? "").replace(/^Basic /, ""), "base64")
            .toString()
            .split(":");
        const form = new URLSearchParams(raw);
        if (id !== this.m2m.appId || secret !== this.m2m.secret)
            return send(401, { error: "invalid_client", error_description: "client authentication failed" });
        if (
            form.get("grant_type") !== "client_credentials" ||
            form.get("scope") !== "all" ||
            form.get("resource") !== "https://default.logto.app/api"
        ) {
            return send(400, { error: "invalid_target", error_description: "bad resource or scope" });
        }
        const value = randomBytes(16).toString("hex");
        this.tokens.set(value, Date.now() + 3_600_000);
        return send(200, { access_token: value, expires_in: 3600, token_type: "Bearer", scope: "all" });
    }

    private api(method: string, url: URL, body: any, send: (s: number, b?: unknown) => void): void {
        const p = url.pathname.split("/").filter(Boolean).map(decodeURIComponent); // ["api", ...]
        // Logto paginates every list: `page` (from 1) and `page_size` (default 20).
        const paged = <T>(rows: T[]): T[] => {
            const page = Number(url.searchParams.get("page") ?? 1);
            const size = Number(url.searchParams.get("page_size") ?? 20);
            return rows.slice((page - 1) * size, page * size);
        };
        const notFound = () => send(404, { code: "entity.not_exists_with_id", message: "The entity does not exist." });
        const orgView = (o: Org) => ({ id: o.id, name: o.name, description: o.description, customData: o.customData });
        const appView = (a: App) => ({
            id: a.id,
            name: a.name,
            description: a.description,
            type: a.type,
            oidcClientMetadata: a.oidcClientMetadata,
            customData: a.customData,
            appLevelAccessControlEnabled: a.appLevelAccessControlEnabled,
        });

        if (p[1] === "organizations") {
            if (p.length === 2 && method === "GET") {
                const q = (url.searchParams.get("q") ?? "").toLowerCase();
                return send(200, paged([...this.orgs.values()].filter((o) => o.name.toLowerCase().includes(q) || o.id === q).map(orgView)));
            }
            if (p.length === 2 && method === "POST") {
                if ([...this.orgs.values()].some((o) => o.name === body.name && false)) return send(422, {});
                const id = randomBytes(6).toString("hex");
                this.orgs.set(id, {
                    id,
                    name: body.name,
                    description: body.description ?? "",
                    customData: body.customData ?? {},
                    jit: [],
                    members: new Set(),
                    roles: new Map(),
                });
                return send(201, orgView(this.orgs.get(id)!));
            }
            const org = this.orgs.get(p[2]!);
            if (!org) return notFound();
            if (p.length === 3) {
                if (method === "GET") return send(200, orgView(org));
                if (method === "PATCH") {
                    Object.assign(org, {
                        name: body.name ?? org.name,
                        description: body.description ?? org.description,
                        customData: body.customData ?? org.customData,
                    });
                    return send(200, orgView(org));
                }
                if (method === "DELETE") {
                    this.orgs.delete(org.id);
                    return send(204);
                }
            }
            if (p[3] === "jit" && p[4] === "email-domains") {
                if (method === "GET") return send(200, paged(org.jit.map((d) => ({ organizationId: org.id, emailDomain: d }))));
                if (method === "PUT") {
                    org.jit = [...body.emailDomains];
                    return send(204);
                }
            }
            if (p[3] === "users" && p.length === 4) {
                if (method === "GET")
                    return send(
                        200,
                        paged(
                            [...org.members].map((id) => ({
                                id,
                                organizationRoles: [...(org.roles.get(id) ?? [])].map((r) => ({ id: r })),
                            })),
                        ),
                    );
                if (method === "POST") {
                    for (const id of body.userIds) {
                        if (!this.users.has(id))
                            return send(422, { code: "entity.relation_foreign_key_not_found", message: `user ${id} not found` });
                        org.members.add(id);
                    }
                    return send(201, { userIds: body.userIds });
                }
            }
            if (p[3] === "users" && p[4] === "roles" && method === "POST") {
                for (const id of body.userIds) {
                    if (!org.members.has(id))
                        return send(422, { code: "organization.require_membership", message: "The user must be a member." });
                    org.roles.set(id, new Set([...(org.roles.get(id) ?? []), ...body.organizationRoleIds]));
                }
                return send(201);
            }
            if (p[3] === "users" && p[5] === "roles" && p.length === 7 && method === "DELETE") {
                if (!org.roles.get(p[4]!)?.delete(p[6]!))
                    return send(404, { code: "entity.not_found", message: "no such role of the user" });
                return send(204);
            }
            if (p[3] === "users" && p.length === 5 && method === "DELETE") {
                org.members.delete(p[4]!);
                return send(204);
            }
        }
        if (p[1] === "organization-roles" && method === "GET") {
            const q = url.searchParams.get("q") ?? "";
            return send(200, paged([...this.orgRoles.values()].filter((r) => r.name.includes(q))));
        }
        if (p[1] === "users" && p.length === 2 && method === "GET") {
            const email = url.searchParams.get("search.primaryEmail") ?? "";
            if (url.searchParams.get("mode.primaryEmail") !== "exact")
                return send(400, { code: "request.invalid_input", message: "the fake only supports exact email search" });
            return send(
                200,
                [...this.users.values()].filter((u) => u.primaryEmail.toLowerCase() === email.toLowerCase()),
            );
        }
        if (p[1] === "applications") {
            if (p.length === 2 && method === "GET") {
                return send(200, paged([...this.apps.values()].map(appView)));
            }
            if (p.length === 2 && method === "POST") {
                const id = randomBytes(10).toString("hex").slice(0, 21);
                const meta = body.oidcClientMetadata;
                if (meta && (!Array.isArray(meta.redirectUris) || !Array.isArray(meta.postLogoutRedirectUris)))
                    return send(400, { code: "guard.invalid_input", message: "oidcClientMetadata is incomplete" });
                this.apps.set(id, {
                    id,
                    name: body.name,
                    description: body.description ?? "",
                    type: body.type,
                    oidcClientMetadata: meta,
                    customData: body.customData ?? {},
                    appLevelAccessControlEnabled: false,
                    secrets: [{ name: "Default secret", value: randomBytes(16).toString("hex"), expiresAt: null }],
                    access: { userIds: [], userRoleIds: [], organizationIds: [], organizationRoleRules: [] },
                });
                // Logto >= 1.42 answers 200 and hides the internal secret.
                return send(200, appView(this.apps.get(id)!));
            }
            const app = this.apps.get(p[2]!);
            if (!app) return notFound();
            if (p.length === 3) {
                if (method === "GET") return send(200, { ...appView(app), isAdmin: false });
                if (method === "PATCH") {
                    if (body.appLevelAccessControlEnabled === true) {
                        const a = app.access;
                        if (!a.userIds.length && !a.userRoleIds.length && !a.organizationIds.length && !a.organizationRoleRules.length) {
                            return send(422, {
                                code: "request.invalid_input",
                                message: "Application access control must include at least one rule before it can be enabled.",
                            });
                        }
                    }
                    if ("type" in body) return send(400, { code: "guard.invalid_input", message: "type cannot be changed" });
                    Object.assign(app, Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined)));
                    return send(200, appView(app));
                }
                if (method === "DELETE") {
                    this.apps.delete(app.id);
                    return send(204);
                }
            }
            if (p[3] === "secrets") {
                if (method === "GET")
                    return send(
                        200,
                        app.secrets.map((s) => ({ applicationId: app.id, ...s })),
                    );
                if (method === "POST") {
                    if (app.secrets.some((s) => s.name === body.name))
                        return send(422, { code: "application.secret_name_exists", message: "exists" });
                    const secret = { name: body.name, value: randomBytes(16).toString("hex"), expiresAt: body.expiresAt ?? null };
                    app.secrets.push(secret);
                    return send(201, { applicationId: app.id, ...secret });
                }
            }
            if (p[3] === "access-control") {
                if (method === "GET") return send(200, app.access);
                if (method === "PUT") {
                    for (const k of ["userIds", "userRoleIds", "organizationIds", "organizationRoleRules"])
                        if (!Array.isArray(body[k])) return send(400, { code: "guard.invalid_input", message: `${k} is required` });
                    app.access = body;
                    return send(200, body);
                }
            }
        }
        return send(404, { code: "request.not_found", message: `no route ${method} ${url.pathname}` });
    }
}
