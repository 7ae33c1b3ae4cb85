import * as pulumi from "@pulumi/pulumi";
import { APP_NAMES } from "./components/apps/registry";
import { loadEnvironment, tenantsDirConfig } from "./components/environment/load";
import { loadInputs } from "./components/platform/inputs";
import { Platform } from "./components/platform/platform";
import { ValidationError } from "./components/validation/problems";

/** The program: validate the stack config and tenant files, then declare the platform. */
export = async () => {
    let inputs;
    try {
        inputs = loadInputs({ projectRoot: __dirname, tenantsDir: tenantsDirConfig(), environment: () => loadEnvironment(APP_NAMES) });
    } catch (e) {
        // Printed without a stack trace: the message lists every problem with its file, field and fix.
        if (e instanceof ValidationError) throw new pulumi.RunError(e.message);
        throw e;
    }
    try {
        const platform = await Platform.create("llmops", inputs);
        return platform.outputs;
    } catch (e) {
        // Stack config the program refuses while declaring (an override colliding with what it sets).
        if (e instanceof ValidationError) throw new pulumi.RunError(e.message);
        throw e;
    }
};
