import * as fs from "node:fs";
import { parseDocument } from "yaml";
import type { Problem } from "./problems";

/**
 * Aliases a YAML file may expand. Tenant files and stack configs need none; the cap turns an alias
 * bomb (a few lines that expand to billions of nodes) into a problem instead of exhausted memory.
 */
export const MAX_YAML_ALIASES = 100;

/**
 * Reads a YAML file that people write (a tenant file, a stack config): every failure, from an
 * unreadable file to invalid syntax or an alias bomb, becomes a {@link Problem} naming the file,
 * so a caller can go on and report the other files' problems too. Never throws.
 */
export function readYamlFile(source: string, file: string): { data?: unknown; problems: Problem[] } {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        const why =
            code === "EISDIR"
                ? "is a directory, not a file"
                : code === "EACCES"
                  ? "cannot be read (permission denied)"
                  : `cannot be read (${code ?? (e as Error).message})`;
        return { problems: [{ source, path: "", message: `${why}.`, fix: "make it a readable YAML file, or remove it." }] };
    }
    return parseYamlText(source, text);
}

/** Parses YAML text; see {@link readYamlFile}. */
export function parseYamlText(source: string, text: string): { data?: unknown; problems: Problem[] } {
    const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
    if (doc.errors.length > 0) {
        return {
            problems: doc.errors.map((e) => ({
                source,
                path: e.linePos ? `line ${e.linePos[0].line}, column ${e.linePos[0].col}` : "",
                message: `is not valid YAML: ${e.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "")}.`,
                fix: "fix the YAML syntax (indentation, quoting, duplicate keys).",
            })),
        };
    }
    try {
        return { data: doc.toJS({ maxAliasCount: MAX_YAML_ALIASES }), problems: [] };
    } catch (e) {
        // The yaml library throws here, without a position, for aliases that expand too far.
        const aliases = /alias/i.test((e as Error).message);
        return {
            problems: [
                {
                    source,
                    path: "",
                    message: aliases
                        ? `uses YAML aliases (\`*name\`) that expand to too many values (more than ${MAX_YAML_ALIASES} alias expansions), which is how a file exhausts a reader's memory.`
                        : `cannot be read as YAML: ${(e as Error).message}.`,
                    fix: aliases
                        ? "write the values out; this file needs no anchors (`&name`) or aliases (`*name`)."
                        : "fix the YAML so it parses.",
                },
            ],
        };
    }
}
