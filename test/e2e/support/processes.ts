import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

/** A server the e2e started, logging to its own file. */
export interface Server {
    readonly name: string;
    readonly log: string;
    readonly child: ChildProcess;
}

/** The servers started so far, stopped in reverse order by {@link stopAll}. */
const started: Server[] = [];

/**
 * Starts `binary` with `args`, its stdout and stderr appended to `<logDir>/<name>.log`. A server
 * that exits while the e2e runs is reported once, with the end of its log.
 */
export function startServer(
    name: string,
    binary: string,
    args: string[],
    opts: { logDir: string; env?: NodeJS.ProcessEnv; cwd?: string },
): Server {
    const log = path.join(opts.logDir, `${name}.log`);
    const fd = fs.openSync(log, "a");
    const child = spawn(binary, args, { stdio: ["ignore", fd, fd], env: opts.env ?? process.env, cwd: opts.cwd });
    fs.closeSync(fd);
    const server = { name, log, child };
    started.push(server);
    child.on("exit", (code, signal) => {
        if (stopping) return;
        console.error(`e2e: ${name} exited (${signal ?? code}); last lines of ${log}:\n${tail(log, 15)}`);
    });
    return server;
}

let stopping = false;

/** Stops every server this process started (SIGTERM, then SIGKILL after a grace period). */
export async function stopAll(): Promise<void> {
    stopping = true;
    for (const s of [...started].reverse()) {
        if (s.child.exitCode !== null || s.child.signalCode !== null) continue;
        s.child.kill("SIGTERM");
        const exited = await Promise.race([
            new Promise<boolean>((r) => s.child.once("exit", () => r(true))),
            sleep(5_000).then(() => false),
        ]);
        if (!exited) s.child.kill("SIGKILL");
    }
    started.length = 0;
}

/** Kills every server still running, at once: for process exit, when there is no time to wait. */
export function killAll(): void {
    for (const s of started) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill("SIGKILL");
}

export function sleep(ms: number): Promise<void> {
    return new Promise((r) => setTimeout(r, ms));
}

/** The last `lines` lines of a file, for error messages. */
export function tail(file: string, lines: number): string {
    if (!fs.existsSync(file)) return "(no log)";
    return fs.readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
}

/** Polls `probe` until it returns true; throws with `what` and `log`'s tail on timeout. */
export async function waitFor(
    what: string,
    probe: () => boolean | Promise<boolean>,
    opts: { timeoutMs: number; log?: string; intervalMs?: number },
): Promise<void> {
    const deadline = Date.now() + opts.timeoutMs;
    for (;;) {
        try {
            if (await probe()) return;
        } catch {
            // not yet
        }
        if (Date.now() > deadline)
            throw new Error(
                `e2e: ${what} did not happen within ${opts.timeoutMs / 1000} s${opts.log ? `; last lines of ${opts.log}:\n${tail(opts.log, 20)}` : ""}`,
            );
        await sleep(opts.intervalMs ?? 250);
    }
}

/** Runs a command to completion; throws with its output when it fails. */
export function run(binary: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string } = {}): string {
    const r = spawnSync(binary, args, {
        encoding: "utf8",
        env: opts.env ?? process.env,
        cwd: opts.cwd,
        input: opts.input,
        maxBuffer: 256 * 1024 * 1024,
    });
    if (r.status !== 0)
        throw new Error(
            `${path.basename(binary)} ${args.join(" ")} failed (${r.status ?? r.signal}):\n${r.stderr}${r.stdout}`.slice(0, 8000),
        );
    return r.stdout;
}
