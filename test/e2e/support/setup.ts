import type { TestProject } from "vitest/node";
import { type E2eContext, startEnvironment } from "./environment";

declare module "vitest" {
    export interface ProvidedContext {
        e2e: E2eContext;
    }
}

/** vitest's global setup for `npm run e2e`: one environment for the whole (ordered) run. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
    const env = await startEnvironment();
    project.provide("e2e", env.context);
    return () => env.stop();
}
