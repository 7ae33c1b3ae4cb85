import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { SERVERS_BIN } from "../support/tools";
import { freePort, waitForPort } from "../support/servers";

/**
 * Loopback stand-ins for what a pod finds on the cluster network, for tier-2 tests that run the
 * program's real commands. The only thing rewritten is where a service's address leads: the
 * commands, flags and environment stay as the plan declares them.
 */

/** The environment a container's command runs with here: its declared env on top of a clean PATH. */
export function podEnv(declared: Record<string, string>, extra: Record<string, string> = {}): Record<string, string> {
    const base: Record<string, string> = {};
    // Nothing from the test's own environment leaks in except what finds programs and locales.
    for (const k of ["PATH", "LANG", "LC_ALL", "TZ"]) if (process.env[k] !== undefined) base[k] = process.env[k]!;
    base["PATH"] = `${SERVERS_BIN}:${base["PATH"] ?? "/usr/bin:/bin"}`;
    return { ...base, ...declared, ...extra };
}

/**
 * Maps a pod's writable paths (its emptyDirs, e.g. /tmp) to a directory of the test, in every
 * env value that names one. The pod's filesystem is the one thing besides addresses that differs.
 */
export function rootPaths(env: Record<string, string>, podPaths: readonly string[], root: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(env)) {
        const hit = podPaths.find((p) => v === p || v.startsWith(`${p}/`));
        out[k] = hit ? `${root}${v}` : v;
    }
    for (const p of podPaths) fs.mkdirSync(`${root}${p}`, { recursive: true });
    return out;
}

/** Rewrites a URL's host and port to a loopback stand-in; everything else in it stays. */
export function toLoopback(url: string, port: number): string {
    const u = new URL(url);
    u.hostname = "127.0.0.1";
    u.port = String(port);
    return u.toString().replace(/\/$/, url.endsWith("/") ? "/" : "");
}

export interface Proc {
    readonly child: ChildProcess;
    log(): string;
    stop(): Promise<void>;
}

/** Starts a long-running process, keeping its output for failure messages. */
export function startProcess(command: string, args: string[], env: Record<string, string>, cwd?: string): Proc {
    const child = spawn(command, args, { env, cwd, stdio: ["ignore", "pipe", "pipe"], detached: true });
    let out = "";
    child.stdout?.on("data", (d) => (out = (out + d).slice(-200_000)));
    child.stderr?.on("data", (d) => (out = (out + d).slice(-200_000)));
    return {
        child,
        log: () => out,
        stop: () =>
            new Promise((resolve) => {
                if (child.exitCode !== null || child.signalCode !== null) return resolve();
                child.once("exit", () => resolve());
                // The whole group: servers fork workers.
                try {
                    process.kill(-child.pid!, "SIGTERM");
                } catch {
                    resolve();
                }
                setTimeout(() => {
                    try {
                        process.kill(-child.pid!, "SIGKILL");
                    } catch {
                        /* already gone */
                    }
                }, 5000).unref();
            }),
    };
}

export interface RunResult {
    readonly status: number | null;
    readonly stdout: string;
    readonly stderr: string;
}

/** Runs a command to completion (asynchronously, so servers of the same test keep answering). */
export function run(command: string, args: string[], env: Record<string, string>, timeoutMs = 300_000): Promise<RunResult> {
    return new Promise((resolve, reject) => {
        const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d) => (stdout += d));
        child.stderr.on("data", (d) => (stderr += d));
        const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
        child.on("error", reject);
        child.on("exit", (status) => {
            clearTimeout(timer);
            resolve({ status, stdout, stderr });
        });
    });
}

/**
 * The cluster network for HTTP: a forward proxy (clients reach it through HTTP_PROXY) that sends
 * each request for a declared host to its loopback stand-in, Host header untouched, so a server's
 * host checks see exactly what they would behind the Service or the Ingress. Unknown hosts get 502.
 */
export async function startClusterProxy(routes: Record<string, number>): Promise<{ url: string; seen: string[]; stop(): Promise<void> }> {
    const seen: string[] = [];
    const server = http.createServer((req, res) => {
        let target: URL;
        try {
            target = new URL(req.url ?? "");
        } catch {
            res.writeHead(400).end("absolute-form request expected");
            return;
        }
        const port = routes[target.host] ?? routes[target.hostname];
        seen.push(`${req.method} ${target.host}${target.pathname}`);
        if (port === undefined) {
            res.writeHead(502).end(`no route to ${target.host} on the test's cluster network`);
            return;
        }
        const upstream = http.request(
            { host: "127.0.0.1", port, method: req.method, path: `${target.pathname}${target.search}`, headers: req.headers },
            (up) => {
                res.writeHead(up.statusCode ?? 502, up.headers);
                up.pipe(res);
            },
        );
        upstream.on("error", (e) => res.writeHead(502).end(String(e)));
        req.pipe(upstream);
    });
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    return { url: `http://127.0.0.1:${port}`, seen, stop: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** An HTTP request to a loopback port with an explicit Host header. */
export function httpGet(port: number, pathName: string, host: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
        const req = http.request({ host: "127.0.0.1", port, path: pathName, method: "GET", headers: { Host: host } }, (res) => {
            let body = "";
            res.on("data", (d) => (body += d));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on("error", reject);
        req.end();
    });
}

export interface S3Server {
    readonly port: number;
    readonly endpoint: string;
    /** Creates a bucket (moto accepts any credentials); with versioning when asked. */
    createBucket(bucket: string, versioning: boolean): Promise<void>;
    /** Every key in a bucket under a prefix. */
    keys(bucket: string, prefix?: string): Promise<string[]>;
    stop(): Promise<void>;
}

/** moto's S3 server on loopback: the stand-in for the environment's object store (never MinIO). */
export async function startS3(motoServer: string): Promise<S3Server> {
    const port = await freePort();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "moto-"));
    const proc = startProcess(motoServer, ["-H", "127.0.0.1", "-p", String(port)], { ...podEnv({}), HOME: dir });
    try {
        await waitForPort(port, 60_000);
    } catch (e) {
        await proc.stop();
        throw new Error(`moto_server did not start: ${(e as Error).message}\n${proc.log()}`);
    }
    const endpoint = `http://127.0.0.1:${port}`;
    const call = async (method: string, p: string, body?: string) => {
        const res = await fetch(`${endpoint}${p}`, { method, body });
        const text = await res.text();
        if (!res.ok) throw new Error(`S3 ${method} ${p}: ${res.status} ${text}`);
        return text;
    };
    return {
        port,
        endpoint,
        createBucket: async (bucket, versioning) => {
            await call("PUT", `/${bucket}`);
            if (versioning)
                await call(
                    "PUT",
                    `/${bucket}?versioning`,
                    '<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>Enabled</Status></VersioningConfiguration>',
                );
        },
        keys: async (bucket, prefix = "") => {
            const keys: string[] = [];
            let token: string | undefined;
            do {
                const q = new URLSearchParams({ "list-type": "2", prefix, ...(token ? { "continuation-token": token } : {}) });
                const xml = await call("GET", `/${bucket}?${q.toString()}`);
                for (const m of xml.matchAll(/<Key>([^<]*)<\/Key>/g)) keys.push(m[1]!);
                token = /<NextContinuationToken>([^<]*)</.exec(xml)?.[1];
            } while (token);
            return keys;
        },
        stop: async () => {
            await proc.stop();
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
}
