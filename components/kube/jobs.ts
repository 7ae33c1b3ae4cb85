import { createHash } from "node:crypto";
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { type LabelArgs, standardLabels } from "../naming/labels";
import type { NamespaceRef } from "./namespace";
import { REPLACE_UNREADY } from "./options";
import { podAnnotations } from "./scheduling";
import { type ContainerArgs, podSpec } from "./workload";

export interface JobArgs {
    readonly namespace: NamespaceRef;
    readonly labels: LabelArgs;
    readonly container: ContainerArgs;
    /** Steps that run to completion, in order, before the container. @default none */
    readonly initContainers?: readonly ContainerArgs[];
    /** Volumes besides the emptyDirs of the images' writable paths. @default none */
    readonly volumes?: readonly k8s.types.input.core.v1.Volume[];
    /** Retries before the Job counts as failed. @default 2 */
    readonly backoffLimit?: number;
    /** Longest a run may take before Kubernetes stops it. @default 1800 for a {@link hashedJob}, 3600 for each run of a {@link cronJob} */
    readonly activeDeadlineSeconds?: number;
}

/** The pod template of a Job: batch priority, the namespace's node pool, the app's overrides. */
function jobTemplate(args: JobArgs, labels: Record<string, string>, workload: string): k8s.types.input.core.v1.PodTemplateSpec {
    const schedule = { policy: args.namespace.scheduling, batch: true, selector: labels, maxReplicas: 1, app: args.labels.app };
    return {
        metadata: { labels, annotations: podAnnotations(schedule, workload, {}) },
        spec: podSpec({
            restartPolicy: "Never",
            initContainers: args.initContainers,
            containers: [args.container],
            volumes: args.volumes,
            schedule,
            workload,
        }),
    };
}

/** A short hash of what a Job runs, for its name: a Job's template cannot change, so a change is a new Job. */
export function contentHash(...parts: unknown[]): string {
    return createHash("sha256").update(JSON.stringify(parts)).digest("hex").slice(0, 10);
}

/**
 * A one-shot Job named `<base>-<hash of what it runs>`: it runs again exactly when what it runs
 * changes, and a failed run is replaced on the next deploy (`pulumi.com/replaceUnready`). Pulumi
 * waits for it as long as the Job may run (its own await gives up after 10 minutes).
 */
export function hashedJob(
    resourceName: string,
    base: string,
    args: JobArgs,
    hashInputs: unknown[],
    opts: pulumi.CustomResourceOptions,
): k8s.batch.v1.Job {
    const labels = standardLabels(args.labels);
    const deadline = args.activeDeadlineSeconds ?? 1800;
    return new k8s.batch.v1.Job(
        resourceName,
        {
            metadata: {
                name: `${base}-${contentHash(...hashInputs)}`,
                namespace: args.namespace.output,
                labels,
                annotations: REPLACE_UNREADY,
            },
            spec: {
                backoffLimit: args.backoffLimit ?? 2,
                activeDeadlineSeconds: deadline,
                template: jobTemplate(args, labels, `Job ${args.namespace.name}/${base}`),
            },
        },
        { ...opts, customTimeouts: { create: `${deadline + 60}s`, update: `${deadline + 60}s` } },
    );
}

export interface CronJobArgs extends JobArgs {
    readonly name: string;
    readonly schedule: string;
    /** Declared but not scheduled (a tenant being offboarded). @default false */
    readonly suspend?: boolean;
}

/** A CronJob that never overlaps itself and keeps a short history. */
export function cronJob(resourceName: string, args: CronJobArgs, opts: pulumi.CustomResourceOptions): k8s.batch.v1.CronJob {
    const labels = standardLabels(args.labels);
    return new k8s.batch.v1.CronJob(
        resourceName,
        {
            metadata: { name: args.name, namespace: args.namespace.output, labels },
            spec: {
                schedule: args.schedule,
                suspend: args.suspend ?? false,
                timeZone: "Etc/UTC",
                concurrencyPolicy: "Forbid",
                successfulJobsHistoryLimit: 1,
                failedJobsHistoryLimit: 3,
                jobTemplate: {
                    metadata: { labels },
                    spec: {
                        backoffLimit: args.backoffLimit ?? 2,
                        activeDeadlineSeconds: args.activeDeadlineSeconds ?? 3600,
                        template: jobTemplate(args, labels, `CronJob ${args.namespace.name}/${args.name}`),
                    },
                },
            },
        },
        opts,
    );
}

/** A daily schedule at a minute derived from `seed`, so tenants' jobs do not all start together. */
export function dailyAt(hourUtc: number, seed: string): string {
    const minute = parseInt(createHash("sha256").update(seed).digest("hex").slice(0, 4), 16) % 60;
    return `${minute} ${hourUtc} * * *`;
}
