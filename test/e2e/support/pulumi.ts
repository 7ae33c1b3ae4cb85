import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

/** How one `pulumi` command went. */
export interface PulumiResult {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
    readonly seconds: number;
    /** Peak resident memory of the command's process tree (CLI, language host, program, plugins), sampled. */
    readonly peakRssMiB: number;
    /** The log file holding both streams. */
    readonly log: string;
}

/** What the e2e's `pulumi` runs with: a file backend, a passphrase, no plugin downloads. */
export interface PulumiSettings {
    readonly pulumi: string;
    /** The project (the repository root); commands run there. */
    readonly projectDir: string;
    readonly stack: string;
    /** The stack's config file, in the run directory (never under the checkout's `stacks/`). */
    readonly configFile: string;
    readonly env: NodeJS.ProcessEnv;
    readonly logDir: string;
}

/**
 * Runs `pulumi <args>` for the e2e stack (`--stack` unless told otherwise), without blocking the
 * event loop: the fake Logto server lives in the process that runs the commands.
 */
export async function pulumi(s: PulumiSettings, args: string[], opts: { stackScoped?: boolean } = {}): Promise<PulumiResult> {
    const scoped = opts.stackScoped ?? true;
    const full = [...args, ...(scoped ? ["--stack", s.stack] : []), "--non-interactive", "--color", "never"];
    // Numbered across the processes that share the log directory (setup, then the tests).
    const n = fs.readdirSync(s.logDir).filter((f) => f.startsWith("pulumi-")).length + 1;
    const log = path.join(s.logDir, `pulumi-${String(n).padStart(2, "0")}-${args.slice(0, 1).join("-")}.log`);
    const started = Date.now();
    const child = spawn(s.pulumi, full, { cwd: s.projectDir, env: s.env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    let peakRssMiB = 0;
    const sampler = setInterval(() => (peakRssMiB = Math.max(peakRssMiB, treeRssMiB(child.pid))), 500);
    const code = await new Promise<number>((resolve) => child.on("close", (c) => resolve(c ?? 1)));
    clearInterval(sampler);
    const seconds = (Date.now() - started) / 1000;
    fs.writeFileSync(
        log,
        `$ pulumi ${full.join(" ")}\n# exit ${code} after ${seconds.toFixed(1)} s\n--- stdout\n${stdout}\n--- stderr\n${stderr}\n`,
    );
    return { code, stdout, stderr, seconds, peakRssMiB, log };
}

/** Resident memory of a process and all its descendants, from /proc (0 where /proc is absent). */
export function treeRssMiB(root: number | undefined): number {
    if (root === undefined || !fs.existsSync("/proc")) return 0;
    const children = new Map<number, number[]>();
    const rss = new Map<number, number>();
    for (const entry of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(entry)) continue;
        try {
            const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
            // Fields after the command name (which may hold spaces): state, ppid, ..., rss is field 24.
            const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
            const pid = Number(entry);
            const ppid = Number(fields[1]);
            rss.set(pid, Number(fields[21]) * 4096);
            children.set(ppid, [...(children.get(ppid) ?? []), pid]);
        } catch {
            // the process exited while we looked
        }
    }
    let total = 0;
    const stack = [root];
    while (stack.length > 0) {
        const pid = stack.pop()!;
        total += rss.get(pid) ?? 0;
        stack.push(...(children.get(pid) ?? []));
    }
    return total / (1024 * 1024);
}

/** Like {@link pulumi}, but a non-zero exit throws with the end of the output and the log's path. */
export async function pulumiOk(s: PulumiSettings, args: string[], opts: { stackScoped?: boolean } = {}): Promise<PulumiResult> {
    const r = await pulumi(s, args, opts);
    if (r.code !== 0) {
        const out = `${r.stdout}\n${r.stderr}`.trim().split("\n").slice(-60).join("\n");
        throw new Error(`pulumi ${args.join(" ")} failed (exit ${r.code}, ${r.seconds.toFixed(0)} s; full log ${r.log}):\n${out}`);
    }
    return r;
}

/** A resource in `pulumi stack export`. */
export interface StateResource {
    urn: string;
    type: string;
    id?: string;
    custom?: boolean;
    protect?: boolean;
    parent?: string;
    dependencies?: string[];
    inputs?: Record<string, unknown>;
    outputs?: Record<string, unknown>;
}

export async function stackExport(s: PulumiSettings, opts: { showSecrets?: boolean } = {}): Promise<StateResource[]> {
    const r = await pulumiOk(s, ["stack", "export", ...(opts.showSecrets ? ["--show-secrets"] : [])]);
    const doc = JSON.parse(r.stdout) as { deployment?: { resources?: StateResource[] } };
    const resources = doc.deployment?.resources ?? [];
    return opts.showSecrets
        ? resources.map((r) => ({ ...r, outputs: reveal(r.outputs) as Record<string, unknown> | undefined }))
        : resources;
}

/** Pulumi's marker of a secret value in an exported state. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";

/**
 * A state value with secrets decrypted: `stack export --show-secrets` keeps each secret wrapped
 * (`{ <sig>: "1b47...", plaintext: "<JSON>" }`); this unwraps them.
 */
export function reveal(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(reveal);
    if (value !== null && typeof value === "object") {
        const o = value as Record<string, unknown>;
        if (SECRET_SIG in o && typeof o["plaintext"] === "string") return reveal(JSON.parse(o["plaintext"]));
        return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, reveal(v)]));
    }
    return value;
}

/** The last segment of a URN: the resource's name. */
export function urnName(urn: string): string {
    return urn.split("::").pop()!;
}
