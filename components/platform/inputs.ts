import * as fs from "node:fs";
import * as path from "node:path";
import { type TenantSource, readTenantFiles, tenantsForStack } from "../tenancy/load";
import { type Tenant, enabledApps } from "../tenancy/tenant";
import { SERVER_RESERVED_CONNECTIONS } from "../data/postgres/pools";
import { tenantConnectionLimit } from "../apps/app";
import { appModule } from "../apps/registry";
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
export function loadInputs(args: { projectRoot: string; tenantsDir?: string; environment: () => Environment }): {
    profile: Environment;
    tenants: Tenant[];
} {
    const problems: Problem[] = [];
    let profile: Environment | undefined;
    let sources: TenantSource[] | undefined;
    try {
        profile = args.environment();
    } catch (e) {
        if (!(e instanceof ValidationError)) throw e;
        problems.push(...e.problems);
    }
    const tenantsDir = path.resolve(args.projectRoot, args.tenantsDir ?? "tenants");
    const stacks = knownStacks(args.projectRoot);
    // The stack being deployed is known even when its config lives outside stacks/ (a throwaway stack, as the e2e uses).
    if (profile && !stacks.includes(profile.stack)) stacks.push(profile.stack);
    try {
        sources = readTenantFiles(tenantsDir, { knownStacks: stacks, displayDir: path.relative(args.projectRoot, tenantsDir) || "." });
    } catch (e) {
        if (!(e instanceof ValidationError)) throw e;
        problems.push(...e.problems);
    }
    let tenants: Tenant[] = [];
    if (profile && sources) {
        try {
            tenants = tenantsForStack(sources, profile);
        } catch (e) {
            if (!(e instanceof ValidationError)) throw e;
            problems.push(...e.problems);
        }
    }
    if (profile && problems.length === 0) problems.push(...connectionBudgetProblems(profile, tenants));
    if (problems.length > 0 || !profile) throw new ValidationError("invalid input", problems);
    return { profile: profile, tenants };
}

/**
 * Every tenant app's role may hold its connection limit at once, so the limits of all tenants,
 * plus what the platform keeps for itself, must fit the server's `max_connections`. Refuses
 * tenants (a count or sizes) that do not fit, naming the setting that would make room.
 */
export function connectionBudgetProblems(profile: Environment, tenants: readonly Tenant[]): Problem[] {
    const perTenant = tenants.map((t) => ({
        id: t.id,
        size: t.size,
        connections: enabledApps(t).reduce((sum, app) => sum + tenantConnectionLimit(appModule(app), profile, t.size), 0),
    }));
    const needed = perTenant.reduce((sum, t) => sum + t.connections, SERVER_RESERVED_CONNECTIONS);
    const max = profile.postgres.maxConnections;
    if (needed <= max) return [];
    const breakdown = perTenant.map((t) => `${t.id} (${t.size}) ${t.connections}`).join(", ");
    const where = profile.postgres.mode === "external" ? "dataServices.postgres.maxConnections" : "dataServices.postgres.size";
    const room =
        profile.postgres.mode === "external"
            ? `raise max_connections on the server and set maxConnections to it (at least ${needed})`
            : profile.postgres.size === "small"
              ? "set `size: standard` for the in-cluster Postgres"
              : "point the stack at a larger external Postgres";
    return [
        {
            source: `stacks/Pulumi.${profile.stack}.yaml`,
            path: where,
            message: `allows ${max} Postgres connections, but the ${tenants.length} tenants of this stack may hold ${needed} (${breakdown}, and ${SERVER_RESERVED_CONNECTIONS} kept for the platform): their apps' pools would fail to connect under load.`,
            fix: `${room}, move tenants to another stack, or lower tenant sizes.`,
        },
    ];
}
