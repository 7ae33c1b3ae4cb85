import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ClickHouseEndpoint } from "../../data/clickhouse/clickhouse";
import type { Footprint } from "../../kube/resources";
import { appDeployment } from "../../kube/deployment";
import { httpProbe, startupWindow } from "../../kube/probes";
import type { ContainerArgs } from "../../kube/workload";
import { EXPOSED_LABEL, selectorLabels, standardLabels } from "../../naming/labels";
import { APP_WORKLOADS, nodeHeapMiB } from "../../sizing/profiles";
import type { SecretSeed } from "../../secrets/seed";
import type { TenantBuckets } from "../../data/objectstore/tenant-buckets";
import type { TenantDatabases } from "../../data/postgres/tenant-databases";
import { type AppContext, type AppResult, appLabels, publicUrl, replicas } from "../context";
import {
    LANGFUSE_CONNECTION_LIMIT,
    type LangfuseEnvInputs,
    MIGRATION_COMMAND,
    langfuseIds,
    migrationEnv,
    sharedEnv,
    webEnv,
    workerEnv,
} from "./config";
import { appMigration } from "../migration";

export interface LangfuseArgs {
    readonly ctx: AppContext;
    readonly database: TenantDatabases;
    readonly clickhouse: ClickHouseEndpoint;
    readonly redis: {
        readonly host: string;
        readonly port: number;
        readonly user: string;
        readonly password: pulumi.Input<string>;
        readonly keyPrefix?: string;
        readonly tls: boolean;
    };
    readonly storage: TenantBuckets;
    /** Where the app's keys come from. */
    readonly secrets: SecretSeed;
    /**
     * OIDC settings (AUTH_CUSTOM_*) when browser users sign in through the environment's IdP.
     * @default none: username/password login, with a first user created for the tenant's first owner (only `local` runs without SSO)
     */
    readonly sso?: { readonly plain: Record<string, pulumi.Input<string>>; readonly secret: Record<string, pulumi.Input<string>> };
}

export const LANGFUSE_WEB_PORT = 3000;
export const LANGFUSE_WORKER_PORT = 3030;
/** How long the migration Job (Prisma, then ClickHouse) may take. */
export const LANGFUSE_MIGRATION_WINDOW_SECONDS = 1800;

/**
 * A tenant's Langfuse: web and worker, over the tenant's own ClickHouse and its database, buckets
 * and Redis user. Its organization, project and API key pair are created headlessly at first
 * start from keys this program generates (and exports), so the trace gateway can use them.
 * SALT, ENCRYPTION_KEY and NEXTAUTH_SECRET are generated once and protected: rotating them would
 * make stored API keys and encrypted settings unreadable.
 */
export class Langfuse extends pulumi.ComponentResource {
    readonly publicKey: pulumi.Output<string>;
    readonly secretKey: pulumi.Output<string>;
    readonly result: AppResult;
    /** The web Deployment. */
    readonly web: k8s.apps.v1.Deployment;
    /** What must be done before anything reads Langfuse's tables: its migration Job, when there is one. */
    readonly migrated: readonly pulumi.Resource[];
    /** Labels of the web pods, for policies that admit traffic to them. */
    readonly webPodLabels: Record<string, string>;

    constructor(name: string, args: LangfuseArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("llmops:apps:Langfuse", name, {}, opts);
        const { ctx } = args;
        const { profile, tenant } = ctx;
        const child = { parent: this };
        const seed = args.secrets;
        const salt = seed.password("salt", 48);
        const nextauthSecret = seed.password("nextauth-secret", 48);
        const encryptionKey = seed.hex("encryption-key", 32);
        this.publicKey = pulumi.interpolate`pk-lf-${seed.publicUuid("public-key")}`;
        this.secretKey = pulumi.secret(pulumi.interpolate`sk-lf-${seed.password("secret-key", 32)}`);

        const inputs: LangfuseEnvInputs = {
            tenantId: tenant.id,
            displayName: tenant.displayName,
            publicUrl: publicUrl(ctx, "langfuse"),
            clickhouse: {
                httpUrl: args.clickhouse.httpUrl,
                nativeUrl: args.clickhouse.nativeUrl,
                user: args.clickhouse.user,
                database: args.clickhouse.database,
            },
            redis: {
                host: args.redis.host,
                port: args.redis.port,
                user: args.redis.user,
                keyPrefix: args.redis.keyPrefix,
                tls: args.redis.tls,
            },
            s3: {
                endpoint: args.storage.endpoint,
                publicEndpoint: args.storage.publicEndpoint,
                region: args.storage.region,
                events: args.storage.buckets.langfuseEvents!,
                media: args.storage.buckets.langfuseMedia!,
                exports: args.storage.buckets.langfuseExports!,
            },
            usernamePasswordLogin: !args.sso,
        };
        const s3Key = args.storage.accessKey;
        const s3Secret = args.storage.secretKey;
        const sharedSecret = new k8s.core.v1.Secret(
            `${name}-shared-secret`,
            {
                metadata: { name: "langfuse", namespace: ctx.namespace.output, labels: standardLabels(appLabels(ctx, "langfuse")) },
                type: "Opaque",
                stringData: {
                    // Prisma opens one pool per process: its default (num_cpus*2+1, of the node) would not fit the role's limit.
                    DATABASE_URL: args.database.url("langfuse", "prisma", {
                        connection_limit: String(LANGFUSE_CONNECTION_LIMIT[tenant.size]),
                    }),
                    SALT: salt,
                    ENCRYPTION_KEY: encryptionKey,
                    CLICKHOUSE_PASSWORD: args.clickhouse.password,
                    REDIS_AUTH: args.redis.password,
                    LANGFUSE_S3_EVENT_UPLOAD_ACCESS_KEY_ID: s3Key,
                    LANGFUSE_S3_EVENT_UPLOAD_SECRET_ACCESS_KEY: s3Secret,
                    LANGFUSE_S3_MEDIA_UPLOAD_ACCESS_KEY_ID: s3Key,
                    LANGFUSE_S3_MEDIA_UPLOAD_SECRET_ACCESS_KEY: s3Secret,
                    LANGFUSE_S3_BATCH_EXPORT_ACCESS_KEY_ID: s3Key,
                    LANGFUSE_S3_BATCH_EXPORT_SECRET_ACCESS_KEY: s3Secret,
                },
            },
            child,
        );
        const webOnly: Record<string, pulumi.Input<string>> = {
            NEXTAUTH_SECRET: nextauthSecret,
            LANGFUSE_INIT_PROJECT_PUBLIC_KEY: this.publicKey,
            LANGFUSE_INIT_PROJECT_SECRET_KEY: this.secretKey,
            ...args.sso?.secret,
        };
        const outputs: Record<string, pulumi.Input<unknown>> = {
            url: inputs.publicUrl,
            publicKey: this.publicKey,
            secretKey: this.secretKey,
            projectId: langfuseIds(tenant.id).projectId,
        };
        const webPlain: Record<string, pulumi.Input<string>> = { ...webEnv(inputs), ...args.sso?.plain };
        if (!args.sso) {
            // Without SSO (only allowed in `local`), a first user is created so someone can sign in.
            const initPassword = { result: seed.password("init-user", 24) };
            const owner = tenant.owners[0]!;
            webPlain["LANGFUSE_INIT_USER_EMAIL"] = owner.email;
            webPlain["LANGFUSE_INIT_USER_NAME"] = owner.name;
            webOnly["LANGFUSE_INIT_USER_PASSWORD"] = initPassword.result;
            outputs["initUser"] = { email: owner.email, password: pulumi.secret(initPassword.result) };
        }
        const webSecret = new k8s.core.v1.Secret(
            `${name}-web-secret`,
            {
                metadata: {
                    name: "langfuse-web",
                    namespace: ctx.namespace.output,
                    labels: standardLabels(appLabels(ctx, "langfuse", "web")),
                },
                type: "Opaque",
                stringData: webOnly,
            },
            child,
        );

        const webResources = APP_WORKLOADS["langfuse-web"][tenant.size];
        const workerResources = APP_WORKLOADS["langfuse-worker"][tenant.size];
        const shared = sharedEnv(inputs);
        const db = args.database.client("prisma");
        const web: ContainerArgs = {
            name: "web",
            image: ctx.images.langfuseWeb,
            ports: [{ name: "http", port: LANGFUSE_WEB_PORT }],
            env: {
                ...shared,
                ...webPlain,
                NODE_OPTIONS: `--max-old-space-size=${nodeHeapMiB(webResources.limits.memory)}`,
                HOME: "/tmp",
                CHECKPOINT_DISABLE: "1",
            },
            envFromSecrets: ["langfuse", "langfuse-web"],
            resources: webResources,
            volumeMounts: db.volumeMounts,
            startupProbe: startupWindow(httpProbe("/api/public/health", "http"), 300),
            readinessProbe: httpProbe("/api/public/ready", "http"),
            livenessProbe: httpProbe("/api/public/health", "http", { periodSeconds: 15, failureThreshold: 4 }),
        };
        const worker: ContainerArgs = {
            name: "worker",
            image: ctx.images.langfuseWorker,
            ports: [{ name: "http", port: LANGFUSE_WORKER_PORT }],
            env: {
                ...shared,
                ...workerEnv(),
                NODE_OPTIONS: `--max-old-space-size=${nodeHeapMiB(workerResources.limits.memory)}`,
                HOME: "/tmp",
            },
            envFromSecrets: ["langfuse"],
            resources: workerResources,
            volumeMounts: db.volumeMounts,
            startupProbe: startupWindow(httpProbe("/api/health", "http"), 300),
            // /api/ready also fails once the worker got SIGTERM, so it leaves load balancing first.
            readinessProbe: httpProbe("/api/ready", "http"),
            livenessProbe: httpProbe("/api/health", "http", { periodSeconds: 15, failureThreshold: 4 }),
        };
        // Prisma and ClickHouse migrations, by the web image's entrypoint, before web and worker roll.
        const migrate: ContainerArgs = {
            name: "migrate",
            image: ctx.images.langfuseWeb,
            command: MIGRATION_COMMAND,
            env: { ...shared, ...migrationEnv(inputs), HOME: "/tmp", CHECKPOINT_DISABLE: "1" },
            envFromSecrets: ["langfuse"],
            resources: APP_WORKLOADS.job[tenant.size],
            volumeMounts: db.volumeMounts,
        };
        const migration = appMigration(
            ctx,
            `${name}-migrate`,
            {
                app: "langfuse",
                base: "langfuse-migrate",
                container: migrate,
                hashInputs: [MIGRATION_COMMAND, migrationEnv(inputs)],
                activeDeadlineSeconds: LANGFUSE_MIGRATION_WINDOW_SECONDS,
                volumes: db.volumes,
            },
            { parent: this, dependsOn: [sharedSecret, ...args.clickhouse.ready, ...args.database.resources] },
        );
        this.migrated = migration.after;
        const webLabels = appLabels(ctx, "langfuse", "web");
        const webDeploy = appDeployment(
            `${name}-web`,
            {
                name: "langfuse-web",
                namespace: ctx.namespace,
                labels: webLabels,
                replicas: replicas(ctx, profile.webReplicas),
                containers: [web],
                volumes: db.volumes,
                servicePorts: [{ name: "http", port: LANGFUSE_WEB_PORT }],
                disruptionBudget: true,
                extraPodLabels: { [EXPOSED_LABEL]: "http" },
                autoscale: true,
                role: { priority: "ingestion" },
            },
            { parent: this, dependsOn: [sharedSecret, webSecret, ...migration.after] },
        );
        // The worker runs no migrations: it starts once the Job has migrated both databases.
        const workerDeploy = appDeployment(
            `${name}-worker`,
            {
                name: "langfuse-worker",
                namespace: ctx.namespace,
                labels: appLabels(ctx, "langfuse", "worker"),
                replicas: replicas(ctx, 1),
                containers: [worker],
                volumes: db.volumes,
                autoscale: true,
                role: { priority: "ingestion" },
            },
            { parent: this, dependsOn: [...migration.after, sharedSecret] },
        );
        this.web = webDeploy.deployment;
        this.webPodLabels = selectorLabels(webLabels);
        const steady: Footprint[] = [webDeploy.footprint, workerDeploy.footprint];
        this.result = { steady, jobs: [...migration.jobs], outputs };
        this.registerOutputs({ url: inputs.publicUrl, publicKey: this.publicKey, secretKey: this.secretKey });
    }
}
