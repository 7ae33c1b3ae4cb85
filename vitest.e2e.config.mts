import { defineConfig } from "vitest/config";

/**
 * `npm run e2e`: the real Pulumi engine against a local control plane (tier 3). Separate from
 * `npm test`: it needs the toolchain (`bash scripts/toolchain/build.sh`) and takes minutes. One
 * file, one worker, tests in order: each step builds on the stack the previous one left.
 */
export default defineConfig({
    test: {
        include: ["test/e2e/**/*.e2e.ts"],
        globalSetup: ["test/e2e/support/setup.ts"],
        testTimeout: 900_000,
        hookTimeout: 600_000,
        pool: "forks",
        maxWorkers: 1,
        fileParallelism: false,
        sequence: { concurrent: false },
        bail: 0,
    },
});
