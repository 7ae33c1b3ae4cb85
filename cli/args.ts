import { parseArgs } from "node:util";

/**
 * The command line of a project script: positionals and `--name value` options, in any order.
 * Unknown options are refused with the usage line, so a typo never silently means "default".
 */
export function commandLine<const Names extends readonly string[]>(
    usage: string,
    options: Names,
): { positionals: string[]; options: Partial<Record<Names[number], string>> } | { error: string } {
    try {
        const parsed = parseArgs({
            args: process.argv.slice(2),
            allowPositionals: true,
            options: Object.fromEntries(options.map((o) => [o, { type: "string" as const }])),
        });
        return { positionals: parsed.positionals, options: parsed.values as Partial<Record<Names[number], string>> };
    } catch (e) {
        return { error: `${(e as Error).message}\nusage: ${usage}` };
    }
}
