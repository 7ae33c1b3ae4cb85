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
