import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { appDeployment } from "../../kube/deployment";
import { httpProbe, startupWindow } from "../../kube/probes";
import { footprintOf } from "../../kube/resources";
import type { ContainerArgs } from "../../kube/workload";
import { EXPOSED_LABEL, standardLabels } from "../../naming/labels";
import { APP_WORKLOADS } from "../../sizing/profiles";
import type { TenantBuckets } from "../../data/objectstore/tenant-buckets";
import type { TenantDatabases } from "../../data/postgres/tenant-databases";
import { type AppContext, type AppResult, appLabels, internalHost, publicHost, publicUrl, replicas } from "../context";
import { cronJob, dailyAt } from "../../kube/jobs";
import { appMigration } from "../migration";
import {
    MLFLOW_DB_UPGRADE_COMMAND,
    MLFLOW_POOL,
    MLFLOW_PORT,
    MLFLOW_SERVER_COMMAND,
    mlflowEnv,
    mlflowGcCommand,
    mlflowPoolEnv,
    mlflowWorkers,
} from "./config";

export interface MlflowArgs {
    readonly ctx: AppContext;
    readonly database: TenantDatabases;
    readonly storage: TenantBuckets;
    /** Whether outside traffic reaches the server directly (no SSO gate in front of it). */
    readonly exposed: boolean;
    /** Runs deleted longer ago than this are purged for good, with their artifacts (`mlflow gc`). */
    readonly purgeDeletedRunsAfterDays: number;
}

/**
 * A tenant's MLflow tracking server (the `-full` image: Postgres driver and boto3): Postgres
 * backend, artifacts proxied to the tenant's bucket, `mlflow db upgrade` as a Job per version
 * that must succeed before the new version rolls out (a failed upgrade leaves the old version
 * serving), `/health` probes.
 */
export class Mlflow extends pulumi.ComponentResource {
    readonly result: AppResult;
    readonly port = MLFLOW_PORT;
    /** The in-cluster tracking URI (for jobs such as `mlflow gc`). */
    readonly trackingUri: string;
    readonly secretName = "mlflow";

    constructor(name: string, args: MlflowArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("llmops:apps:Mlflow", name, {}, opts);
        const { ctx } = args;
        const { profile, tenant } = ctx;
        const labels = appLabels(ctx, "mlflow", "server");
        const secret = new k8s.core.v1.Secret(
            `${name}-secret`,
            {
                metadata: { name: this.secretName, namespace: ctx.namespace.output, labels: standardLabels(labels) },
                type: "Opaque",
                stringData: {
                    // The driver named: SQLAlchemy 2.1 maps a bare `postgresql://` to psycopg 3,
                    // which the -full image does not ship (its `db` extra installs psycopg2).
                    MLFLOW_BACKEND_STORE_URI: args.database.url("mlflow", "psycopg2"),
                    AWS_ACCESS_KEY_ID: args.storage.accessKey,
                    AWS_SECRET_ACCESS_KEY: args.storage.secretKey,
                },
            },
            { parent: this },
        );
        const resources = APP_WORKLOADS.mlflow[tenant.size];
        const plain = mlflowEnv({
            publicHost: publicHost(ctx, "mlflow"),
            namespace: ctx.namespace.name,
            bucket: args.storage.buckets.mlflowArtifacts!,
            s3Endpoint: args.storage.endpoint,
            region: args.storage.region,
            workers: mlflowWorkers(tenant.size),
            prometheus: profile.monitoring !== undefined,
            podCidrs: profile.network.podCidrs,
        });
        // Every process that connects: the pool sized so that all of them fit the role's limit, and the CA.
        const db = args.database.client("psycopg2");
        const dbEnv = { ...db.env, ...mlflowPoolEnv(MLFLOW_POOL[tenant.size]) };
        const upgrade: ContainerArgs = {
            name: "db-upgrade",
            image: ctx.images.mlflow,
            command: MLFLOW_DB_UPGRADE_COMMAND,
            env: { HOME: "/tmp", ...dbEnv },
            envFromSecrets: [this.secretName],
            resources: APP_WORKLOADS.job[tenant.size],
            volumeMounts: db.volumeMounts,
        };
        const server: ContainerArgs = {
            name: "mlflow",
            image: ctx.images.mlflow,
            command: MLFLOW_SERVER_COMMAND,
            ports: [{ name: "http", port: MLFLOW_PORT }],
            env: { ...plain, ...dbEnv },
            envFromSecrets: [this.secretName],
            resources,
            volumeMounts: db.volumeMounts,
            startupProbe: startupWindow(httpProbe("/health", "http"), 180),
            readinessProbe: httpProbe("/health", "http"),
            livenessProbe: httpProbe("/health", "http", { periodSeconds: 15, failureThreshold: 4 }),
        };
        const migration = appMigration(
            ctx,
            `${name}-db-upgrade`,
            { app: "mlflow", base: "mlflow-db-upgrade", container: upgrade, hashInputs: [MLFLOW_DB_UPGRADE_COMMAND], volumes: db.volumes },
            { parent: this, dependsOn: [secret, ...args.database.resources] },
        );
        const deployment = appDeployment(
            `${name}-server`,
            {
                name: "mlflow",
                namespace: ctx.namespace,
                labels,
                replicas: replicas(ctx, profile.webReplicas),
                autoscale: true,
                containers: [server],
                servicePorts: [{ name: "http", port: MLFLOW_PORT }],
                volumes: db.volumes,
                disruptionBudget: true,
                extraPodLabels: args.exposed ? { [EXPOSED_LABEL]: "http" } : undefined,
            },
            { parent: this, dependsOn: [secret, ...migration.after, ...args.storage.resources] },
        );
        this.trackingUri = `http://${internalHost(ctx, "mlflow")}:${MLFLOW_PORT}`;
        const gc: ContainerArgs = {
            name: "gc",
            image: ctx.images.mlflow,
            command: mlflowGcCommand(args.purgeDeletedRunsAfterDays),
            // Artifacts are proxied: gc deletes them through the server, so it needs the http tracking URI.
            env: { MLFLOW_TRACKING_URI: this.trackingUri, HOME: "/tmp", ...dbEnv },
            envFromSecrets: [this.secretName],
            resources: APP_WORKLOADS.job[tenant.size],
            volumeMounts: db.volumeMounts,
        };
        cronJob(
            `${name}-gc`,
            {
                name: "mlflow-gc",
                namespace: ctx.namespace,
                labels: appLabels(ctx, "mlflow", "gc"),
                schedule: dailyAt(3, `${tenant.id}/mlflow-gc`),
                suspend: !ctx.running,
                container: gc,
                volumes: db.volumes,
            },
            { parent: this, dependsOn: [secret] },
        );
        this.result = {
            steady: [deployment.footprint],
            jobs: [footprintOf([gc]), ...migration.jobs],
            outputs: { url: publicUrl(ctx, "mlflow") },
        };
        this.registerOutputs({ url: publicUrl(ctx, "mlflow"), trackingUri: this.trackingUri });
    }
}
