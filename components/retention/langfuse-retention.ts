import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ClickHouseEndpoint } from "../data/clickhouse/clickhouse";
import { cronJob, dailyAt, hashedJob } from "../kube/jobs";
import type { NamespaceRef } from "../kube/namespace";
import type { Resources } from "../kube/resources";
import type { ContainerArgs } from "../kube/workload";
import { type LabelArgs, standardLabels } from "../naming/labels";
import { IMAGES, type Image, imageRef } from "../versions/images";
import { ttlScript } from "./clickhouse-ttl";

export interface LangfuseRetentionArgs {
    readonly namespace: NamespaceRef;
    readonly labels: LabelArgs;
    /** The tenant, for the nightly schedule's spread. */
    readonly tenantId: string;
    /** False while the tenant is offboarding or retired: no Job, the CronJob suspended. */
    readonly running: boolean;
    /** Requests and limits of the reconciler's pod. */
    readonly resources: Resources;
    readonly traceDays: number;
    readonly clickhouse: ClickHouseEndpoint;
    /** Langfuse's image: a new version runs the reconciler again. */
    readonly langfuseImage: Image;
    /** What must be done first: Langfuse's migration Job, which creates the tables. */
    readonly after: readonly pulumi.Resource[];
}

/**
 * Trace retention of a tenant's Langfuse: the TTL reconciler as a Job after Langfuse's migrations
 * (named from a hash of the script, the Langfuse version and the ClickHouse image, so every
 * upgrade or change of retention runs it again), and nightly as a CronJob that re-checks it.
 * While the tenant is not running there is no Job, and the CronJob is suspended.
 */
export class LangfuseRetention extends pulumi.ComponentResource {
    readonly script: string;

    constructor(name: string, args: LangfuseRetentionArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("llmops:retention:LangfuseRetention", name, {}, opts);
        const { labels } = args;
        this.script = ttlScript(args.traceDays);
        const scripts = new k8s.core.v1.ConfigMap(
            `${name}-script`,
            {
                metadata: { name: "langfuse-retention", namespace: args.namespace.output, labels: standardLabels(labels) },
                data: { "reconcile.sh": this.script },
            },
            { parent: this },
        );
        const container = (materialize: boolean): ContainerArgs => ({
            name: "reconcile",
            image: IMAGES.clickhouse,
            command: ["sh", "/scripts/reconcile.sh"],
            env: { CLICKHOUSE_HOST: args.clickhouse.host, MATERIALIZE: materialize ? "1" : "0" },
            envFromSecrets: [args.clickhouse.secretName],
            resources: args.resources,
            volumeMounts: [{ name: "scripts", mountPath: "/scripts", readOnly: true }],
        });
        const volumes = [{ name: "scripts", configMap: { name: scripts.metadata.name } }];
        if (args.running)
            hashedJob(
                `${name}-job`,
                "langfuse-retention",
                { namespace: args.namespace, labels, container: container(true), volumes },
                [this.script, imageRef(args.langfuseImage), imageRef(IMAGES.clickhouse)],
                { parent: this, dependsOn: [scripts, ...args.after] },
            );
        cronJob(
            `${name}-cron`,
            {
                name: "langfuse-retention",
                namespace: args.namespace,
                labels,
                schedule: dailyAt(2, `${args.tenantId}/langfuse-retention`),
                suspend: !args.running,
                container: container(false),
                volumes,
            },
            { parent: this, dependsOn: [scripts] },
        );
        this.registerOutputs({ script: this.script });
    }
}
