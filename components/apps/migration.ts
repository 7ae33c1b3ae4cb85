import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { hashedJob } from "../kube/jobs";
import { type Footprint, footprintOf } from "../kube/resources";
import type { ContainerArgs } from "../kube/workload";
import { imageRef } from "../versions/images";
import { type AppContext, appLabels } from "./context";

/** What an app's workloads wait for, and the migration's footprint for the tenant's quota. */
export interface Migration {
    /** The migration Job, as a list to spread into `dependsOn` (empty while the tenant is not running). */
    readonly after: readonly pulumi.Resource[];
    readonly jobs: readonly Footprint[];
}

/**
 * An app's schema migration for the version it runs: a Job named `<base>-<hash of the image and
 * what it runs>` ({@link hashedJob}), which the app's Deployments depend on. A new version is a
 * new Job that must complete before any pod of that version starts; a failed Job fails this
 * tenant's deploy before its Deployments change, so the old version keeps serving, and the next
 * deploy replaces it and tries again. While the tenant is offboarding or retired no pod starts,
 * so there is no migration either.
 */
export function appMigration(
    ctx: AppContext,
    resourceName: string,
    args: {
        app: string;
        base: string;
        container: ContainerArgs;
        hashInputs: readonly unknown[];
        activeDeadlineSeconds?: number;
        volumes?: readonly k8s.types.input.core.v1.Volume[];
    },
    opts: pulumi.CustomResourceOptions,
): Migration {
    if (!ctx.running) return { after: [], jobs: [] };
    const job = hashedJob(
        resourceName,
        args.base,
        {
            namespace: ctx.namespace,
            labels: appLabels(ctx, args.app, "migrate"),
            container: args.container,
            activeDeadlineSeconds: args.activeDeadlineSeconds,
            volumes: args.volumes,
        },
        [imageRef(args.container.image), ...args.hashInputs],
        opts,
    );
    return { after: [job], jobs: [footprintOf([args.container])] };
}
