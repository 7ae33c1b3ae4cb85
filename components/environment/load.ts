import * as pulumi from "@pulumi/pulumi";
import type { Environment } from "./environment";
import { PLATFORM_CONFIG_KEY, resolveEnvironment } from "./resolve";

/**
 * Reads the stack's config through Pulumi and resolves it, for a program with these apps. The
 * only place config is read; `index.ts` calls it and hands the result to the components.
 */
export function loadEnvironment(apps: readonly string[]): Environment {
    const project = pulumi.getProject();
    const stack = pulumi.getStack();
    const config = new pulumi.Config();
    return resolveEnvironment(config.getObject<unknown>(PLATFORM_CONFIG_KEY), {
        stack,
        project,
        source: `stacks/Pulumi.${stack}.yaml`,
        apps,
        secrets: {
            has: (key) => pulumi.runtime.getConfig(`${project}:${key}`) !== undefined,
            get: (key) => config.requireSecret(key),
        },
    });
}

/** Optional config: a tenants directory other than `tenants/` (relative to the project). */
export function tenantsDirConfig(): string | undefined {
    return new pulumi.Config().get("tenantsDir");
}
