import type * as pulumi from "@pulumi/pulumi";

/**
 * Resource options of stateful resources (volumes' owners, databases, buckets, never-rotating
 * keys): protected, and retained when removed from the program, where the environment says so.
 */
export function statefulOptions(protect: boolean, opts: pulumi.CustomResourceOptions = {}): pulumi.CustomResourceOptions {
    return protect ? { ...opts, protect: true, retainOnDelete: true } : opts;
}

/** Annotation that makes Pulumi replace a Job that did not complete, so a failed run is retried. */
export const REPLACE_UNREADY = { "pulumi.com/replaceUnready": "true" } as const;

/**
 * The options of one resource a helper declares for its caller: the caller's options (parent,
 * aliases, protection, …) with the helper's own provider, unless the caller names one, and its
 * own dependencies added to the caller's.
 */
export function childOptions(
    opts: pulumi.CustomResourceOptions,
    own: { provider?: pulumi.ProviderResource; dependsOn?: readonly pulumi.Resource[] },
): pulumi.CustomResourceOptions {
    const callers =
        opts.dependsOn === undefined
            ? []
            : Array.isArray(opts.dependsOn)
              ? opts.dependsOn
              : [opts.dependsOn as pulumi.Input<pulumi.Resource>];
    const dependsOn = [...callers, ...(own.dependsOn ?? [])];
    const provider = opts.provider ?? own.provider;
    return { ...opts, ...(provider ? { provider } : {}), ...(dependsOn.length ? { dependsOn } : {}) };
}
