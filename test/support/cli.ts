import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { ROOT } from "./capture";

export interface CliResult {
    readonly status: number;
    readonly stdout: string;
    readonly stderr: string;
}

/** Runs one of the project's command-line scripts (`cli/<name>.ts`) the way npm would. */
export function runCli(script: string, args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): CliResult {
    const r = spawnSync(path.join(ROOT, "node_modules", ".bin", "tsx"), [path.join(ROOT, "cli", `${script}.ts`), ...args], {
        cwd: opts.cwd ?? ROOT,
        encoding: "utf8",
        env: { ...process.env, ...opts.env },
        timeout: 300_000,
    });
    return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
