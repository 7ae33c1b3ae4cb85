import { warmCache } from "./capture";

/** Runs the program once per shipped stack before the tests, which then share the captures. */
export default async function setup(): Promise<void> {
    await warmCache();
}
