import * as fs from "node:fs";
import * as path from "node:path";
import { type TenantSource, readTenantFiles, tenantsForStack } from "../../tenants/load";
import type { Tenant } from "../../tenants/tenant";
import type { Environment } from "../environment/environment";
import { type Problem, ValidationError } from "../validation/problems";

/** The stacks this project has: one `stacks/Pulumi.<name>.yaml` each. */
export function knownStacks(projectRoot: string): string[] {
    const dir = path.join(projectRoot, "stacks");
    return fs
        .readdirSync(dir)
        .map((f) => /^Pulumi\.([a-z0-9-]+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
}

/**
 * Loads everything the program needs and validates it all before anything is declared: the
 * environment and every tenant file. Problems from both are reported together in one error.
 */
export function loadInputs(args: { projectRoot: string; tenantsDir?: string; environment: () => Environment }): { env: Environment; tenants: Tenant[] } {
    const problems: Problem[] = [];
    let env: Environment | undefined;
    let sources: TenantSource[] | undefined;
    try {
        env = args.environment();
    } catch (e) {
        if (!(e instanceof ValidationError)) throw e;
        problems.push(...e.problems);
    }
    const tenantsDir = path.resolve(args.projectRoot, args.tenantsDir ?? "tenants");
    const stacks = knownStacks(args.projectRoot);
    // The stack being deployed is known even when its config lives outside stacks/ (a throwaway stack, as the e2e uses).
    if (env && !stacks.includes(env.stack)) stacks.push(env.stack);
    try {
        sources = readTenantFiles(tenantsDir, { knownStacks: stacks, displayDir: path.relative(args.projectRoot, tenantsDir) || "." });
    } catch (e) {
        if (!(e instanceof ValidationError)) throw e;
        problems.push(...e.problems);
    }
    let tenants: Tenant[] = [];
    if (env && sources) {
        try {
            tenants = tenantsForStack(sources, env);
        } catch (e) {
            if (!(e instanceof ValidationError)) throw e;
            problems.push(...e.problems);
        }
    }
    if (problems.length > 0 || !env) throw new ValidationError("invalid input", problems);
    return { env, tenants };
}
