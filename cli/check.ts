import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { knownStacks } from "../components/platform/inputs";
import { type Problem, ValidationError, sortProblems } from "../components/validation/problems";
import { commandLine } from "./args";
import { TENANT_FILE, parseTenantText, readTenantFiles } from "../components/tenancy/load";
import type { LifecycleState } from "../components/tenancy/schema";

/**
 * `npm run check -- --base <ref>`: the pull-request check of tenant changes, run by CI against the
 * target branch. It fails, naming the tenant, when the change
 *
 * - deletes (or renames) a tenant file whose tenant was not `retired` at `<ref>`, or whose data
 *   is still kept (its `dataRetainedUntil` has not passed);
 * - moves a tenant from `active` straight to `retired`, skipping the offboarding export;
 *
 * and it validates every tenant file of the working tree, as the program would.
 */

const OFFBOARDING_STEPS =
    "set `lifecycle: { state: offboarding, dataRetainedUntil: YYYY-MM-DD }` and deploy (workloads stop, the data is exported), then `state: retired`, and remove the file in a later pull request once that date has passed";

interface Change {
    readonly status: string;
    readonly file: string;
}

function git(root: string, args: string[]): string {
    const r = spawnSync("git", args, { cwd: root, encoding: "utf8" });
    if (r.status !== 0) throw new CheckError(`git ${args.join(" ")} failed: ${(r.stderr || r.stdout).trim()}`);
    return r.stdout;
}

class CheckError extends Error {}

/** The lifecycle a tenant file declares (active when it says nothing, or does not parse). */
function lifecycleOf(file: string, text: string): { state: LifecycleState; dataRetainedUntil?: string } {
    const lifecycle = parseTenantText(file, text).tenant?.lifecycle;
    return { state: lifecycle?.state ?? "active", dataRetainedUntil: lifecycle?.dataRetainedUntil };
}

/** Problems of the change from `base` to the working tree (or to `head`), in the repository at `root`. */
function checkTenantChanges(root: string, base: string, head: string | undefined): Problem[] {
    const today = new Date().toISOString().slice(0, 10);
    if (spawnSync("git", ["rev-parse", "--verify", "--quiet", `${base}^{commit}`], { cwd: root }).status !== 0) {
        throw new CheckError(
            `unknown base \`${base}\`: name a branch or commit of this repository (in CI, check out with fetch-depth: 0 and pass origin/<target branch>).`,
        );
    }
    const range = head ? [base, head] : [base];
    const out = git(root, ["diff", "--name-status", "--no-renames", "-z", ...range, "--", "tenants/"]);
    const fields = out.split("\0").filter(Boolean);
    const changes: Change[] = [];
    for (let i = 0; i + 1 < fields.length; i += 2) changes.push({ status: fields[i]!, file: fields[i + 1]! });
    const problems: Problem[] = [];
    for (const { status, file } of changes) {
        if (path.dirname(file) !== "tenants" || !TENANT_FILE.test(file)) continue;
        const id = path.basename(file).replace(TENANT_FILE, "");
        if (status === "D") {
            const before = lifecycleOf(file, git(root, ["show", `${base}:${file}`]));
            if (before.state !== "retired") {
                problems.push({
                    source: file,
                    path: "",
                    message: `deletes tenant \`${id}\`, which is \`${before.state}\` on ${base}: removing an active tenant's file would delete its workloads and try to delete its data.`,
                    fix: `restore the file; to offboard ${id}, ${OFFBOARDING_STEPS}.`,
                });
            } else if (before.dataRetainedUntil && before.dataRetainedUntil >= today) {
                problems.push({
                    source: file,
                    path: "",
                    message: `deletes retired tenant \`${id}\`, whose data is kept until ${before.dataRetainedUntil} (lifecycle.dataRetainedUntil).`,
                    fix: `keep the file until after ${before.dataRetainedUntil}.`,
                });
            }
        } else if (head) {
            // At a commit the loader cannot read the tree; check each changed file on its own.
            problems.push(...parseTenantText(file, git(root, ["show", `${head}:${file}`])).problems);
        }
        if (status === "M") {
            const before = lifecycleOf(file, git(root, ["show", `${base}:${file}`]));
            const after = lifecycleOf(file, head ? git(root, ["show", `${head}:${file}`]) : fs.readFileSync(path.join(root, file), "utf8"));
            if (before.state === "active" && after.state === "retired") {
                problems.push({
                    source: file,
                    path: "lifecycle.state",
                    message: `retires tenant \`${id}\` straight from \`active\`, skipping \`offboarding\` and its export of the data.`,
                    fix: "set `state: offboarding` first, deploy, and retire it in a later pull request.",
                });
            }
        }
    }
    return problems;
}

function main(): number {
    const usage = "npm run check -- --base <ref> [--head <ref>]\n  e.g. npm run check -- --base origin/main";
    const cmd = commandLine(usage, ["base", "head"] as const);
    const base = "error" in cmd ? undefined : cmd.options.base;
    if ("error" in cmd || !base) {
        console.error("error" in cmd ? cmd.error : `usage: ${usage}`);
        return 2;
    }
    const head = cmd.options.head;
    let root: string;
    const problems: Problem[] = [];
    try {
        root = git(process.cwd(), ["rev-parse", "--show-toplevel"]).trim();
        problems.push(...checkTenantChanges(root, base, head));
    } catch (e) {
        if (!(e instanceof CheckError)) throw e;
        console.error(`check: ${e.message}`);
        return 2;
    }
    let count = 0;
    if (!head) {
        try {
            count = readTenantFiles(path.join(root, "tenants"), { knownStacks: knownStacks(root) }).length;
        } catch (e) {
            if (!(e instanceof ValidationError)) throw e;
            problems.push(...e.problems);
        }
    }
    if (problems.length) {
        console.error(`check: ${problems.length} problem${problems.length === 1 ? "" : "s"} in the tenant changes since ${base}:`);
        for (const p of sortProblems(problems))
            console.error(`  - ${p.path ? `${p.source}: ${p.path}` : p.source}: ${p.message}${p.fix ? ` Fix: ${p.fix}` : ""}`);
        return 1;
    }
    console.log(`check: tenant changes since ${base} are safe${head ? "" : ` (${count} tenant files valid)`}`);
    return 0;
}

if (require.main === module) process.exit(main());
