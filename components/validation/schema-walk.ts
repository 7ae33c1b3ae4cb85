import { z } from "zod";

/**
 * Helpers that read documentation back out of a zod schema, so that error messages quote the same
 * examples and field lists that the schema (and the JSON Schema exported from it) documents.
 */

interface Def {
    type: string;
    innerType?: z.ZodType;
    in?: z.ZodType;
    out?: z.ZodType;
    shape?: Record<string, z.ZodType>;
    element?: z.ZodType;
    valueType?: z.ZodType;
    options?: z.ZodType[];
    getter?: () => z.ZodType;
}

function def(schema: z.ZodType): Def {
    return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

/** Strips optional/default/nullable/pipe/lazy wrappers, collecting the nodes passed on the way. */
function unwrap(schema: z.ZodType): z.ZodType[] {
    const chain: z.ZodType[] = [schema];
    let cur = schema;
    for (let i = 0; i < 20; i++) {
        const d = def(cur);
        let next: z.ZodType | undefined;
        if (
            d.type === "optional" ||
            d.type === "default" ||
            d.type === "nullable" ||
            d.type === "prefault" ||
            d.type === "readonly" ||
            d.type === "catch"
        )
            next = d.innerType;
        else if (d.type === "pipe") next = d.in;
        else if (d.type === "lazy" && d.getter) next = d.getter();
        if (!next) break;
        chain.push(next);
        cur = next;
    }
    return chain;
}

/** Candidate schemas at a path; unions fan out to the members that fit the input there. */
function schemasAt(schema: z.ZodType, path: readonly PropertyKey[], input: unknown): z.ZodType[] {
    let frontier: Array<{ schema: z.ZodType; value: unknown }> = [{ schema, value: input }];
    for (const key of path) {
        const next: Array<{ schema: z.ZodType; value: unknown }> = [];
        for (const { schema: s, value } of frontier) {
            const child = value !== null && typeof value === "object" ? (value as Record<PropertyKey, unknown>)[key] : undefined;
            for (const node of expandUnions(s, value)) {
                const d = def(node);
                if (d.type === "object" && d.shape && typeof key === "string" && key in d.shape)
                    next.push({ schema: d.shape[key]!, value: child });
                else if (d.type === "array" && d.element && typeof key === "number") next.push({ schema: d.element, value: child });
                else if (d.type === "record" && d.valueType) next.push({ schema: d.valueType, value: child });
            }
        }
        frontier = next;
        if (frontier.length === 0) return [];
    }
    return frontier.map((f) => f.schema);
}

function expandUnions(schema: z.ZodType, value: unknown): z.ZodType[] {
    const chain = unwrap(schema);
    const last = chain[chain.length - 1]!;
    const d = def(last);
    if (d.type !== "union" || !d.options) return [last];
    const fitting = d.options.filter((o) => fitsDiscriminator(o, value));
    return (fitting.length ? fitting : d.options).flatMap((o) => expandUnions(o, value));
}

/** For a discriminated member, true when the input's literal fields agree with the member's. */
function fitsDiscriminator(option: z.ZodType, value: unknown): boolean {
    const node = unwrap(option).at(-1)!;
    const d = def(node);
    if (d.type !== "object" || !d.shape || value === null || typeof value !== "object") return true;
    for (const [key, field] of Object.entries(d.shape)) {
        const fd = def(field) as Def & { values?: unknown[] };
        if (fd.type === "literal" && fd.values && key in value) {
            if (!fd.values.includes((value as Record<string, unknown>)[key])) return false;
        }
    }
    return true;
}

function metaOf(schema: z.ZodType): { examples?: unknown[]; description?: string } | undefined {
    for (const node of unwrap(schema)) {
        const meta = z.globalRegistry.get(node) as { examples?: unknown[]; description?: string } | undefined;
        if (meta?.examples?.length || meta?.description) return meta;
    }
    return undefined;
}

/** The first documented example of the field at `path`, rendered as YAML-ish text, if any. */
export function exampleAt(schema: z.ZodType, path: readonly PropertyKey[], input: unknown): string | undefined {
    for (const candidate of schemasAt(schema, path, input)) {
        const examples = metaOf(candidate)?.examples;
        if (examples?.length) return renderExample(examples[0]);
    }
    return undefined;
}

/** The field names the schema allows at `path` (an object), sorted. */
export function knownKeysAt(schema: z.ZodType, path: readonly PropertyKey[], input: unknown): string[] {
    const keys = new Set<string>();
    const candidates = path.length === 0 ? [schema] : schemasAt(schema, path, input);
    const value = path.reduce<unknown>(
        (v, k) => (v !== null && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[k] : undefined),
        input,
    );
    for (const candidate of candidates) {
        for (const node of expandUnions(candidate, value)) {
            const d = def(node);
            if (d.type === "object" && d.shape) Object.keys(d.shape).forEach((k) => keys.add(k));
        }
    }
    return [...keys].sort();
}

function renderExample(value: unknown): string {
    if (typeof value === "string") return `\`${value}\``;
    return `\`${JSON.stringify(value)}\``;
}

export function describeValue(value: unknown): string {
    if (value === null) return "null";
    if (Array.isArray(value)) return "a list";
    if (typeof value === "object") return "a mapping";
    if (typeof value === "string") return `the string ${JSON.stringify(value)}`;
    return `${typeof value} ${JSON.stringify(value)}`;
}

/** The candidate closest to `word` by edit distance, when it is close enough to be a likely typo. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
    let best: string | undefined;
    let bestDistance = Infinity;
    for (const c of candidates) {
        const d = editDistance(word.toLowerCase(), c.toLowerCase());
        if (d < bestDistance) {
            best = c;
            bestDistance = d;
        }
    }
    return best !== undefined && bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
    const row = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
        let prev = row[0]!;
        row[0] = i;
        for (let j = 1; j <= b.length; j++) {
            const tmp = row[j]!;
            row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
            prev = tmp;
        }
    }
    return row[b.length]!;
}
