import { performance } from "node:perf_hooks";
import { runProgram, type RunOptions } from "../mock-runtime";

/** One measured run in a fresh process; prints one JSON line. Usage: tsx cli/bench/run-once.ts '<RunOptions json>' */
async function main(): Promise<void> {
    const opts = { ...(JSON.parse(process.argv[2] ?? "{}") as RunOptions), lean: true };
    const start = performance.now();
    const capture = await runProgram(opts);
    const ms = performance.now() - start;
    const custom = capture.resources.filter((r) => r.custom).length;
    console.log(
        JSON.stringify({
            ms,
            resources: capture.resources.length,
            custom,
            maxRssMiB: process.resourceUsage().maxRSS / 1024,
            errors: capture.errors.length,
        }),
    );
}

main().then(
    () => process.exit(0),
    (e) => {
        console.error(e);
        process.exit(1);
    },
);
