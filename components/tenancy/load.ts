import * as fs from "node:fs";
import * as path from "node:path";
import { capSize } from "../environment/defaults";
import type { Environment } from "../environment/environment";
import { APP_MODULES, APP_NAMES, type AppName } from "../apps/registry";
import { reservedReason } from "../naming/names";
import { type Problem, ValidationError, problemsFromZod } from "../validation/problems";
import { parseYamlText, readYamlFile } from "../validation/yaml-file";
import { type TenantFile, tenantSchema } from "./schema";
import type { Tenant } from "./tenant";

/** A tenant file that parsed and passed its own schema. */
export interface TenantSource {
    /** Path for messages, relative to the project: `tenants/acme.yaml`. */
    readonly source: string;
    readonly file: TenantFile;
}

export const TENANT_FILE = /\.ya?ml$/;

/**
 * Reads and validates every tenant file in `dir`, then checks across files: file name equals id,
 * ids unique, ids not reserved, stacks known, Kong consumers and SSO domains owned by one tenant
 * only. Throws one {@link ValidationError} listing every problem.
 */
export function readTenantFiles(dir: string, opts: { knownStacks: readonly string[]; displayDir?: string }): TenantSource[] {
    const displayDir = opts.displayDir ?? "tenants";
    const problems: Problem[] = [];
    const sources: TenantSource[] = [];
    if (!fs.existsSync(dir)) {
        // A mistyped directory must not read as "no tenants": that plans to delete every tenant.
        throw new ValidationError("tenant files", [
            {
                source: displayDir,
                path: "",
                message: "does not exist.",
                fix: "point at the tenants directory (an empty directory means no tenants).",
            },
        ]);
    }
    const names = fs
        .readdirSync(dir)
        .filter((n) => TENANT_FILE.test(n))
        .sort();
    for (const name of names) {
        const source = `${displayDir}/${name}`;
        const read = readYamlFile(source, path.join(dir, name));
        const parsed: { tenant?: TenantFile; problems: Problem[] } = read.problems.length
            ? { problems: read.problems }
            : parseTenantData(source, read.data);
        problems.push(...parsed.problems);
        if (parsed.tenant) sources.push({ source, file: parsed.tenant });
    }
    problems.push(...crossFileProblems(sources, opts.knownStacks));
    if (problems.length > 0) throw new ValidationError("tenant files", problems);
    return sources;
}

/** Parses one tenant file's text against the schema and the rules that need only that file. */
export function parseTenantText(source: string, text: string): { tenant?: TenantFile; problems: Problem[] } {
    const read = parseYamlText(source, text);
    return read.problems.length ? { problems: read.problems } : parseTenantData(source, read.data);
}

/** Checks one tenant file's parsed content against the schema and the rules that need only that file. */
function parseTenantData(source: string, data: unknown): { tenant?: TenantFile; problems: Problem[] } {
    if (data === null || typeof data !== "object" || Array.isArray(data)) {
        return {
            problems: [{ source, path: "", message: "must be a YAML mapping of tenant fields.", fix: "start from tenants/acme.yaml." }],
        };
    }
    const result = tenantSchema.safeParse(data);
    if (!result.success) return { problems: problemsFromZod(source, result.error, tenantSchema, data) };
    const problems: Problem[] = [];
    const tenant = result.data;
    const expected = path.basename(source).replace(TENANT_FILE, "");
    if (tenant.id !== expected) {
        problems.push({
            source,
            path: "id",
            message: `is \`${tenant.id}\` but the file is named \`${path.basename(source)}\`.`,
            fix: `rename the file to \`${tenant.id}.yaml\`, or set id to \`${expected}\`.`,
        });
    }
    const reserved = reservedReason(tenant.id);
    if (reserved)
        problems.push({
            source,
            path: "id",
            message: `${reserved}.`,
            fix: "choose another id, for example your organization's short name.",
        });
    problems.push(...duplicatesIn(source, "stacks", tenant.stacks));
    problems.push(...duplicatesIn(source, "sso.emailDomains", tenant.sso.emailDomains));
    if (tenant.kong) problems.push(...duplicatesIn(source, "kong.consumers", tenant.kong.consumers));
    if (APP_MODULES.every((app) => !(tenant.apps?.[app.name] ?? app.enabledByDefault ?? true))) {
        problems.push({
            source,
            path: "apps",
            message: "switches every app off.",
            fix: `enable at least one of ${APP_NAMES.join(", ")}, or retire the tenant.`,
        });
    }
    if (tenant.lifecycle && tenant.lifecycle.state !== "active" && !tenant.lifecycle.dataRetainedUntil) {
        problems.push({
            source,
            path: "lifecycle.dataRetainedUntil",
            message: `is required when the tenant is \`${tenant.lifecycle.state}\`: it says how long its data is kept.`,
            fix: "add `dataRetainedUntil: YYYY-MM-DD` (the date agreed with the tenant's owners).",
        });
    }
    const traceSinks = APP_MODULES.filter((app) => app.takesTraces);
    if (tenant.kong && traceSinks.every((app) => tenant.apps?.[app.name] === false)) {
        problems.push({
            source,
            path: "kong",
            message: `forwards gateway traces to ${traceSinks.map((app) => app.title).join(" or ")}, which this tenant switched off.`,
            fix: `remove \`kong\`, or enable ${traceSinks.map((app) => `\`apps.${app.name}\``).join(" or ")}.`,
        });
    }
    return { tenant, problems };
}

function duplicatesIn(source: string, field: string, values: readonly string[]): Problem[] {
    const seen = new Set<string>();
    const problems: Problem[] = [];
    values.forEach((v, i) => {
        if (seen.has(v)) problems.push({ source, path: `${field}[${i}]`, message: `lists \`${v}\` twice.`, fix: "remove the duplicate." });
        seen.add(v);
    });
    return problems;
}

function crossFileProblems(sources: readonly TenantSource[], knownStacks: readonly string[]): Problem[] {
    const problems: Problem[] = [];
    const owners = new Map<string, string>();
    const claim = (kind: string, value: string, source: string, field: string) => {
        const key = `${kind}\u0000${value}`;
        const other = owners.get(key);
        if (other && other !== source) {
            problems.push({
                source,
                path: field,
                message: `${kind} \`${value}\` is already claimed by ${other}.`,
                fix: `each ${kind} belongs to one tenant; remove it from one of the two files.`,
            });
        } else owners.set(key, source);
    };
    for (const { source, file } of sources) {
        claim("tenant id", file.id, source, "id");
        file.stacks.forEach((s, i) => {
            if (!knownStacks.includes(s)) {
                problems.push({
                    source,
                    path: `stacks[${i}]`,
                    message: `names the stack \`${s}\`, which has no stacks/Pulumi.${s}.yaml.`,
                    fix: `use one of ${knownStacks.join(", ")}.`,
                });
            }
        });
        file.sso.emailDomains.forEach((d, i) => claim("SSO email domain", d, source, `sso.emailDomains[${i}]`));
        file.kong?.consumers.forEach((c, i) => claim("Kong consumer", c, source, `kong.consumers[${i}]`));
    }
    return problems;
}

/**
 * The tenants of one stack, with defaults decided for its environment. Retention outside the
 * environment's bounds is refused here, naming the file, field and allowed range.
 */
export function tenantsForStack(sources: readonly TenantSource[], profile: Environment): Tenant[] {
    const problems: Problem[] = [];
    const tenants: Tenant[] = [];
    for (const { source, file } of sources) {
        if (!file.stacks.includes(profile.stack)) continue;
        const retention = {
            traceDays: file.retention?.traceDays ?? profile.retention.traceDays.default,
            artifactDays: file.retention?.artifactDays ?? profile.retention.artifactDays.default,
            deletedRunsPurgeDays: file.retention?.deletedRunsPurgeDays ?? profile.retention.deletedRunsPurgeDays.default,
        };
        for (const field of ["traceDays", "artifactDays", "deletedRunsPurgeDays"] as const) {
            const bound = profile.retention[field];
            const value = retention[field];
            if (value < bound.min || value > bound.max) {
                problems.push({
                    source,
                    path: `retention.${field}`,
                    message: `is ${value}, outside what \`${profile.stack}\` allows (${bound.min} to ${bound.max} days).`,
                    fix: `choose a value from ${bound.min} to ${bound.max}, or leave it out for the default (${bound.default}).`,
                });
            }
        }
        const requestedSize = file.size ?? "small";
        tenants.push({
            id: file.id,
            displayName: file.displayName,
            source,
            owners: file.owners,
            requestedSize,
            size: capSize(requestedSize, profile.maxTenantSize),
            apps: Object.fromEntries(APP_MODULES.map((app) => [app.name, file.apps?.[app.name] ?? app.enabledByDefault ?? true])) as Record<
                AppName,
                boolean
            >,
            channel: file.channel ?? "stable",
            lifecycle: { state: file.lifecycle?.state ?? "active", dataRetainedUntil: file.lifecycle?.dataRetainedUntil },
            redis: file.redis ?? "shared",
            sso: { emailDomains: file.sso.emailDomains, admins: file.sso.admins ?? [] },
            retention,
            kong: file.kong ? { consumers: file.kong.consumers, samplingRate: file.kong.samplingRate ?? 1 } : undefined,
        });
    }
    if (problems.length > 0) throw new ValidationError(`tenants of stack \`${profile.stack}\``, problems);
    return tenants.sort((a, b) => a.id.localeCompare(b.id));
}
