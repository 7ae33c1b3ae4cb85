import { findToolchain } from "./toolchain";

/** `npm run e2e` runs this first: a missing toolchain is one line saying what to run, not a stack trace. */
try {
    findToolchain();
} catch (e) {
    console.error((e as Error).message);
    process.exit(1);
}
