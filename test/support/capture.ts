import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Capture, RunOptions } from "../../cli/mock-runtime";
import { STACKS } from "./stacks";

export { STACKS };

export const ROOT = path.resolve(__dirname, "../..");
// One cache per checkout: worktrees share node_modules, and a run in one must neither wipe nor
// read the captures of another checkout's program.
const CACHE_DIR = path.join(
    ROOT,
    "node_modules",
    ".cache",
    `llmops-captures-${createHash("sha256").update(ROOT).digest("hex").slice(0, 8)}`,
);
const TSX = path.join(ROOT, "node_modules", ".bin", "tsx");

export type CaptureResult = { ok: true; capture: Capture } | { ok: false; error: string };

function key(opts: RunOptions): string {
    return createHash("sha256").update(JSON.stringify(opts)).digest("hex").slice(0, 16);
}

/** Runs the program for a stack in its own process (the Pulumi runtime is global state). */
export async function runCapture(opts: RunOptions): Promise<CaptureResult> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "llmops-capture-"));
    const optsFile = path.join(dir, "options.json");
    const outFile = path.join(dir, "capture.json");
    fs.writeFileSync(optsFile, JSON.stringify(opts));
    const stderr = await new Promise<string>((resolve, reject) => {
        const child = spawn(TSX, [path.join(ROOT, "cli", "capture.ts"), optsFile, outFile], {
            cwd: ROOT,
            stdio: ["ignore", "ignore", "pipe"],
        });
        let err = "";
        child.stderr.on("data", (d) => (err += d));
        child.on("error", reject);
        // A program that fails after declaring resources leaves the runtime's promises pending, and the
        // runtime then exits non-zero; the capture script has written the program's error by then.
        child.on("exit", (code) =>
            code === 0 || fs.existsSync(outFile) ? resolve(err) : reject(new Error(`capture of ${opts.stack} exited ${code}: ${err}`)),
        );
    });
    if (!fs.existsSync(outFile)) throw new Error(`capture of ${opts.stack} wrote nothing: ${stderr}`);
    const result = JSON.parse(fs.readFileSync(outFile, "utf8")) as CaptureResult;
    fs.rmSync(dir, { recursive: true, force: true });
    return result;
}

/** A capture that must succeed. */
export async function capture(opts: RunOptions): Promise<Capture> {
    const cached = path.join(CACHE_DIR, `${key(opts)}.json`);
    // The global setup caches failed runs too: they fail here, with the program's error.
    const result = fs.existsSync(cached) ? (JSON.parse(fs.readFileSync(cached, "utf8")) as CaptureResult) : await runCapture(opts);
    if (!result.ok) throw new Error(`program failed for ${opts.stack}:\n${result.error}`);
    return result.capture;
}

/** Captures of the shipped stacks, made once per test run by the global setup. */
export function stackCapture(stack: string): Promise<Capture> {
    return capture({ stack });
}

export async function warmCache(): Promise<void> {
    fs.rmSync(CACHE_DIR, { recursive: true, force: true });
    fs.mkdirSync(CACHE_DIR, { recursive: true });
    const queue = [...STACKS];
    const worker = async () => {
        for (let stack = queue.shift(); stack; stack = queue.shift()) {
            const result = await runCapture({ stack });
            fs.writeFileSync(path.join(CACHE_DIR, `${key({ stack })}.json`), JSON.stringify(result));
        }
    };
    await Promise.all([worker(), worker()]);
}
