import * as fs from "node:fs";
import * as path from "node:path";

/** One resource of a synth plan (`out/<stack>/resources.json`), as far as a diff needs it. */
export interface PlannedResource {
    readonly urn: string;
    readonly type: string;
    readonly tenant?: string;
    readonly inputs: unknown;
    readonly [key: string]: unknown;
}

export interface PlanChange {
    readonly urn: string;
    readonly type: string;
    /** The tenant the resource belongs to; undefined for the environment's shared resources. */
    readonly tenant?: string;
    readonly change: "create" | "delete" | "update";
}

/** What differs between two synth plans of one stack, resource by resource (by URN). */
export function diffPlans(before: readonly PlannedResource[], after: readonly PlannedResource[]): PlanChange[] {
    const old = new Map(before.map((r) => [r.urn, r]));
    const now = new Map(after.map((r) => [r.urn, r]));
    const changes: PlanChange[] = [];
    for (const [urn, r] of now) {
        const was = old.get(urn);
        if (!was) changes.push({ urn, type: r.type, tenant: r.tenant, change: "create" });
        else if (JSON.stringify(was) !== JSON.stringify(r)) changes.push({ urn, type: r.type, tenant: r.tenant, change: "update" });
    }
    for (const [urn, r] of old) if (!now.has(urn)) changes.push({ urn, type: r.type, tenant: r.tenant, change: "delete" });
    return changes.sort((a, b) => (a.tenant ?? "").localeCompare(b.tenant ?? "") || a.urn.localeCompare(b.urn));
}

/** Changes grouped by tenant (`(environment)` for shared resources), for a pull request comment. */
export function formatPlanDiff(changes: readonly PlanChange[]): string {
    if (changes.length === 0) return "no changes\n";
    const byTenant = new Map<string, PlanChange[]>();
    for (const c of changes) {
        const key = c.tenant ?? "(environment)";
        byTenant.set(key, [...(byTenant.get(key) ?? []), c]);
    }
    const lines: string[] = [];
    for (const [tenant, list] of byTenant) {
        lines.push(`${tenant}: ${list.length} change(s)`);
        for (const c of list) lines.push(`  ${c.change.padEnd(6)} ${c.type} ${c.urn.split("::").pop()}`);
    }
    return `${lines.join("\n")}\n`;
}

function readPlan(dir: string): PlannedResource[] {
    const file = fs.existsSync(path.join(dir, "resources.json")) ? path.join(dir, "resources.json") : dir;
    return JSON.parse(fs.readFileSync(file, "utf8")) as PlannedResource[];
}

/** `npm run diff -- <before> <after>`: two synth outputs of one stack (directories or resources.json files). */
if (require.main === module) {
    const [before, after] = process.argv.slice(2);
    if (!before || !after) {
        console.error("usage: npm run diff -- <before: out/<stack> or resources.json> <after>");
        process.exit(2);
    }
    process.stdout.write(formatPlanDiff(diffPlans(readPlan(before), readPlan(after))));
}
