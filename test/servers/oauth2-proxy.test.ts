import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Capture } from "../../cli/mock-runtime";
import { stackCapture } from "../support/capture";
import { containerRun, type ContainerRun, rootedPath } from "../support/pod";
import { find, ofKind } from "../support/resources";
import { freePort, waitForPort } from "../support/servers";
import { requireServerTool } from "../support/tools";
import { INGRESS_NGINX_DEFAULTS, nginxSizeBytes } from "../support/ingress-nginx";
import { APP_MODULES } from "../../components/apps/registry";
import { STACKS as ALL_STACKS, platformConfigOf } from "../support/stacks";
import { TestPki } from "../support/pki";

/**
 * The SSO gates' real oauth2-proxy (scripts/servers/install-go.sh, the image's version), started
 * with exactly the args and env (Secrets resolved) the program emits, against a mock OIDC issuer
 * (mockoidc) at the emitted issuer URL with only its host rewritten to loopback. The issuer is
 * https, so the mock serves TLS with a CA made here, trusted through SSL_CERT_FILE. A scripted
 * browser (follows redirects, keeps cookies, speaks to the gate as the Ingress does) signs in.
 */
/** Stacks whose config turns SSO on, and the apps an SSO gate fronts there. */
const STACKS = ALL_STACKS.filter((s) => platformConfigOf(s).sso?.enabled === true);
const APPS: readonly string[] = APP_MODULES.filter((m) => m.exposure.sso === "gate").map((m) => m.name);
const oauth2Proxy = requireServerTool("oauth2-proxy");
const mockOidc = requireServerTool("mockoidc");
/** oauth2-proxy's default --upstream-timeout (pkg/apis/options/upstreams.go DefaultUpstreamTimeout at v7.15.3). */
const OAUTH2_PROXY_DEFAULT_UPSTREAM_TIMEOUT_S = 30;
/** ingress-nginx defaults (annotations.md / configmap.md): proxy_buffer_size 4k, proxy-read-timeout 60 s, proxy-body-size 1m. */
/** Tenants of one stack (README "Benchmarks and scale": keep a stack to about 50). */
const OPERATOR_ORGANIZATIONS = 50;

interface Gate {
    readonly stack: string;
    readonly app: string;
    readonly namespace: string;
    readonly run: ContainerRun;
    readonly publicHost: string;
    readonly ingressAnnotations: Record<string, string>;
    port: number;
    proc?: ChildProcess;
    log: string;
}

interface Upstream {
    readonly port: number;
    readonly server: http.Server;
    readonly seen: Array<{ path: string; headers: http.IncomingHttpHeaders; bodyBytes: number }>;
}

interface Response {
    readonly status: number;
    readonly headers: http.IncomingHttpHeaders;
    readonly rawHeaders: string[];
    readonly body: string;
    /** Bytes of the status line and header block as sent. */
    readonly headerBytes: number;
}

/** A browser behind the Ingress: requests to the app's public host go to the gate on loopback, with the headers ingress-nginx adds. */
class Browser {
    readonly cookies = new Map<string, string>();
    constructor(
        private readonly gate: Gate,
        private readonly ca: Buffer,
    ) {}

    async request(url: string, opts: { method?: string; headers?: Record<string, string>; body?: Buffer } = {}): Promise<Response> {
        const u = new URL(url);
        const toGate = u.hostname === this.gate.publicHost;
        const headers: Record<string, string> = { accept: "text/html", ...opts.headers };
        if (this.cookies.size && toGate) headers["cookie"] = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
        if (opts.body) headers["content-length"] = String(opts.body.length);
        const res = await new Promise<Response>((resolve, reject) => {
            const handle = (r: http.IncomingMessage) => {
                let body = "";
                r.setEncoding("utf8");
                r.on("data", (c: string) => (body += c));
                r.on("end", () => {
                    const lines = [`HTTP/1.1 ${r.statusCode} ${r.statusMessage}`];
                    for (let i = 0; i < r.rawHeaders.length; i += 2) lines.push(`${r.rawHeaders[i]}: ${r.rawHeaders[i + 1]}`);
                    resolve({
                        status: r.statusCode!,
                        headers: r.headers,
                        rawHeaders: r.rawHeaders,
                        body,
                        headerBytes: Buffer.byteLength(lines.join("\r\n") + "\r\n\r\n"),
                    });
                });
                r.on("error", reject);
            };
            const req = toGate
                ? http.request(
                      {
                          host: "127.0.0.1",
                          port: this.gate.port,
                          path: u.pathname + u.search,
                          method: opts.method ?? "GET",
                          headers: {
                              ...headers,
                              host: u.host,
                              "x-forwarded-proto": u.protocol.replace(":", ""),
                              "x-forwarded-host": u.host,
                              "x-forwarded-port": u.protocol === "https:" ? "443" : "80",
                              "x-forwarded-for": "127.0.0.1",
                          },
                      },
                      handle,
                  )
                : https.request(url, { method: opts.method ?? "GET", headers, ca: this.ca }, handle);
            req.on("error", reject);
            req.end(opts.body);
        });
        if (toGate) {
            for (const c of [res.headers["set-cookie"] ?? []].flat()) {
                const [pair] = c.split(";");
                const i = pair!.indexOf("=");
                const [name, value] = [pair!.slice(0, i), pair!.slice(i + 1)];
                if (/max-age=0|expires=thu, 01 jan 1970/i.test(c) || value === "") this.cookies.delete(name);
                else this.cookies.set(name, value);
            }
        }
        return res;
    }

    /** Follows redirects from `url`; returns every response on the way. */
    async follow(url: string, max = 10): Promise<Array<Response & { url: string }>> {
        const chain: Array<Response & { url: string }> = [];
        for (let next: string | undefined = url; next && chain.length < max;) {
            const res = await this.request(next);
            chain.push({ ...res, url: next });
            next =
                res.status >= 300 && res.status < 400 && res.headers.location ? new URL(res.headers.location, next).toString() : undefined;
        }
        return chain;
    }
}

function startProcess(bin: string, args: string[], env: Record<string, string | undefined>, onLog: (s: string) => void): ChildProcess {
    const p = spawn(bin, args, { env: { PATH: process.env["PATH"], ...env }, stdio: ["ignore", "pipe", "pipe"] });
    p.stdout.on("data", (d) => onLog(String(d)));
    p.stderr.on("data", (d) => onLog(String(d)));
    return p;
}

function stopProcess(p: ChildProcess | undefined): void {
    if (p && p.exitCode === null) p.kill("SIGTERM");
}

describe.skipIf(!oauth2Proxy || !mockOidc)("the SSO gate's oauth2-proxy (real)", () => {
    let dir: string;
    let ca: Buffer;
    const gates: Gate[] = [];
    let issuerProc: ChildProcess | undefined;
    let issuerPort: number;
    let issuerUrl: string;
    let issuerLog = "";
    let upstream: Upstream;
    const captures = new Map<string, Capture>();
    const delayS = OAUTH2_PROXY_DEFAULT_UPSTREAM_TIMEOUT_S + 2;

    /** Queues who signs in next at the mock issuer. */
    async function nextUser(user: { sub: string; email: string; organizations: string[] }): Promise<void> {
        const res = await new Promise<number>((resolve, reject) => {
            const req = https.request(
                `${new URL(issuerUrl).origin}/__users`,
                { method: "POST", ca, headers: { "content-type": "application/json" } },
                (r) => {
                    r.resume();
                    r.on("end", () => resolve(r.statusCode!));
                },
            );
            req.on("error", reject);
            req.end(JSON.stringify(user));
        });
        expect(res).toBe(204);
    }

    function tenantOf(g: Gate): { id: string; organizationId: string; emailDomain: string } {
        const id = g.namespace.replace(/^llm-/, "");
        const tenant = (captures.get(g.stack)!.outputs["tenants"] as any)[id];
        const org = ofKind(captures.get(g.stack)!, "Namespace").find((n) => n.metadata.name === g.namespace);
        expect(org, `namespace ${g.namespace}`).toBeDefined();
        const domains = captures
            .get(g.stack)!
            .resources.filter(
                (r) =>
                    r.type === "pulumi-nodejs:dynamic:Resource" &&
                    r.inputs["kind"] === "logto:organization" &&
                    r.inputs["key"] === `${g.stack}/${id}`,
            )
            .map((r) => r.inputs["jitEmailDomains"] as string[])[0];
        expect(domains?.length, `email domains of ${id}`).toBeGreaterThan(0);
        return { id, organizationId: tenant.sso.organizationId, emailDomain: domains![0]! };
    }

    async function signIn(g: Gate, browser: Browser, who: { sub: string; email: string; organizations: string[] }, pathname = "/") {
        await nextUser(who);
        const chain = await browser.follow(`https://${g.publicHost}${pathname}`);
        const callback = chain.find((r) => new URL(r.url).pathname === "/oauth2/callback");
        return { chain, callback, last: chain[chain.length - 1]! };
    }

    beforeAll(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "oauth2-proxy-"));
        // A CA and a certificate for the issuer on 127.0.0.1, as a private IdP would have.
        new TestPki(dir).ca("llmops test CA").leaf("issuer", "/CN=127.0.0.1", "subjectAltName=IP:127.0.0.1\n");
        ca = fs.readFileSync(path.join(dir, "ca.crt"));

        // The app behind the gate: answers what it got; /slow answers after the delay.
        const seen: Upstream["seen"] = [];
        const server = http.createServer((req, res) => {
            let bodyBytes = 0;
            req.on("data", (c: Buffer) => (bodyBytes += c.length));
            req.on("end", () => {
                seen.push({ path: req.url!, headers: req.headers, bodyBytes });
                const answer = () =>
                    res.writeHead(200, { "content-type": "text/plain" }).end(`upstream ${req.method} ${req.url} ${bodyBytes}`);
                if (req.url!.startsWith("/slow")) setTimeout(answer, delayS * 1000);
                else answer();
            });
        });
        const upstreamPort = await freePort();
        await new Promise<void>((resolve) => server.listen(upstreamPort, "127.0.0.1", resolve));
        upstream = { port: upstreamPort, server, seen };

        for (const stack of STACKS) {
            const cap = await stackCapture(stack);
            captures.set(stack, cap);
            for (const app of APPS) {
                const deployments = ofKind(cap, "Deployment")
                    .filter((d) => d.metadata.name === `${app}-sso-gate`)
                    .sort((a, b) => a.metadata.namespace!.localeCompare(b.metadata.namespace!));
                const d = deployments[0];
                if (!d) continue;
                const namespace = d.metadata.namespace!;
                const run = containerRun(cap, "Deployment", namespace, `${app}-sso-gate`, "oauth2-proxy");
                const ingress = find(cap, "Ingress", namespace, app);
                gates.push({
                    stack,
                    app,
                    namespace,
                    run,
                    publicHost: ingress.spec.rules[0].host,
                    ingressAnnotations: ingress.metadata.annotations ?? {},
                    port: 0,
                    log: "",
                });
            }
        }
        // Every stack with SSO has both gates somewhere.
        expect(gates.map((g) => `${g.stack}/${g.app}`).sort()).toEqual(STACKS.flatMap((s) => APPS.map((a) => `${s}/${a}`)).sort());

        // One issuer for every gate: the emitted issuer URLs share Logto's path, only the host moves.
        const issuers = new Set(gates.map((g) => g.run.args.find((a) => a.startsWith("--oidc-issuer-url="))!.split("=")[1]!));
        for (const i of issuers) expect(new URL(i).pathname).toBe("/oidc");
        issuerPort = await freePort();
        issuerUrl = `https://127.0.0.1:${issuerPort}/oidc`;
    }, 300_000);

    /** The issuer, knowing the gate's client id and secret (one client at a time, as the mock accepts one). */
    async function startIssuer(g: Gate): Promise<void> {
        if (issuerProc) {
            const p = issuerProc;
            const exited = new Promise((resolve) => p.on("exit", resolve));
            stopProcess(p);
            await exited;
        }
        issuerLog = "";
        issuerProc = startProcess(
            mockOidc!,
            [
                "-address",
                `127.0.0.1:${issuerPort}`,
                "-client-id",
                g.run.env["OAUTH2_PROXY_CLIENT_ID"]!,
                "-client-secret-env",
                "OAUTH2_PROXY_CLIENT_SECRET",
                "-tls-cert",
                path.join(dir, "issuer.crt"),
                "-tls-key",
                path.join(dir, "issuer.key"),
            ],
            { OAUTH2_PROXY_CLIENT_SECRET: g.run.env["OAUTH2_PROXY_CLIENT_SECRET"] },
            (s) => (issuerLog += s),
        );
        await waitForPort(issuerPort);
    }

    afterAll(() => {
        for (const g of gates) stopProcess(g.proc);
        stopProcess(issuerProc);
        upstream?.server.closeAllConnections();
        upstream?.server.close();
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    /** Starts a gate as emitted; only the issuer host, the listen address and the upstream address move to loopback. */
    async function startGate(g: Gate): Promise<void> {
        await startIssuer(g);
        stopProcess(g.proc);
        g.port = await freePort();
        const root = path.join(dir, `${g.stack}-${g.app}`);
        for (const [file, content] of Object.entries(g.run.files)) {
            fs.mkdirSync(path.dirname(rootedPath(root, file)), { recursive: true });
            fs.writeFileSync(rootedPath(root, file), content);
        }
        const args = g.run.args.map((a) => {
            const [flag, ...rest] = a.split("=");
            const value = rest.join("=");
            if (flag === "--oidc-issuer-url") return `${flag}=${issuerUrl}`;
            if (flag === "--http-address") return `${flag}=127.0.0.1:${g.port}`;
            if (flag === "--upstream") return `${flag}=http://127.0.0.1:${upstream.port}${new URL(value).pathname}`;
            if (flag === "--htpasswd-file") return `${flag}=${rootedPath(root, value)}`;
            return a;
        });
        g.log = "";
        g.proc = startProcess(oauth2Proxy!, args, { ...g.run.env, SSL_CERT_FILE: path.join(dir, "ca.crt") }, (s) => (g.log += s));
        await waitForPort(g.port).catch((e) => {
            throw new Error(`${e}\n${g.log}`);
        });
    }

    it("has gates to test", () => expect(gates.length).toBeGreaterThan(0));

    it.each(STACKS.flatMap((s) => APPS.map((a) => `${s}/${a}`)))(
        "%s: a member of the tenant's organization signs in and reaches the app; others are refused",
        async (key) => {
            const g = gates.find((x) => `${x.stack}/${x.app}` === key)!;
            expect(g).toBeDefined();
            await startGate(g);
            const t = tenantOf(g);
            const member = new Browser(g, ca);
            const { callback, last } = await signIn(
                g,
                member,
                { sub: `member-${t.id}`, email: `someone@${t.emailDomain}`, organizations: [t.organizationId] },
                "/experiments?x=1",
            );
            expect(callback, `no callback in the sign-in:\n${g.log}\n${issuerLog}`).toBeDefined();
            expect(last.status, `${last.url}: ${last.body}\n${g.log}`).toBe(200);
            expect(last.body).toBe("upstream GET /experiments?x=1 0");
            const arrived = upstream.seen[upstream.seen.length - 1]!;
            expect(arrived.headers["x-forwarded-email"]).toBe(`someone@${t.emailDomain}`);

            // A user of another organization (same email domain, or another) gets no session.
            for (const outsider of [
                { sub: `outsider-${t.id}`, email: `other@${t.emailDomain}`, organizations: ["some-other-org"] },
                { sub: `stranger-${t.id}`, email: "stranger@elsewhere.example", organizations: [] },
            ]) {
                const b = new Browser(g, ca);
                const before = upstream.seen.length;
                const r = await signIn(g, b, outsider);
                expect(r.callback?.status, `${outsider.email} at ${key}`).toBe(403);
                expect((await b.request(`https://${g.publicHost}/`)).status).not.toBe(200);
                expect(upstream.seen.length).toBe(before);
            }
        },
        60_000,
    );

    it.each(STACKS.flatMap((s) => APPS.map((a) => `${s}/${a}`)))(
        "%s: the sign-in callback's headers fit in the gate Ingress's proxy buffer",
        async (key) => {
            const g = gates.find((x) => `${x.stack}/${x.app}` === key)!;
            await startGate(g);
            const cap = captures.get(g.stack)!;
            const t = tenantOf(g);
            // A platform operator, member of the organizations of a full stack (README "Benchmarks and scale":
            // about 50 tenants a stack; one Logto per environment, whose `organizations` claim lists them all).
            const shipped = Object.values(cap.outputs["tenants"] as Record<string, any>)
                .map((x) => x.sso?.organizationId)
                .filter(Boolean) as string[];
            expect(shipped).toContain(t.organizationId);
            // Logto's organization ids are random [a-z0-9] (they do not compress in the session cookie).
            const randomId = () =>
                Array.from(randomBytes(t.organizationId.length), (b) => "abcdefghijklmnopqrstuvwxyz0123456789"[b % 36]).join("");
            const orgs = [...shipped, ...Array.from({ length: OPERATOR_ORGANIZATIONS - shipped.length }, randomId)];
            const b = new Browser(g, ca);
            const { callback, last } = await signIn(g, b, {
                sub: `operator-${g.stack}`,
                email: `operator@${t.emailDomain}`,
                organizations: orgs,
            });
            expect(last.status).toBe(200);
            const buffer = nginxSizeBytes(
                g.ingressAnnotations["nginx.ingress.kubernetes.io/proxy-buffer-size"] ?? `${INGRESS_NGINX_DEFAULTS.bufferBytes}`,
            );
            const setCookie = [callback!.headers["set-cookie"] ?? []].flat();
            console.info(
                `${key}: callback headers ${callback!.headerBytes} bytes (Set-Cookie ${setCookie.reduce((n, c) => n + c.length, 0)} bytes in ${setCookie.length}), proxy buffer ${buffer}`,
            );
            expect(callback!.headerBytes).toBeLessThanOrEqual(buffer);
        },
        60_000,
    );

    it("lets every skip-auth route through without a session, and nothing else", async () => {
        const withRoutes = gates.filter((g) => g.run.args.some((a) => a.startsWith("--skip-auth-route=")));
        expect(withRoutes.length).toBeGreaterThan(0);
        for (const g of withRoutes) {
            await startGate(g);
            const routes = g.run.args
                .filter((a) => a.startsWith("--skip-auth-route="))
                .map((a) => new RegExp(a.slice("--skip-auth-route=".length)));
            // Agenta's API authenticates API keys itself; its sign-in (/api/auth) stays behind the gate.
            const open = ["/api/apps", "/api/health", "/api/", "/api/preview/tracing/spans/query"];
            const gated = ["/", "/apps", "/api/auth/session/refresh", "/api/auth", "/services/completion/run"];
            for (const route of routes)
                expect(
                    open.some((p) => route.test(p)),
                    `route ${route} matches none of ${open.join(", ")}`,
                ).toBe(true);
            const b = new Browser(g, ca);
            for (const p of open) {
                const r = await b.request(`https://${g.publicHost}${p}`, { headers: { accept: "application/json" } });
                expect(r.status, `${g.stack}/${g.app} ${p}`).toBe(200);
                expect(r.body).toBe(`upstream GET ${p} 0`);
            }
            for (const p of gated)
                expect(
                    (await b.request(`https://${g.publicHost}${p}`, { headers: { accept: "application/json" } })).status,
                    `${g.stack}/${g.app} ${p}`,
                ).toBe(401);
        }
    }, 120_000);

    // The mock runtime fakes RandomPassword.bcryptHash (not a hash of the mocked password), so the
    // generated SDK credentials cannot pass here; the gate must still load the emitted file and
    // refuse Basic credentials that do not match it.
    it("loads the generated htpasswd file and refuses Basic credentials that do not match it", async () => {
        const withHtpasswd = gates.filter((g) => g.run.args.some((a) => a.startsWith("--htpasswd-file=")));
        expect(withHtpasswd.length).toBeGreaterThan(0);
        for (const g of withHtpasswd) {
            await startGate(g);
            const t = tenantOf(g);
            const sdk = (captures.get(g.stack)!.outputs["tenants"] as any)[t.id][g.app].sdk as {
                username: string;
                password: { "@secret": string };
            };
            const basic = `Basic ${Buffer.from(`${sdk.username}:${sdk.password["@secret"]}x`).toString("base64")}`;
            const before = upstream.seen.length;
            const wrong = await new Browser(g, ca).request(`https://${g.publicHost}/api/2.0/mlflow/experiments/search`, {
                headers: { authorization: basic, accept: "application/json" },
            });
            expect(wrong.status, `${g.stack}/${g.app}: ${g.log}`).toBe(401);
            expect(upstream.seen.length).toBe(before);
            expect(g.log).toContain("using htpasswd file");
            expect(g.log).not.toMatch(/could not validate htpasswd|could not be added/);
        }
    }, 60_000);

    it(`does not cut a request the Ingress allows (${delayS} s, past oauth2-proxy's default ${OAUTH2_PROXY_DEFAULT_UPSTREAM_TIMEOUT_S} s), nor one over 1 MiB`, async () => {
        // One gate per app at a time (the issuer serves one client): sign in, then a slow request and an upload.
        const results: string[] = [];
        const byApp = APPS.map((app) => gates.find((g) => g.app === app && g.stack === "dev")!);
        const sessions: Array<{ g: Gate; b: Browser }> = [];
        for (const g of byApp) {
            await startGate(g);
            const t = tenantOf(g);
            const b = new Browser(g, ca);
            expect(
                (await signIn(g, b, { sub: `slow-${g.app}`, email: `slow@${t.emailDomain}`, organizations: [t.organizationId] })).last
                    .status,
            ).toBe(200);
            sessions.push({ g, b });
        }
        await Promise.all(
            sessions.map(async ({ g, b }) => {
                const allowedS = Number(
                    g.ingressAnnotations["nginx.ingress.kubernetes.io/proxy-read-timeout"] ?? INGRESS_NGINX_DEFAULTS.readTimeoutSeconds,
                );
                expect(allowedS, "the Ingress itself allows the delay").toBeGreaterThan(delayS);
                const started = Date.now();
                const r = await b.request(`https://${g.publicHost}/slow`);
                results.push(`${g.app}: ${r.status} after ${Math.round((Date.now() - started) / 1000)} s`);
                expect(r.status, `${g.app}: ${r.body}`).toBe(200);
                const bodyBytes = nginxSizeBytes(g.ingressAnnotations["nginx.ingress.kubernetes.io/proxy-body-size"] ?? "1m");
                expect(bodyBytes, "the Ingress takes bodies over ingress-nginx's 1 MiB default").toBeGreaterThan(
                    INGRESS_NGINX_DEFAULTS.bodyBytes,
                );
                const upload = Buffer.alloc(INGRESS_NGINX_DEFAULTS.bodyBytes + 1, 1);
                const u = await b.request(`https://${g.publicHost}/upload`, {
                    method: "POST",
                    body: upload,
                    headers: { "content-type": "application/octet-stream" },
                });
                expect(u.body).toBe(`upstream POST /upload ${upload.length}`);
            }),
        );
        console.info(`long requests through the gates: ${results.join("; ")}`);
    }, 180_000);
});

describe.each(ALL_STACKS)("request limits of the gated apps in %s", (stack) => {
    it("are one body size and one timeout per app, the same at the Ingress, the gate and the edge", async () => {
        const cap = await stackCapture(stack);
        const ingresses = ofKind(cap, "Ingress").filter((i) => APPS.includes(i.metadata.name!));
        expect(ingresses.length).toBeGreaterThan(0);
        for (const ingress of ingresses) {
            const where = `${stack} ${ingress.metadata.namespace}/${ingress.metadata.name}`;
            const a = ingress.metadata.annotations ?? {};
            const body = a["nginx.ingress.kubernetes.io/proxy-body-size"];
            const read = a["nginx.ingress.kubernetes.io/proxy-read-timeout"];
            expect(body, `${where}: no body limit, ingress-nginx's 1m default rejects larger uploads`).toBeDefined();
            expect(nginxSizeBytes(body!)).toBeGreaterThan(INGRESS_NGINX_DEFAULTS.bodyBytes);
            expect(read, `${where}: no read timeout`).toBeDefined();
            expect(a["nginx.ingress.kubernetes.io/proxy-send-timeout"]).toBe(read);
            const backend = ingress.spec.rules[0].http.paths[0].backend.service.name as string;
            if (backend.endsWith("-sso-gate")) {
                const args = containerRun(cap, "Deployment", ingress.metadata.namespace!, backend, "oauth2-proxy").args;
                expect(args, where).toContain(`--upstream-timeout=${read}s`);
            }
            if (ingress.metadata.name === "agenta") {
                const conf = find(cap, "ConfigMap", ingress.metadata.namespace, "agenta-edge").data!["nginx.conf"]!;
                const directive = (name: string) => [...conf.matchAll(new RegExp(`^\\s*${name}\\s+(\\S+);`, "gm"))].map((m) => m[1]!);
                expect(directive("client_max_body_size").map(nginxSizeBytes), where).toEqual([nginxSizeBytes(body!)]);
                expect(directive("proxy_read_timeout"), where).toEqual([`${read}s`]);
                expect(directive("proxy_send_timeout"), where).toEqual([`${read}s`]);
            }
        }
    });
});
