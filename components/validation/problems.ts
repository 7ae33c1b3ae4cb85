import { type z } from "zod";
import { closest, describeValue, exampleAt, knownKeysAt } from "./schema-walk";

/** One thing wrong with an input, located precisely enough for its author to fix it. */
export interface Problem {
    /** The file or config key the problem is in, e.g. `tenants/acme.yaml` or `stacks/Pulumi.dev.yaml`. */
    readonly source: string;
    /** Dotted field path inside the source, e.g. `retention.traceDays`; empty for the whole file. */
    readonly path: string;
    /** What is wrong. */
    readonly message: string;
    /** How to fix it, with an example of a valid value where one helps. @default none: the message is printed alone */
    readonly fix?: string;
}

/** Thrown when input is invalid; carries every problem found, so they can be fixed in one go. */
export class ValidationError extends Error {
    constructor(
        readonly subject: string,
        readonly problems: readonly Problem[],
    ) {
        super(formatProblems(subject, problems));
        this.name = "ValidationError";
    }
}

export function formatProblems(subject: string, problems: readonly Problem[]): string {
    const lines = [`${subject}: ${problems.length} problem${problems.length === 1 ? "" : "s"}; nothing was declared.`];
    for (const p of sortProblems(problems)) {
        const where = p.path ? `${p.source}: ${p.path}` : p.source;
        lines.push(`  - ${where}: ${p.message}${p.fix ? ` Fix: ${p.fix}` : ""}`);
    }
    return lines.join("\n");
}

export function sortProblems(problems: readonly Problem[]): Problem[] {
    return [...problems].sort(
        (a, b) => a.source.localeCompare(b.source) || a.path.localeCompare(b.path) || a.message.localeCompare(b.message),
    );
}

export function joinPath(path: readonly PropertyKey[]): string {
    let out = "";
    for (const segment of path) {
        if (typeof segment === "number") out += `[${segment}]`;
        else out += out ? `.${String(segment)}` : String(segment);
    }
    return out;
}

/**
 * Turns a zod error into problems, each with its field path and a fix. Unknown fields name the known
 * ones (and the closest match); other problems quote the example the schema documents for the field.
 */
export function problemsFromZod(
    source: string,
    error: z.ZodError,
    schema: z.ZodType,
    input: unknown,
    pathPrefix: readonly PropertyKey[] = [],
): Problem[] {
    const problems: Problem[] = [];
    for (const issue of error.issues) {
        const fullPath = [...pathPrefix, ...issue.path];
        if (issue.code === "unrecognized_keys") {
            const known = knownKeysAt(schema, issue.path, input);
            for (const key of issue.keys) {
                const guess = closest(key, known);
                problems.push({
                    source,
                    path: joinPath([...fullPath, key]),
                    message: "unknown field.",
                    fix: guess
                        ? `did you mean \`${guess}\`? Known fields here: ${known.join(", ")}.`
                        : `remove it. Known fields here: ${known.join(", ")}.`,
                });
            }
            continue;
        }
        const example = exampleAt(schema, issue.path, input);
        const received = issue.code === "invalid_type" ? valueAt(input, issue.path) : undefined;
        let message = humanMessage(issue);
        if (issue.code === "invalid_type" && received === undefined) message = "is required but missing.";
        else if (issue.code === "invalid_type")
            message = `must be ${EXPECTED[issue.expected] ?? issue.expected} (got ${describeValue(received)}).`;
        problems.push({
            source,
            path: joinPath(fullPath),
            message,
            fix: example !== undefined ? `use a value like ${example}.` : undefined,
        });
    }
    return problems;
}

const EXPECTED: Record<string, string> = {
    array: "a list",
    object: "a mapping",
    boolean: "true or false",
    number: "a number",
    int: "a whole number",
    string: "text",
};

function humanMessage(issue: z.core.$ZodIssue): string {
    switch (issue.code) {
        case "invalid_value":
            return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}.`;
        case "too_small":
            if (issue.origin === "string") return `must be at least ${String(issue.minimum)} characters long.`;
            if (issue.origin === "array") return `must list at least ${String(issue.minimum)} item(s).`;
            return `must be ${issue.inclusive === false ? "greater than" : "at least"} ${String(issue.minimum)}.`;
        case "too_big":
            if (issue.origin === "string") return `must be at most ${String(issue.maximum)} characters long.`;
            if (issue.origin === "array") return `must list at most ${String(issue.maximum)} item(s).`;
            return `must be ${issue.inclusive === false ? "less than" : "at most"} ${String(issue.maximum)}.`;
        case "invalid_union":
            return "matches none of the allowed shapes.";
        default: {
            const text = issue.message.replace(/^Invalid input: /, "");
            return text.endsWith(".") ? text : `${text}.`;
        }
    }
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
    let cur: unknown = input;
    for (const key of path) {
        if (cur === null || typeof cur !== "object") return undefined;
        cur = (cur as Record<PropertyKey, unknown>)[key];
    }
    return cur;
}
