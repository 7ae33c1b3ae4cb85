import * as fs from "node:fs";
import { type RunOptions, runProgram } from "./mock-runtime";

/**
 * Runs the program for one stack and writes the capture as JSON (for tests, which run each
 * stack in its own process). Usage: tsx cli/capture.ts <options.json> <out.json>
 */
async function main(): Promise<void> {
    const [optionsFile, outFile] = process.argv.slice(2);
    if (!optionsFile || !outFile) throw new Error("usage: tsx cli/capture.ts <options.json> <out.json>");
    const options = JSON.parse(fs.readFileSync(optionsFile, "utf8")) as RunOptions;
    try {
        const capture = await runProgram(options);
        fs.writeFileSync(outFile, JSON.stringify({ ok: true, capture }));
    } catch (e) {
        fs.writeFileSync(outFile, JSON.stringify({ ok: false, error: e instanceof Error ? e.message : String(e) }));
    }
}

main().then(
    () => process.exit(0),
    (e) => {
        console.error(e);
        process.exit(2);
    },
);
