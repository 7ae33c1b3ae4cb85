import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import type { Capture } from "../../cli/mock-runtime";
import { readTenantFiles } from "../../components/tenancy/load";
import { ROOT, STACKS, stackCapture } from "../support/capture";
import { type ContainerRun, containerRun, rootedPath } from "../support/pod";
import { type K8sObject, containersOf, find, ofKind } from "../support/resources";
import { freePort, waitForPort } from "../support/servers";
import { requireServerTool } from "../support/tools";
import { nginxSizeBytes } from "../support/ingress-nginx";

/**
 * Tier 2: Agenta's edge router, run by a real nginx with exactly the configuration the program
 * mounts into the edge container, in front of stub upstreams.
 *
 * Debian's nginx 1.22 runs here; the image is nginx 1.28 (printed below). The configuration must
 * therefore not rely on a directive added after 1.22: `nginx -t` here fails on one. Rewrites made
 * before running it, and nothing else:
 *  - every `proxy_pass` address (`<service>.<namespace>.svc.cluster.local:<port>`) becomes the
 *    loopback stub playing that Service;
 *  - `listen <port>` becomes `listen 127.0.0.1:<free port>` (the port is first checked against the
 *    Service and container ports the plan declares);
 *  - every absolute path under a directory the container mounts (its ConfigMap, its emptyDir for
 *    pid and temp files) moves under a temp root, the emptyDirs made world-writable as kubelet
 *    makes them. `/dev/stdout` and `/dev/stderr` stay: they are the process's own stdio, given to
 *    nginx as files owned by its uid, as the container runtime does.
 * nginx runs as the uid the plan's securityContext names (when the tests run as root), with the
 * plan's command; only `-g` gains a debug error log, so that the timers nginx arms can be read.
 *
 * Checked per tenant: `nginx -t`; the readiness probe; each path reaching the Service that runs the
 * image upstream routes it to, with upstream's path; relative redirects for `/api` and `/services`;
 * a body of exactly the emitted limit passing whole and one byte more refused with 413; the read
 * timeout nginx loads (`nginx -T`) and arms (debug log) per proxied location; a slow answer and an
 * event stream coming through; the access log on stdout.
 */

/** Where each path goes, from Agenta v0.113.0's own router (hosting/docker-compose/oss/docker-compose.gh.yml, Traefik labels). */
const UPSTREAM_ROUTES: Array<{ path: string; image: string; upstreamPath: string }> = [
    { path: "/", image: "agenta-web", upstreamPath: "/" },
    { path: "/apps/0193?tab=playground", image: "agenta-web", upstreamPath: "/apps/0193?tab=playground" },
    // The mobile web app is the same web container under basePath /m (no prefix stripped).
    { path: "/m/", image: "agenta-web", upstreamPath: "/m/" },
    // PathPrefix(`/api/`): a path that only starts with "api" is the web app's.
    { path: "/apiary", image: "agenta-web", upstreamPath: "/apiary" },
    // "Do NOT strip /api: the app is mounted at /api (SCRIPT_NAME + FastAPI root_path)."
    { path: "/api/health", image: "agenta-api", upstreamPath: "/api/health" },
    { path: "/api/projects?limit=10", image: "agenta-api", upstreamPath: "/api/projects?limit=10" },
    // stripprefix /services, forceslash: the services app sees the path below /services.
    { path: "/services/completion/run", image: "agenta-services", upstreamPath: "/completion/run" },
    { path: "/services/chat/health", image: "agenta-services", upstreamPath: "/chat/health" },
];

/**
 * Directives this nginx (1.22) accepts that are also defined, unchanged in meaning, in the image's
 * nginx: each was looked up in nginx's source at tag release-1.28.0 (`ngx_string("<name>")` in
 * src/) and in its CHANGES since 1.22 (which remove or deprecate only HTTP/2 push and timeouts,
 * `ssl`, `listen ... http2`). A directive outside this list fails the test until someone checks it
 * against 1.28 the same way.
 */
const CHECKED_IN_1_28 = new Set([
    "worker_processes",
    "pid",
    "error_log",
    "events",
    "worker_connections",
    "http",
    "access_log",
    "client_body_temp_path",
    "proxy_temp_path",
    "fastcgi_temp_path",
    "uwsgi_temp_path",
    "scgi_temp_path",
    "client_max_body_size",
    "server_tokens",
    "map",
    "proxy_http_version",
    "proxy_set_header",
    "proxy_read_timeout",
    "proxy_send_timeout",
    "proxy_buffering",
    "server",
    "listen",
    "location",
    "return",
    "proxy_pass",
    "absolute_redirect",
]);

/** Tenants that run Agenta in a stack, from the tenant files (the input). */
function agentaTenants(stack: string): string[] {
    return readTenantFiles(path.join(ROOT, "tenants"), { knownStacks: STACKS })
        .map((s) => s.file)
        .filter((t) => t.stacks.includes(stack) && t.apps?.agenta !== false)
        .map((t) => t.id);
}

// A small nginx configuration reader: directives with their arguments and blocks.
interface Directive {
    name: string;
    args: string[];
    block?: Directive[];
}

function tokens(text: string): string[] {
    const out: string[] = [];
    const re = /\s+|#[^\n]*|'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"|([{};])|([^\s{};'"#]+)/gy;
    for (let m = re.exec(text); m && m.index < text.length; m = re.exec(text)) {
        if (m[1] !== undefined) out.push(m[1]);
        else if (m[2] !== undefined) out.push(m[2]);
        else if (m[3] !== undefined || m[4] !== undefined) out.push((m[3] ?? m[4])!);
        if (re.lastIndex === m.index) throw new Error(`cannot read nginx configuration at ${text.slice(m.index, m.index + 40)}`);
    }
    return out;
}

function parseNginx(text: string): Directive[] {
    const toks = tokens(text);
    let i = 0;
    const block = (): Directive[] => {
        const list: Directive[] = [];
        while (i < toks.length && toks[i] !== "}") {
            const name = toks[i++]!;
            const args: string[] = [];
            while (i < toks.length && toks[i] !== ";" && toks[i] !== "{") args.push(toks[i++]!);
            if (toks[i] === "{") {
                i++;
                list.push({ name, args, block: block() });
                if (toks[i++] !== "}") throw new Error(`unclosed block ${name}`);
            } else {
                if (toks[i++] !== ";") throw new Error(`directive ${name} does not end with ;`);
                list.push({ name, args });
            }
        }
        return list;
    };
    return block();
}

function all(list: Directive[], name: string): Directive[] {
    return list.filter((d) => d.name === name);
}

function walk(list: Directive[], visit: (d: Directive, parents: Directive[]) => void, parents: Directive[] = []): void {
    for (const d of list) {
        visit(d, parents);
        if (d.block) walk(d.block, visit, [...parents, d]);
    }
}

/** nginx times: `300s`, `5m` (minutes), `250ms`. */
function millis(time: string): number {
    const m = /^(\d+)(ms|s|m|h)?$/.exec(time);
    if (!m) throw new Error(`not an nginx time: ${time}`);
    return Number(m[1]) * ({ ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as Record<string, number>)[m[2] ?? "s"]!;
}

/** nginx's own defaults (ngx_http_proxy_module, ngx_http_core_module), for directives the configuration leaves out. */
const NGINX_DEFAULTS: Record<string, string> = {
    proxy_read_timeout: "60s",
    proxy_send_timeout: "60s",
    proxy_connect_timeout: "60s",
    client_max_body_size: "1m",
};

/** The value a location gets: its own, else its server's, else http's, else nginx's default. */
function effective(chain: Directive[][], name: string): string {
    for (const level of [...chain].reverse()) {
        const hit = all(level, name);
        if (hit.length) return hit[hit.length - 1]!.args[0]!;
    }
    return NGINX_DEFAULTS[name]!;
}

interface Seen {
    service: string;
    method: string;
    url: string;
    headers: http.IncomingHttpHeaders;
    bodyBytes: number;
}

/** A loopback HTTP server playing one Service: it answers with what it received. */
async function stub(service: string, log: Seen[]): Promise<{ port: number; server: http.Server }> {
    const server = http.createServer((req, res) => {
        let n = 0;
        req.on("data", (d: Buffer) => (n += d.length));
        req.on("end", () => {
            const seen: Seen = { service, method: req.method!, url: req.url!, headers: req.headers, bodyBytes: n };
            log.push(seen);
            const delay = Number(req.headers["x-stub-delay-ms"] ?? 0);
            if (req.headers["x-stub-stream"]) {
                // Two chunks a second apart, as a server-sent event stream does.
                res.writeHead(200, { "content-type": "text/event-stream" });
                res.write("data: first\n\n");
                setTimeout(() => res.end("data: second\n\n"), 1000);
                return;
            }
            setTimeout(() => {
                res.writeHead(200, { "content-type": "application/json" });
                res.end(JSON.stringify(seen));
            }, delay);
        });
    });
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    return { port, server };
}

interface Reply {
    status: number;
    headers: http.IncomingHttpHeaders;
    body: string;
    /** Milliseconds from sending the request to the first body byte, and to the end. */
    firstByteMs: number;
    totalMs: number;
}

function request(
    port: number,
    opts: {
        path: string;
        host: string;
        method?: string;
        headers?: Record<string, string | number>;
        body?: Buffer;
        expectContinue?: boolean;
    },
): Promise<Reply> {
    const start = Date.now();
    return new Promise((resolve, reject) => {
        const req = http.request({
            host: "127.0.0.1",
            port,
            path: opts.path,
            method: opts.method ?? "GET",
            headers: {
                host: opts.host,
                ...opts.headers,
                ...(opts.body ? { "content-length": opts.body.length } : {}),
                ...(opts.expectContinue ? { expect: "100-continue" } : {}),
            },
        });
        let sent = false;
        const send = () => {
            if (sent) return;
            sent = true;
            req.end(opts.body);
        };
        req.on("continue", send);
        let done = false;
        req.on("response", (res) => {
            let body = "";
            let first = -1;
            res.on("data", (d) => {
                if (first < 0) first = Date.now() - start;
                body += d;
            });
            res.on("end", () => {
                done = true;
                resolve({ status: res.statusCode!, headers: res.headers, body, firstByteMs: first, totalMs: Date.now() - start });
                // nginx answered (413) before the body was sent: the body is never sent.
                if (!sent) req.destroy();
            });
        });
        req.on("error", (e) => (done ? undefined : reject(e)));
        if (!opts.expectContinue) send();
    });
}

/**
 * The Service of a namespace whose pods run an image (the api image also runs workers and cron,
 * which no Service selects), and the Service port that reaches the image's listening port.
 */
function serviceOfImage(
    cap: Capture,
    ns: string,
    image: string,
): { service: string; port: number; workload: K8sObject; container: string; containerPort: number } {
    const runsImage = (c: any) => c.image.split("/").pop().split(/[:@]/)[0] === image;
    const hits: Array<{ svc: K8sObject; workload: K8sObject }> = [];
    for (const svc of ofKind(cap, "Service").filter((s) => s.metadata.namespace === ns && s.spec.selector)) {
        for (const w of ofKind(cap, "Deployment").filter((d) => d.metadata.namespace === ns)) {
            const podLabels = w.spec.template.metadata.labels as Record<string, string>;
            if (Object.entries(svc.spec.selector).every(([k, v]) => podLabels[k] === v) && Object.values(containersOf(w)).some(runsImage))
                hits.push({ svc, workload: w });
        }
    }
    expect(
        hits.map((h) => `${h.svc.metadata.name} -> ${h.workload.metadata.name}`),
        `one Service in ${ns} selecting pods that run ${image}`,
    ).toHaveLength(1);
    const { svc, workload } = hits[0]!;
    const container = Object.values(containersOf(workload)).find(runsImage);
    for (const p of svc.spec.ports as Array<{ port: number; targetPort: string | number }>) {
        const cp = (container.ports as Array<{ name: string; containerPort: number }>).find(
            (x) => x.name === p.targetPort || x.containerPort === p.targetPort,
        );
        if (cp) return { service: svc.metadata.name!, port: p.port, workload, container: container.name, containerPort: cp.containerPort };
    }
    throw new Error(`Service ${ns}/${svc.metadata.name} has no port reaching a port of ${image}`);
}

/** Directories the container mounts (ConfigMap, Secret, emptyDir), by mount path, and whether it may write there. */
function mounts(cap: Capture, ns: string, run: ContainerRun): Array<{ path: string; writable: boolean }> {
    const spec = find(cap, "Deployment", ns, run.workload).spec.template.spec;
    const volumes = new Map<string, any>((spec.volumes ?? []).map((v: any) => [v.name, v]));
    return (run.raw.volumeMounts as Array<{ name: string; mountPath: string; readOnly?: boolean }>).map((m) => ({
        path: m.mountPath.replace(/\/$/, ""),
        writable: !!volumes.get(m.name)?.emptyDir && !m.readOnly,
    }));
}

const NGINX_VERSION = (bin: string) => /nginx\/([\d.]+)/.exec(spawnSync(bin, ["-v"], { encoding: "utf8" }).stderr)?.[1];

for (const stack of STACKS) {
    const tenants = agentaTenants(stack);
    describe.skipIf(tenants.length === 0)(`the Agenta edge in ${stack}, under a real nginx`, () => {
        const nginx = requireServerTool("nginx");
        it.skipIf(!nginx).each(tenants)(
            `tenant %s: nginx -t accepts the mounted configuration, and the edge routes, limits and times out as declared`,
            async (tenant) => {
                const cap = await stackCapture(stack);
                const edges = ofKind(cap, "Deployment").filter((d) => d.metadata.name === "agenta-edge");
                expect(edges.length, "agenta-edge Deployments").toBe(tenants.length);
                const ns = ofKind(cap, "Namespace").find((n) => n.metadata.labels?.["llmops.io/tenant"] === tenant)?.metadata.name;
                expect(ns, `namespace of tenant ${tenant}`).toBeTruthy();
                // The real binary, not the link in the tools cache: that may sit in a home directory the container's uid cannot enter.
                await runEdge(fs.realpathSync(nginx!), cap, stack, tenant, ns!);
            },
        );
    });
}

async function runEdge(nginx: string, cap: Capture, stack: string, tenant: string, ns: string): Promise<void> {
    const run = containerRun(cap, "Deployment", ns, "agenta-edge", "nginx");
    const confFlag = run.command.indexOf("-c");
    expect(confFlag, "the edge names its configuration file with -c").toBeGreaterThan(0);
    const confPath = run.command[confFlag + 1]!;
    const original = run.files[confPath];
    expect(original, `${confPath} is mounted from a ConfigMap`).toBeTruthy();
    const tree = parseNginx(original!);
    const version = NGINX_VERSION(nginx);
    console.log(`${stack}/${tenant}: nginx ${version} runs here; the edge image is ${run.image}`);
    const used = new Set<string>();
    walk(tree, (d, parents) => {
        // Entries of a map block are values, not directives.
        if (parents[parents.length - 1]?.name !== "map") used.add(d.name);
    });
    expect(
        [...used].filter((d) => !CHECKED_IN_1_28.has(d)),
        `directives not yet checked against the image's nginx (${run.image})`,
    ).toEqual([]);
    // Every file nginx writes by a compiled-in default (temp dirs, pid) is set in the configuration,
    // or nginx would write it on the read-only root filesystem. The list comes from this nginx's build
    // (the image's build has the same five temp paths and a pid path, in other places).
    const built = [...spawnSync(nginx, ["-V"], { encoding: "utf8" }).stderr.matchAll(/--(?:http-([a-z-]+)-temp-path|(pid)-path)=/g)].map(
        (m) => (m[2] ? "pid" : `${m[1]!.replace("-", "_")}_temp_path`),
    );
    expect(built.length, "compiled-in paths nginx -V lists").toBeGreaterThanOrEqual(6);
    expect(
        built.filter((d) => !used.has(d)),
        "compiled-in writable paths the configuration leaves at their default",
    ).toEqual([]);

    // Upstreams: each proxy_pass names a declared Service and one of its ports.
    const servicesByHost = new Map<string, { service: string; port: number }>();
    walk(tree, (d) => {
        if (d.name !== "proxy_pass") return;
        const m = /^http:\/\/([a-z0-9-]+)\.([a-z0-9-]+)\.svc\.cluster\.local:(\d+)(\/.*)?$/.exec(d.args[0]!);
        expect(m, `proxy_pass ${d.args[0]} names a Service by its cluster DNS name and port`).toBeTruthy();
        const [, name, svcNs, port] = m!;
        expect(svcNs, `proxy_pass ${d.args[0]} stays in the tenant's namespace`).toBe(ns);
        const svc = find(cap, "Service", ns, name!);
        expect(
            (svc.spec.ports as Array<{ port: number }>).map((p) => p.port),
            `Service ${name} ports`,
        ).toContain(Number(port));
        servicesByHost.set(`${name}.${svcNs}.svc.cluster.local:${port}`, { service: name!, port: Number(port) });
    });
    expect(servicesByHost.size, "upstream Services").toBeGreaterThan(0);

    // The port nginx listens on is the one the Service and the container declare.
    const edgeSvc = serviceOfImage(cap, ns, run.image.split("/").pop()!.split(/[:@]/)[0]!);
    const servers = all(all(tree, "http")[0]!.block!, "server");
    expect(servers.length, "server blocks").toBe(1);
    const listens = all(servers[0]!.block!, "listen");
    expect(listens.map((l) => l.args[0])).toEqual([String(edgeSvc.containerPort)]);

    const log: Seen[] = [];
    const stubs = new Map<string, { port: number; server: http.Server }>();
    for (const [host, s] of servicesByHost) stubs.set(host, await stub(`${s.service}:${s.port}`, log));
    const root = fs.mkdtempSync(path.join(os.tmpdir(), `edge-${stack}-${tenant}-`));
    let proc: ChildProcess | undefined;
    try {
        fs.chmodSync(root, 0o755);
        const dirs = mounts(cap, ns, run);
        // Every absolute path nginx opens must be in a mounted directory (the root filesystem is read-only)
        // or the process's stdio.
        const absolute: string[] = [];
        walk(tree, (d) => {
            if (!["location", "return", "proxy_pass", "rewrite"].includes(d.name))
                absolute.push(...d.args.filter((a) => a.startsWith("/")));
        });
        expect(absolute.length, "absolute paths in the configuration").toBeGreaterThan(0);
        for (const p of absolute) {
            if (p === "/dev/stdout" || p === "/dev/stderr") continue;
            const dir = dirs.find((d) => p.startsWith(`${d.path}/`));
            expect(dir, `${p} is inside a directory the container mounts (${dirs.map((d) => d.path).join(", ")})`).toBeTruthy();
        }
        const rewrites: string[] = [];
        let conf = original!;
        for (const [host, s] of stubs) {
            conf = conf.split(`http://${host}`).join(`http://127.0.0.1:${s.port}`);
            rewrites.push(`${host} -> 127.0.0.1:${s.port}`);
        }
        for (const d of dirs) {
            fs.mkdirSync(rootedPath(root, d.path), { recursive: true });
            if (d.writable) fs.chmodSync(rootedPath(root, d.path), 0o777);
            conf = conf.split(` ${d.path}/`).join(` ${rootedPath(root, d.path)}/`);
        }
        const listenPort = await freePort();
        conf = conf.replace(new RegExp(`listen ${edgeSvc.containerPort};`), `listen 127.0.0.1:${listenPort};`);
        rewrites.push(
            `listen ${edgeSvc.containerPort} -> 127.0.0.1:${listenPort}`,
            `mounted directories ${dirs.map((d) => d.path).join(", ")} -> under ${root}`,
        );
        console.log(`${stack}/${tenant}: rewrites: ${rewrites.join("; ")}`);
        const confFile = rootedPath(root, confPath);
        fs.writeFileSync(confFile, conf, { mode: 0o644 });

        // Run as the container would: its uid, its command, stdio it owns.
        const uid: number | undefined = run.raw.securityContext?.runAsUser;
        const gid: number | undefined = run.raw.securityContext?.runAsGroup ?? uid;
        const asContainer = process.getuid?.() === 0 && uid !== undefined ? { uid, gid } : {};
        const stdio = (name: string) => {
            const file = path.join(root, name);
            const fd = fs.openSync(file, "w", 0o644);
            if (asContainer.uid !== undefined) fs.fchownSync(fd, asContainer.uid, asContainer.gid!);
            return { file, fd };
        };
        const args = run.command.slice(1).map((a) => (a === confPath ? confFile : a));
        const g = args.indexOf("-g");
        expect(g, "the command passes -g").toBeGreaterThan(0);
        const debugLog = path.join(root, "debug.log");
        fs.writeFileSync(debugLog, "");
        if (asContainer.uid !== undefined) fs.chownSync(debugLog, asContainer.uid, asContainer.gid!);
        const argsWithDebug = [...args];
        argsWithDebug[g + 1] = `${args[g + 1]} error_log ${debugLog} debug;`;

        const once = (name: string, extra: string[]) => {
            const o = stdio(`${name}.out`);
            const e = stdio(`${name}.err`);
            const r = spawnSync(nginx, [...extra, ...args], { ...asContainer, stdio: ["ignore", o.fd, e.fd] });
            fs.closeSync(o.fd);
            fs.closeSync(e.fd);
            return { status: r.status, error: r.error, stdout: fs.readFileSync(o.file, "utf8"), stderr: fs.readFileSync(e.file, "utf8") };
        };
        const test = once("test", ["-t"]);
        expect(test.status, `nginx -t: ${test.error ?? ""}\n${test.stderr}`).toBe(0);
        expect(test.stderr).toMatch(/test is successful/);
        // nginx -T: the configuration nginx loaded, as it reads it.
        const dump = once("dump", ["-T"]);
        expect(dump.status, dump.stderr).toBe(0);
        const loaded = parseNginx(dump.stdout.replace(/^# configuration file .*:$/gm, ""));

        const out = stdio("stdout.log");
        const err = stdio("stderr.log");
        proc = spawn(nginx, argsWithDebug, { ...asContainer, stdio: ["ignore", out.fd, err.fd] });
        await waitForPort(listenPort, 10_000).catch((e) => {
            throw new Error(`${e.message}\n${fs.readFileSync(err.file, "utf8")}`);
        });
        const host = find(cap, "Ingress", ns, "agenta").spec.rules[0].host as string;

        // Its own probe, as the plan's readiness probe calls it.
        const probe = run.raw.readinessProbe.httpGet;
        expect(probe.port === "http" || probe.port === edgeSvc.containerPort).toBe(true);
        const health = await request(listenPort, { path: probe.path, host: "10.0.0.1" });
        expect(health.status, `readiness probe ${probe.path}`).toBe(200);
        expect(log.length, "the probe is answered by the edge itself").toBe(0);

        // Routing: each path reaches the Service running the image upstream routes it to, with the path upstream gives it.
        for (const r of UPSTREAM_ROUTES) {
            const want = serviceOfImage(cap, ns, r.image);
            log.length = 0;
            const reply = await request(listenPort, { path: r.path, host, headers: { "x-forwarded-proto": "https" } });
            expect(reply.status, `${r.path}: ${reply.body}`).toBe(200);
            expect(log.length, `${r.path} reached one upstream`).toBe(1);
            const seen = log[0]!;
            expect(seen.service, `${r.path} reaches the ${r.image} Service`).toBe(`${want.service}:${want.port}`);
            expect(seen.url, `${r.path} arrives at ${r.image} as`).toBe(r.upstreamPath);
            // The apps build absolute URLs and cookies from these.
            expect(seen.headers.host).toBe(host);
            expect(seen.headers["x-forwarded-proto"]).toBe("https");
            expect(seen.headers["x-forwarded-for"]).toBe("127.0.0.1");
        }
        expect(
            new Set(UPSTREAM_ROUTES.map((r) => serviceOfImage(cap, ns, r.image).service)).size,
            "every upstream Service is routed to",
        ).toBe(servicesByHost.size);
        // A prefix asked for without its trailing slash (`/services`) is answered by a service or redirected
        // to the prefix on the public origin the web app is configured with: the edge sits behind TLS on
        // the ingress, so neither its own scheme nor its port 8080 may leak into a Location header.
        const web = serviceOfImage(cap, ns, "agenta-web");
        const publicUrl = new URL(containerRun(cap, "Deployment", ns, web.workload.metadata.name!, web.container).env["AGENTA_WEB_URL"]!);
        expect(publicUrl.host, "AGENTA_WEB_URL is the Ingress host").toBe(host);
        const prefixes = all(servers[0]!.block!, "location")
            .filter((l) => l.args.length === 1 && l.args[0]!.length > 1 && l.args[0]!.endsWith("/"))
            .map((l) => l.args[0]!.slice(0, -1));
        expect(prefixes.length, "prefix locations").toBeGreaterThan(0);
        for (const prefix of prefixes) {
            log.length = 0;
            const reply = await request(listenPort, { path: `${prefix}?x=1`, host, headers: { "x-forwarded-proto": "https" } });
            if (reply.status === 200) {
                expect(log.length, `${prefix} reached an upstream`).toBe(1);
                continue;
            }
            expect(reply.status, `${prefix}: ${reply.body}`).toBe(301);
            const target = new URL(reply.headers["location"]!, publicUrl);
            expect(
                `${target.origin}${target.pathname}${target.search}`,
                `${prefix} redirects (Location: ${reply.headers["location"]})`,
            ).toBe(`${publicUrl.origin}${prefix}/?x=1`);
        }

        // Request bodies: up to the emitted limit they pass, whole; one byte more gets 413 from the edge.
        const limit = nginxSizeBytes(effective([tree, all(tree, "http")[0]!.block!, servers[0]!.block!], "client_max_body_size"));
        const upload = Buffer.alloc(limit, 0x61);
        log.length = 0;
        const atLimit = await request(listenPort, { path: "/api/files", method: "POST", host, body: upload, expectContinue: true });
        expect(atLimit.status, `a body of exactly ${limit} bytes: ${atLimit.body.slice(0, 200)}`).toBe(200);
        expect(log.map((s) => s.bodyBytes)).toEqual([limit]);
        log.length = 0;
        const over = await request(listenPort, {
            path: "/api/files",
            method: "POST",
            host,
            body: Buffer.alloc(limit + 1, 0x61),
            expectContinue: true,
        });
        expect(over.status, `a body of ${limit + 1} bytes`).toBe(413);
        expect(log.length, "an oversized body never reaches the api").toBe(0);

        // Timeouts. What nginx loaded (nginx -T), resolved per proxied location the way nginx inherits them.
        const httpBlock = all(loaded, "http")[0]!.block!;
        const loadedServer = all(httpBlock, "server")[0]!.block!;
        const emittedRead = millis(effective([tree, all(tree, "http")[0]!.block!, servers[0]!.block!], "proxy_read_timeout"));
        for (const loc of all(loadedServer, "location").filter((l) => all(l.block!, "proxy_pass").length)) {
            const chain = [loaded, httpBlock, loadedServer, loc.block!];
            const where = `location ${loc.args.join(" ")}`;
            expect(millis(effective(chain, "proxy_read_timeout")), `${where}: proxy_read_timeout`).toBe(emittedRead);
            console.log(
                `${stack}/${tenant}: ${where}: read ${effective(chain, "proxy_read_timeout")}, send ${effective(chain, "proxy_send_timeout")}, connect ${effective(chain, "proxy_connect_timeout")}, body ${effective(chain, "client_max_body_size")}`,
            );
        }
        // The app, not the edge, ends a long request (an LLM call in the playground): the edge waits at
        // least as long as the api's and the services' own worker timeout (gunicorn --timeout, from the plan).
        for (const image of ["agenta-api", "agenta-services"]) {
            const app = serviceOfImage(cap, ns, image);
            const command = containersOf(app.workload)[app.container].command as string[];
            const t = command.indexOf("--timeout");
            expect(t, `${image} runs gunicorn with --timeout`).toBeGreaterThan(0);
            expect(emittedRead, `proxy_read_timeout against ${image}'s --timeout`).toBeGreaterThanOrEqual(Number(command[t + 1]) * 1000);
        }
        // The timer nginx arms while waiting for the upstream's answer is the emitted read timeout
        // (from nginx's debug log), and a slow answer (3 s) comes through.
        fs.truncateSync(debugLog, 0);
        const slow = await request(listenPort, { path: "/api/slow", host, headers: { "x-stub-delay-ms": 3000 } });
        expect(slow.status).toBe(200);
        expect(slow.totalMs).toBeGreaterThanOrEqual(2900);
        const timers = [...fs.readFileSync(debugLog, "utf8").matchAll(/event timer add: \d+: (\d+):/g)].map((m) => Number(m[1]));
        expect(timers, "timers nginx armed for the proxied request").toContain(emittedRead);
        // Streaming (server-sent events from the services): the first event reaches the client before the
        // stream ends. (nginx 1.22 passes small events on promptly with proxy_buffering on as well, so this
        // checks the behaviour, not that one directive.)
        const stream = await request(listenPort, { path: "/services/completion/stream", host, headers: { "x-stub-stream": 1 } });
        expect(stream.status).toBe(200);
        expect(stream.body).toBe("data: first\n\ndata: second\n\n");
        expect(stream.totalMs - stream.firstByteMs, "the first event is not held back until the end").toBeGreaterThan(700);

        // Access log on stdout, errors on stderr: the container's log stream.
        expect(fs.readFileSync(out.file, "utf8")).toMatch(/"GET \/api\/health HTTP\/1\.1" 200/);
        fs.closeSync(out.fd);
        fs.closeSync(err.fd);
    } finally {
        if (proc && proc.exitCode === null) {
            proc.kill("SIGTERM");
            await new Promise((r) => proc!.once("exit", r));
        }
        for (const s of stubs.values()) s.server.close();
        fs.rmSync(root, { recursive: true, force: true });
    }
}
