import type {
    PolicyResource,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import { rules as allRules } from "../policies/rules";
import { type Capture, type CapturedResource, reveal } from "./mock-runtime";

/**
 * Evaluates the CrossGuard rules offline, over what the program declared under the mock
 * runtime: each resource becomes the `ResourceValidationArgs` / `PolicyResource` the engine would
 * pass (type, props, urn, name, options, parent, dependencies), and each rule runs as the engine
 * would run it.
 */

export type Rule = ResourceValidationPolicy | StackValidationPolicy;

export interface Violation {
    readonly message: string;
    readonly urn?: string;
}

export interface RuleResult {
    readonly name: string;
    readonly enforcementLevel: string;
    readonly violations: Violation[];
}

class NotApplicable extends Error {}

/** Runs one validation; a rule calling `notApplicable()` ends only that validation. */
async function skipIfNotApplicable(run: () => void | Promise<void>): Promise<void> {
    try {
        await run();
    } catch (e) {
        if (!(e instanceof NotApplicable)) throw e;
    }
}

function policyResources(capture: Capture): Map<string, PolicyResource> {
    const byUrn = new Map<string, PolicyResource>();
    const raw = new Map<string, CapturedResource>(capture.resources.map((r) => [r.urn, r]));
    // The engine hands rules the stack's resources, not its providers.
    for (const r of capture.resources.filter((x) => !x.type.startsWith("pulumi:providers:"))) {
        byUrn.set(r.urn, {
            type: r.type,
            props: reveal(r.inputs) as Record<string, unknown>,
            urn: r.urn,
            name: r.name,
            opts: {
                protect: r.options.protect,
                ignoreChanges: r.options.ignoreChanges,
                deleteBeforeReplace: r.options.deleteBeforeReplace,
                aliases: [],
                customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
                additionalSecretOutputs: [],
                parent: r.parent,
            },
            dependencies: [],
            propertyDependencies: {},
            isType: () => false,
            asType: () => undefined,
        });
    }
    for (const [urn, pr] of byUrn) {
        const r = raw.get(urn)!;
        const mutable = pr as { parent?: PolicyResource; dependencies: PolicyResource[] };
        mutable.parent = r.parent ? byUrn.get(r.parent) : undefined;
        mutable.dependencies = r.options.dependencies.map((d) => byUrn.get(d)).filter((d): d is PolicyResource => d !== undefined);
    }
    return byUrn;
}

export async function evaluate(capture: Capture, rules: readonly Rule[] = allRules): Promise<RuleResult[]> {
    const resources = [...policyResources(capture).values()];
    const notApplicable = (reason?: string): never => {
        throw new NotApplicable(reason);
    };
    const results: RuleResult[] = [];
    for (const rule of rules) {
        const violations: Violation[] = [];
        if ("validateStack" in rule) {
            const args: StackValidationArgs = {
                resources,
                stackTags: new Map(),
                getConfig: <T extends object>() => ({}) as T,
                notApplicable,
            };
            await skipIfNotApplicable(() => rule.validateStack(args, (message, urn) => violations.push({ message, urn })));
        } else if (rule.validateResource) {
            const validations = Array.isArray(rule.validateResource) ? rule.validateResource : [rule.validateResource];
            for (const r of resources) {
                const args: ResourceValidationArgs = {
                    type: r.type,
                    props: r.props,
                    urn: r.urn,
                    name: r.name,
                    opts: r.opts,
                    stackTags: new Map(),
                    isType: () => false,
                    asType: () => undefined,
                    getConfig: <T extends object>() => ({}) as T,
                    notApplicable,
                };
                // As the engine does: notApplicable() skips this resource, not the rest.
                for (const v of validations)
                    await skipIfNotApplicable(() => v(args, (message, urn) => violations.push({ message, urn: urn ?? r.urn })));
            }
        }
        results.push({ name: rule.name, enforcementLevel: rule.enforcementLevel ?? "advisory", violations });
    }
    return results;
}

/** The offline report, as `npm run policy` prints it. */
export function formatReport(stack: string, capture: Capture, results: readonly RuleResult[]): string {
    const lines = [`Policy report for stack \`${stack}\`: ${results.length} rules over ${capture.resources.length} resources`];
    for (const r of results) {
        lines.push(`  ${r.violations.length ? "FAIL" : "pass"}  ${r.name} (${r.enforcementLevel})`);
        for (const v of r.violations) lines.push(`        - ${v.message}${v.urn ? `\n          ${v.urn}` : ""}`);
    }
    const mandatory = results.filter((r) => r.enforcementLevel === "mandatory" && r.violations.length);
    lines.push(
        mandatory.length
            ? `${mandatory.length} mandatory rule(s) violated: ${mandatory.map((r) => r.name).join(", ")}.`
            : "No mandatory rule violated.",
    );
    return lines.join("\n");
}
