import * as fs from "node:fs";
import { type Capture, listStacks, runProgram } from "./mock-runtime";
import { evaluate, formatReport } from "./policy-eval";
import { commandLine } from "./args";

/**
 * `npm run policy -- <stack> [--tenants <dir>] [--capture <file.json>]`: runs the program for the
 * stack under the mock runtime (or reads a saved capture) and evaluates every CrossGuard rule
 * offline. Exits 1 when a mandatory rule is violated, 2 on bad usage or invalid input.
 */
async function main(): Promise<number> {
    const usage = `npm run policy -- <stack> [--tenants <dir>] [--capture <file.json>]\nstacks: ${listStacks().join(", ")}`;
    const cmd = commandLine(usage, ["tenants", "capture"] as const);
    const stack = "error" in cmd ? undefined : cmd.positionals[0];
    if ("error" in cmd || !stack || !listStacks().includes(stack)) {
        console.error("error" in cmd ? cmd.error : `usage: ${usage}`);
        return 2;
    }
    let capture: Capture;
    const file = cmd.options.capture;
    try {
        capture = file
            ? (JSON.parse(fs.readFileSync(file, "utf8")) as { capture: Capture }).capture
            : await runProgram({ stack, tenantsDir: cmd.options.tenants });
    } catch (e) {
        console.error(e instanceof Error ? e.message : String(e));
        return 2;
    }
    const results = await evaluate(capture);
    console.log(formatReport(stack, capture, results));
    return results.some((r) => r.enforcementLevel === "mandatory" && r.violations.length) ? 1 : 0;
}

main().then(
    (code) => process.exit(code),
    (e) => {
        console.error(e);
        process.exit(2);
    },
);
