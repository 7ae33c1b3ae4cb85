import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";

/**
 * Real servers from Debian's packages, started on loopback for tests of generated artifacts.
 * Under CI (CI=true) a missing server is a failure; on a laptop the test is skipped with the
 * package to install.
 */
export function which(binary: string, extraDirs: string[] = []): string | undefined {
    for (const dir of [...(process.env["PATH"] ?? "").split(":"), ...extraDirs]) {
        const p = path.join(dir, binary);
        if (dir && fs.existsSync(p)) return p;
    }
    return undefined;
}

/** Whether a test needing `binary` should run; throws under CI when it is missing. */
export function requireBinary(binary: string, debianPackage: string, extraDirs: string[] = []): string | undefined {
    const found = which(binary, extraDirs);
    if (found) return found;
    const message = `${binary} not found: install it with \`apt-get install -y ${debianPackage}\``;
    if (process.env["CI"] === "true") throw new Error(`${message} (.ci/run installs it; under CI this test must run)`);
    console.warn(`skipping: ${message}`);
    return undefined;
}

export async function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const srv = net.createServer();
        srv.listen(0, "127.0.0.1", () => {
            const port = (srv.address() as net.AddressInfo).port;
            srv.close(() => resolve(port));
        });
        srv.on("error", reject);
    });
}

export async function waitForPort(port: number, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
        const ok = await new Promise<boolean>((resolve) => {
            const s = net.connect(port, "127.0.0.1");
            s.on("connect", () => {
                s.destroy();
                resolve(true);
            });
            s.on("error", () => resolve(false));
        });
        if (ok) return;
        await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`nothing listened on 127.0.0.1:${port} within ${timeoutMs} ms`);
}

export interface RedisServer {
    readonly port: number;
    /** Runs a command as `user`; returns redis-cli's output, trimmed. */
    run(user: string, password: string, ...command: string[]): string;
    stop(): void;
}

/** Starts Debian's redis-server on loopback with the given ACL users file. */
export async function startRedis(redisServer: string, aclFile: string): Promise<RedisServer> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "redis-"));
    const port = await freePort();
    const aclPath = path.join(dir, "users.acl");
    fs.writeFileSync(aclPath, aclFile);
    const conf = path.join(dir, "redis.conf");
    fs.writeFileSync(conf, [`bind 127.0.0.1`, `port ${port}`, `dir ${dir}`, `aclfile ${aclPath}`, `save ""`, "appendonly no", "maxmemory-policy noeviction", ""].join("\n"));
    const child: ChildProcess = spawn(redisServer, [conf], { stdio: ["ignore", "pipe", "pipe"] });
    let log = "";
    child.stdout?.on("data", (d) => (log += d));
    child.stderr?.on("data", (d) => (log += d));
    try {
        await waitForPort(port);
    } catch (e) {
        child.kill();
        throw new Error(`redis-server did not start: ${(e as Error).message}\n${log}`);
    }
    const cli = which("redis-cli") ?? "redis-cli";
    return {
        port,
        run: (user, password, ...command) => {
            const r = spawnSync(cli, ["-h", "127.0.0.1", "-p", String(port), "--no-auth-warning", "--user", user, "--pass", password, ...command], { encoding: "utf8" });
            return `${r.stdout}${r.stderr}`.trim();
        },
        stop: () => {
            child.kill("SIGKILL");
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
}
