import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { type AppContext, appLabels } from "../apps/context";
import { cronJob, dailyAt, hashedJob } from "../kube/jobs";
import type { ContainerArgs } from "../kube/workload";
import { standardLabels } from "../naming/labels";
import { APP_WORKLOADS } from "../sizing/profiles";
import { IMAGES, imageRef } from "../versions/images";
import type { ClickHouse } from "../data/clickhouse/clickhouse";
import { ttlScript } from "./clickhouse-ttl";

export interface LangfuseRetentionArgs {
    readonly ctx: AppContext;
    readonly traceDays: number;
    readonly clickhouse: ClickHouse;
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
        const { ctx } = args;
        const labels = appLabels(ctx, "langfuse", "retention");
        this.script = ttlScript(args.traceDays);
        const scripts = new k8s.core.v1.ConfigMap(
            `${name}-script`,
            { metadata: { name: "langfuse-retention", namespace: ctx.namespace.output, labels: standardLabels(labels) }, data: { "reconcile.sh": this.script } },
            { parent: this },
        );
        const container = (materialize: boolean): ContainerArgs => ({
            name: "reconcile",
            image: IMAGES.clickhouse,
            command: ["sh", "/scripts/reconcile.sh"],
            env: { CLICKHOUSE_HOST: args.clickhouse.host, MATERIALIZE: materialize ? "1" : "0" },
            envFromSecrets: [args.clickhouse.secretName],
            resources: APP_WORKLOADS.job[ctx.tenant.size],
            volumeMounts: [{ name: "scripts", mountPath: "/scripts", readOnly: true }],
        });
        const volumes = [{ name: "scripts", configMap: { name: scripts.metadata.name } }];
        if (ctx.running) hashedJob(
            `${name}-job`,
            "langfuse-retention",
            { namespace: ctx.namespace, labels, container: container(true), volumes },
            [this.script, imageRef(ctx.images.langfuseWeb), imageRef(IMAGES.clickhouse)],
            { parent: this, dependsOn: [scripts, ...args.after] },
        );
        cronJob(
            `${name}-cron`,
            { name: "langfuse-retention", namespace: ctx.namespace, labels, schedule: dailyAt(2, `${ctx.tenant.id}/langfuse-retention`), suspend: !ctx.running, container: container(false), volumes },
            { parent: this, dependsOn: [scripts] },
        );
        this.registerOutputs({});
    }
}
