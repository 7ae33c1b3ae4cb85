import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/**
 * Where `scripts/servers/install.sh` (real servers for tier-2 tests) and
 * `scripts/toolchain/build.sh` (the Pulumi engine, providers and control plane for the e2e)
 * put what they build: a cache outside the checkout, keyed by the versions in the repo.
 */
export const TOOLS_DIR = process.env["LLMOPS_TOOLS_DIR"] ?? path.join(os.homedir(), ".cache", "llmops-platform");
export const SERVERS_BIN = path.join(TOOLS_DIR, "servers", "bin");

/**
 * A tool installed by `scripts/servers/install.sh`, by its name under `servers/bin/`. Under CI
 * a missing tool is a failure (.ci/run installs it); on a laptop the caller skips, and this
 * says what to run.
 */
export function requireServerTool(name: string): string | undefined {
    const p = path.join(SERVERS_BIN, name);
    if (fs.existsSync(p)) return p;
    const message = `${p} not found: run \`bash scripts/servers/install.sh\` (cached under ${TOOLS_DIR})`;
    if (process.env["CI"] === "true") throw new Error(`${message}; under CI this test must run`);
    console.warn(`skipping: ${message}`);
    return undefined;
}

/**
 * Skips a test whose real tool (`what`) is missing on a laptop, saying how to install it; under
 * CI the test must run, so a missing tool fails it instead.
 */
export function skipWithout(ctx: { skip: (note?: string) => void }, what: string, install: string): void {
    const message = `${what} is not installed: ${install}`;
    if (process.env["CI"] === "true") throw new Error(`${message}; under CI this test must run`);
    ctx.skip(message);
}
