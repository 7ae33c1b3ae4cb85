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
    fs.writeFileSync(
        conf,
        [
            `bind 127.0.0.1`,
            `port ${port}`,
            `dir ${dir}`,
            `aclfile ${aclPath}`,
            `save ""`,
            "appendonly no",
            "maxmemory-policy noeviction",
            "",
        ].join("\n"),
    );
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
            const r = spawnSync(
                cli,
                ["-h", "127.0.0.1", "-p", String(port), "--no-auth-warning", "--user", user, "--pass", password, ...command],
                { encoding: "utf8" },
            );
            return `${r.stdout}${r.stderr}`.trim();
        },
        stop: () => {
            child.kill("SIGKILL");
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
}

/** Debian installs PostgreSQL's server binaries off the PATH, under /usr/lib/postgresql/<version>/bin. */
export function postgresBinDirs(): string[] {
    const root = "/usr/lib/postgresql";
    if (!fs.existsSync(root)) return [];
    return fs
        .readdirSync(root)
        .sort((a, b) => Number(b) - Number(a))
        .map((v) => path.join(root, v, "bin"));
}

export interface PostgresServer {
    readonly port: number;
    /** Environment for libpq tools connecting as the superuser over TCP. */
    readonly adminEnv: Record<string, string>;
    /** Runs SQL as `user` (the superuser by default) in `database`; returns psql's unaligned output. */
    sql(sql: string, opts?: { database?: string; user?: string; password?: string }): string;
    readonly binDir: string;
    stop(): void;
}

/**
 * Starts Debian's PostgreSQL on loopback in a throwaway cluster (as the postgres user when run as
 * root). `tls` turns on TLS with this server certificate and key (PEM).
 */
export async function startPostgres(
    binDir: string,
    opts: { tls?: { cert: string; key: string }; maxConnections?: number } = {},
): Promise<PostgresServer> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pg-"));
    fs.chmodSync(dir, 0o755);
    const data = path.join(dir, "data");
    const port = await freePort();
    const asRoot = process.getuid?.() === 0;
    const run = (cmd: string, args: string[]) =>
        asRoot
            ? spawnSync("runuser", ["-u", "postgres", "--", cmd, ...args], { encoding: "utf8" })
            : spawnSync(cmd, args, { encoding: "utf8" });
    if (asRoot) spawnSync("chown", ["postgres:postgres", dir]);
    const init = run(path.join(binDir, "initdb"), [
        "-D",
        data,
        "-U",
        "postgres",
        "--auth=md5",
        `--pwfile=${writePw(dir, asRoot)}`,
        "-E",
        "UTF8",
        "--no-sync",
    ]);
    if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
    const args = ["-D", data, "-p", String(port), "-k", dir, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"];
    if (opts.maxConnections !== undefined) args.push("-c", `max_connections=${opts.maxConnections}`);
    if (opts.tls) {
        // The server refuses a key others can read; it must belong to the user it runs as.
        const cert = path.join(dir, "server.crt");
        const key = path.join(dir, "server.key");
        fs.writeFileSync(cert, opts.tls.cert);
        fs.writeFileSync(key, opts.tls.key, { mode: 0o600 });
        if (asRoot) spawnSync("chown", ["postgres:postgres", cert, key]);
        args.push("-c", "ssl=on", "-c", `ssl_cert_file=${cert}`, "-c", `ssl_key_file=${key}`);
    }
    const server: ChildProcess = asRoot
        ? spawn("runuser", ["-u", "postgres", "--", path.join(binDir, "postgres"), ...args], { stdio: "ignore" })
        : spawn(path.join(binDir, "postgres"), args, { stdio: "ignore" });
    await waitForPort(port, 30_000);
    const adminEnv = { PGHOST: "127.0.0.1", PGPORT: String(port), PGUSER: "postgres", PGPASSWORD: "admin-password", PGSSLMODE: "disable" };
    const psql = path.join(binDir, "psql");
    const sql: PostgresServer["sql"] = (text, opts = {}) => {
        const r = spawnSync(psql, ["-X", "-v", "ON_ERROR_STOP=1", "-Atc", text, "-d", opts.database ?? "postgres"], {
            encoding: "utf8",
            env: { ...process.env, ...adminEnv, ...(opts.user ? { PGUSER: opts.user, PGPASSWORD: opts.password ?? "" } : {}) },
        });
        if (r.status !== 0) throw new Error(`psql failed: ${r.stderr}`);
        return r.stdout.trim();
    };
    // Retry until the server accepts logins (the port opens slightly before).
    for (let i = 0; i < 50; i++) {
        try {
            sql("SELECT 1");
            break;
        } catch (e) {
            if (i === 49) throw e;
            await new Promise((r) => setTimeout(r, 200));
        }
    }
    return {
        port,
        adminEnv,
        sql,
        binDir,
        stop: () => {
            server.kill("SIGINT");
            spawnSync("sleep", ["0.5"]);
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
}

function writePw(dir: string, asRoot: boolean): string {
    const file = path.join(dir, "pw");
    fs.writeFileSync(file, "admin-password\n");
    if (asRoot) spawnSync("chown", ["postgres:postgres", file]);
    return file;
}
