import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll } from "vitest";
import type { Capture } from "../../cli/mock-runtime";
import { PROJECT, readStackConfig } from "../../cli/mock-runtime";
import type { Environment } from "../../components/environment/environment";
import { resolveEnvironment } from "../../components/environment/resolve";
import { loadInputs } from "../../components/platform/inputs";
import type { Tenant } from "../../components/tenancy/tenant";
import { ROOT, stackCapture } from "./capture";
import { APP_NAMES } from "../../components/apps/registry";

/**
 * A stack's inputs, resolved the way the program resolves them (secrets stand in): the
 * expectations of whole-program tests come from here, never from the plan under test.
 */
export function stackInputs(stack: string, tenantsDir?: string): { profile: Environment; tenants: Tenant[] } {
    const raw = readStackConfig(stack)[`${PROJECT}:platform`];
    const environment = () =>
        resolveEnvironment(raw, {
            stack,
            project: PROJECT,
            source: `stacks/Pulumi.${stack}.yaml`,
            apps: APP_NAMES,
            secrets: { has: () => true, get: (k) => pulumi.secret(k) },
        });
    return loadInputs({ projectRoot: ROOT, tenantsDir: tenantsDir && path.resolve(ROOT, tenantsDir), environment });
}

/** The ids of the tenants the tenant files put on a stack, as the loader decides. */
export function tenantIdsOf(stack: string, tenantsDir?: string): string[] {
    const key = `${stack}\u0000${tenantsDir ?? ""}`;
    let ids = tenantIds.get(key);
    if (!ids)
        tenantIds.set(
            key,
            (ids = stackInputs(stack, tenantsDir)
                .tenants.map((t) => t.id)
                .sort()),
        );
    return ids;
}
const tenantIds = new Map<string, string[]>();

/** A shipped stack's capture and its inputs, loaded before the tests of the calling describe block. */
export function stackUnderTest(stack: string): { readonly cap: Capture; readonly profile: Environment; readonly tenants: Tenant[] } {
    const loaded = {} as { cap: Capture; profile: Environment; tenants: Tenant[] };
    beforeAll(async () => {
        loaded.cap = await stackCapture(stack);
        Object.assign(loaded, stackInputs(stack));
    });
    return loaded;
}
