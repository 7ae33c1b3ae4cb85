import { defineConfig } from "vitest/config";

export default defineConfig({
    test: {
        include: ["test/**/*.test.ts"],
        globalSetup: ["test/support/global-setup.ts"],
        testTimeout: 120_000,
        hookTimeout: 300_000,
        pool: "forks",
        // Program runs are child processes; two workers keep a 2-core machine busy without thrashing.
        maxWorkers: 2,
    },
});
