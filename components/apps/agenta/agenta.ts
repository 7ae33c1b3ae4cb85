import { createHash } from "node:crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Redis } from "../../data/redis/redis";
import { appDeployment } from "../../kube/deployment";
import { execProbe, httpProbe, startupWindow } from "../../kube/probes";
import type { Footprint } from "../../kube/resources";
import { type ContainerArgs, fromSecret } from "../../kube/workload";
import { EXPOSED_LABEL, standardLabels } from "../../naming/labels";
import { APP_WORKLOADS } from "../../sizing/profiles";
import type { SecretSeed } from "../../secrets/seed";
import type { TenantBuckets } from "../../data/objectstore/tenant-buckets";
import type { TenantDatabases } from "../../data/postgres/tenant-databases";
import { redisUrl } from "../../data/urls";
import { SUPPORT_IMAGES } from "../../versions/images";
import { appMigration } from "../migration";
import { type AppContext, type AppResult, appLabels, internalHost, publicUrl, replicas as running } from "../context";
import {
    AGENTA_API_PORT,
    AGENTA_API_SERVICE,
    AGENTA_EDGE_PORT,
    AGENTA_SERVICES_PORT,
    AGENTA_SERVICES_SERVICE,
    AGENTA_WEB_PORT,
    API_COMMAND,
    CRON_COMMAND,
    MIGRATE_COMMAND,
    MIGRATE_ENV,
    SERVICES_COMMAND,
    SUPERTOKENS_PORT,
    SUPERTOKENS_POOL_SIZE,
    WEB_ARGS,
    WEB_COMMAND,
    WORKER_QUEUES_COMMAND,
    WORKER_STREAMS_COMMAND,
    coreEnv,
    edgeConfig,
    workerEnv,
    pid1Runs,
    webEnv,
} from "./config";

export interface AgentaArgs {
    readonly ctx: AppContext;
    readonly database: TenantDatabases;
    readonly storage: TenantBuckets;
    /** Where the app's keys and credentials come from. */
    readonly secrets: SecretSeed;
    /** Whether outside traffic reaches the edge directly (no SSO gate in front of it). */
    readonly exposed: boolean;
}

/**
 * A tenant's Agenta: web, api, worker-streams, worker-queues, cron, services and SuperTokens, its
 * volatile (LRU cache, no persistence) and durable (AOF, noeviction) Redis, and an edge router
 * giving one origin to `/`, `/api` and `/services`. The database migration is an explicit Job,
 * named from a hash of image and command, that the api and workers wait for; a failed run leaves
 * them on the previous version and is retried on the next deploy. AGENTA_AUTH_KEY and
 * AGENTA_CRYPT_KEY are generated once and protected.
 */
export class Agenta extends pulumi.ComponentResource {
    readonly result: AppResult;
    /** Name of the Secret holding the app's credentials and connection strings. */
    readonly secretName = "agenta";

    constructor(name: string, args: AgentaArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("llmops:apps:Agenta", name, {}, opts);
        const { ctx } = args;
        const { profile, tenant } = ctx;
        const child = { parent: this };
        const size = tenant.size;
        const seed = args.secrets;
        const authKey = { result: seed.password("auth-key", 48) };
        const cryptKey = { result: seed.password("crypt-key", 48) };
        const supertokensKey = { result: seed.password("supertokens-api-key", 40) };
        const volatilePassword = { result: seed.password("redis-volatile", 32) };
        const durablePassword = { result: seed.password("redis-durable", 32) };
        const redisCredentials = (which: string) => ({
            admin: seed.password(`redis-${which}-admin`, 32),
            probe: seed.password(`redis-${which}-probe`, 32),
        });

        const redisResources = APP_WORKLOADS["agenta-redis"][size];
        const volatile = new Redis(
            `${name}-redis-volatile`,
            {
                serviceName: "agenta-redis-volatile",
                namespace: ctx.namespace,
                labels: appLabels(ctx, "agenta", "redis-volatile"),
                size,
                resources: redisResources,
                evictionPolicy: "volatile-lru",
                users: [{ name: "agenta", password: volatilePassword.result, access: { kind: "app" } }],
                credentials: redisCredentials("volatile"),
                hotReloadUsers: false,
                protect: false,
                replicas: running(ctx, 1),
            },
            child,
        );
        const durable = new Redis(
            `${name}-redis-durable`,
            {
                serviceName: "agenta-redis-durable",
                namespace: ctx.namespace,
                labels: appLabels(ctx, "agenta", "redis-durable"),
                size,
                resources: redisResources,
                storage: size === "small" ? "1Gi" : "5Gi",
                storageClass: profile.storageClass,
                evictionPolicy: "noeviction",
                users: [{ name: "agenta", password: durablePassword.result, access: { kind: "app" } }],
                credentials: redisCredentials("durable"),
                hotReloadUsers: false,
                protect: profile.protectState,
                replicas: running(ctx, 1),
            },
            child,
        );

        const volatileUri = volatilePassword.result.apply((pw) =>
            redisUrl({ user: "agenta", password: pw, host: volatile.host, port: volatile.port }),
        );
        const secret = new k8s.core.v1.Secret(
            `${name}-secret`,
            {
                metadata: { name: this.secretName, namespace: ctx.namespace.output, labels: standardLabels(appLabels(ctx, "agenta")) },
                type: "Opaque",
                stringData: {
                    AGENTA_AUTH_KEY: authKey.result,
                    AGENTA_CRYPT_KEY: cryptKey.result,
                    SUPERTOKENS_API_KEY: supertokensKey.result,
                    POSTGRES_URI_CORE: args.database.url("agenta_core", "asyncpg"),
                    POSTGRES_URI_TRACING: args.database.url("agenta_tracing", "asyncpg"),
                    POSTGRES_URI_SUPERTOKENS: args.database.url("agenta_supertokens", "libpq"),
                    REDIS_URI: volatileUri,
                    REDIS_URI_VOLATILE: volatileUri,
                    REDIS_URI_DURABLE: durablePassword.result.apply((pw) =>
                        redisUrl({ user: "agenta", password: pw, host: durable.host, port: durable.port }),
                    ),
                    AGENTA_STORE_ACCESS_KEY: args.storage.accessKey,
                    AGENTA_STORE_SECRET_KEY: args.storage.secretKey,
                },
            },
            child,
        );
        // SuperTokens reads its own variable names; the same key is enforced on both sides.
        const supertokensSecret = new k8s.core.v1.Secret(
            `${name}-supertokens-secret`,
            {
                metadata: {
                    name: "agenta-supertokens",
                    namespace: ctx.namespace.output,
                    labels: standardLabels(appLabels(ctx, "agenta", "supertokens")),
                },
                type: "Opaque",
                stringData: { POSTGRESQL_CONNECTION_URI: args.database.url("agenta_supertokens", "jdbc"), API_KEYS: supertokensKey.result },
            },
            child,
        );

        const inputs = {
            publicUrl: publicUrl(ctx, "agenta"),
            supertokensUrl: `http://${internalHost(ctx, "agenta-supertokens")}:${SUPERTOKENS_PORT}`,
            internalApiUrl: `http://${internalHost(ctx, AGENTA_API_SERVICE)}:${AGENTA_API_PORT}/api`,
            internalServicesUrl: `http://${internalHost(ctx, AGENTA_SERVICES_SERVICE)}:${AGENTA_SERVICES_PORT}`,
            emailDomains: tenant.sso.emailDomains,
            ownerEmails: tenant.sso.admins,
            store: { endpoint: args.storage.endpoint, region: args.storage.region, bucket: args.storage.buckets.agentaFiles! },
        };
        // asyncpg takes its CA from PGSSLROOTCERT; every container with the database URLs gets it and the CA.
        const db = args.database.client("asyncpg");
        const core = { ...coreEnv(inputs), ...db.env };
        const workers = { ...workerEnv(inputs), ...db.env };
        const supertokensDb = args.database.client("jdbc");
        const res = (w: keyof typeof APP_WORKLOADS) => APP_WORKLOADS[w][size];
        const replicas = running(ctx, profile.webReplicas);
        const steady: Footprint[] = [volatile.footprint, durable.footprint];
        const deploy = (
            component: string,
            container: ContainerArgs,
            extra: {
                replicas?: number;
                servicePorts?: { name: string; port: number }[];
                serviceName?: string;
                strategy?: "Recreate";
                dependsOn?: pulumi.Resource[];
                volumes?: k8s.types.input.core.v1.Volume[];
                autoscale?: boolean;
            } = {},
        ) => {
            // Containers that get the database URLs also get the CA they verify the server with.
            const usesDb = container.envFromSecrets?.includes(this.secretName) ?? false;
            if (usesDb) container = { ...container, volumeMounts: [...(container.volumeMounts ?? []), ...db.volumeMounts] };
            const count = extra.replicas ?? running(ctx, 1);
            const deployment = appDeployment(
                `${name}-${component}`,
                {
                    name: `agenta-${component}`,
                    namespace: ctx.namespace,
                    labels: appLabels(ctx, "agenta", component),
                    replicas: count,
                    containers: [container],
                    volumes: [...(extra.volumes ?? []), ...(usesDb ? db.volumes : [])],
                    servicePorts: extra.servicePorts,
                    serviceName: extra.serviceName,
                    disruptionBudget: true,
                    strategy: extra.strategy,
                    autoscale: extra.autoscale,
                },
                { parent: this, dependsOn: [secret, ...(extra.dependsOn ?? [])] },
            );
            steady.push(deployment.footprint);
            return deployment;
        };

        const supertokens = deploy(
            "supertokens",
            {
                name: "supertokens",
                image: SUPPORT_IMAGES.supertokens,
                ports: [{ name: "http", port: SUPERTOKENS_PORT }],
                // The pool is sized so that it and Agenta's own fit the role's connection limit (default 10).
                env: {
                    DISABLE_TELEMETRY: "true",
                    POSTGRESQL_CONNECTION_POOL_SIZE: String(SUPERTOKENS_POOL_SIZE[size]),
                    ...supertokensDb.env,
                },
                envFromSecrets: ["agenta-supertokens"],
                resources: res("agenta-supertokens"),
                volumeMounts: supertokensDb.volumeMounts,
                startupProbe: startupWindow(httpProbe("/hello", "http"), 180),
                readinessProbe: httpProbe("/hello", "http"),
                livenessProbe: httpProbe("/hello", "http", { periodSeconds: 15 }),
            },
            {
                servicePorts: [{ name: "http", port: SUPERTOKENS_PORT }],
                dependsOn: [supertokensSecret, ...args.database.resources],
                volumes: supertokensDb.volumes,
            },
        );

        const apiImage = ctx.images.agentaApi;
        const migrate: ContainerArgs = {
            name: "migrate",
            image: apiImage,
            command: MIGRATE_COMMAND,
            env: { ...core, ...MIGRATE_ENV },
            envFromSecrets: [this.secretName],
            resources: APP_WORKLOADS.job[size],
            volumeMounts: db.volumeMounts,
        };
        const migration = appMigration(
            ctx,
            `${name}-migrate`,
            { app: "agenta", base: "agenta-migrate", container: migrate, hashInputs: [MIGRATE_COMMAND, MIGRATE_ENV], volumes: db.volumes },
            { parent: this, dependsOn: [secret, ...args.database.resources] },
        );
        const afterMigration = [...migration.after, supertokens.deployment];

        deploy(
            "api",
            {
                name: "api",
                image: apiImage,
                command: API_COMMAND,
                ports: [{ name: "http", port: AGENTA_API_PORT }],
                env: { ...core, SCRIPT_NAME: "/api" },
                envFromSecrets: [this.secretName],
                resources: res("agenta-api"),
                startupProbe: startupWindow(httpProbe("/health", "http"), 180),
                readinessProbe: httpProbe("/health", "http"),
                livenessProbe: httpProbe("/health", "http", { periodSeconds: 15, failureThreshold: 4 }),
            },
            {
                replicas,
                servicePorts: [{ name: "http", port: AGENTA_API_PORT }],
                serviceName: AGENTA_API_SERVICE,
                dependsOn: afterMigration,
                autoscale: true,
            },
        );
        for (const [component, command, module] of [
            ["worker-streams", WORKER_STREAMS_COMMAND, "entrypoints.worker_streams"],
            ["worker-queues", WORKER_QUEUES_COMMAND, "entrypoints.worker_queues"],
        ] as const) {
            deploy(
                component,
                {
                    name: component,
                    image: apiImage,
                    command: [...command],
                    env: workers,
                    envFromSecrets: [this.secretName],
                    resources: res(`agenta-${component}`),
                    livenessProbe: execProbe(pid1Runs(module), { periodSeconds: 30 }),
                },
                { dependsOn: afterMigration },
            );
        }
        deploy(
            "cron",
            {
                name: "cron",
                image: apiImage,
                command: CRON_COMMAND,
                env: workers,
                envFromSecrets: [this.secretName],
                resources: res("agenta-cron"),
                livenessProbe: execProbe(pid1Runs("supercronic"), { periodSeconds: 60 }),
            },
            // Exactly one scheduler: never two pods during a rollout.
            { strategy: "Recreate", dependsOn: afterMigration },
        );
        deploy(
            "services",
            {
                name: "services",
                image: ctx.images.agentaServices,
                command: SERVICES_COMMAND,
                ports: [{ name: "http", port: AGENTA_SERVICES_PORT }],
                env: { ...core, SCRIPT_NAME: "/services" },
                envFromSecrets: [this.secretName],
                resources: res("agenta-services"),
                startupProbe: startupWindow(httpProbe("/health", "http"), 180),
                readinessProbe: httpProbe("/health", "http"),
                livenessProbe: httpProbe("/health", "http", { periodSeconds: 15 }),
            },
            {
                replicas,
                servicePorts: [{ name: "http", port: AGENTA_SERVICES_PORT }],
                serviceName: AGENTA_SERVICES_SERVICE,
                autoscale: true,
            },
        );
        deploy(
            "web",
            {
                name: "web",
                image: ctx.images.agentaWeb,
                command: WEB_COMMAND,
                args: WEB_ARGS,
                ports: [{ name: "http", port: AGENTA_WEB_PORT }],
                // Only the keys the web server uses (as upstream's chart gives it): this container keeps a
                // writable root filesystem, so it gets no database, Redis or object-store credentials.
                env: {
                    ...webEnv(inputs),
                    AGENTA_AUTH_KEY: fromSecret(this.secretName, "AGENTA_AUTH_KEY"),
                    AGENTA_CRYPT_KEY: fromSecret(this.secretName, "AGENTA_CRYPT_KEY"),
                    SUPERTOKENS_API_KEY: fromSecret(this.secretName, "SUPERTOKENS_API_KEY"),
                },
                resources: res("agenta-web"),
                startupProbe: startupWindow(httpProbe("/", "http"), 180),
                readinessProbe: httpProbe("/", "http"),
                livenessProbe: httpProbe("/", "http", { periodSeconds: 15 }),
            },
            { replicas, servicePorts: [{ name: "http", port: AGENTA_WEB_PORT }] },
        );

        const edgeConf = edgeConfig(ctx.namespace.name);
        const edgeConfigMap = new k8s.core.v1.ConfigMap(
            `${name}-edge-config`,
            {
                metadata: {
                    name: "agenta-edge",
                    namespace: ctx.namespace.output,
                    labels: standardLabels(appLabels(ctx, "agenta", "edge")),
                },
                data: { "nginx.conf": edgeConf },
            },
            child,
        );
        const edgeLabels = appLabels(ctx, "agenta", "edge");
        const edge = appDeployment(
            `${name}-edge`,
            {
                name: "agenta-edge",
                namespace: ctx.namespace,
                labels: edgeLabels,
                replicas,
                containers: [
                    {
                        name: "nginx",
                        image: SUPPORT_IMAGES.nginx,
                        command: ["nginx", "-c", "/etc/agenta-edge/nginx.conf", "-g", "daemon off;"],
                        ports: [{ name: "http", port: AGENTA_EDGE_PORT }],
                        resources: res("agenta-edge"),
                        readinessProbe: httpProbe("/healthz", "http", { periodSeconds: 5 }),
                        livenessProbe: httpProbe("/healthz", "http", { periodSeconds: 15 }),
                        volumeMounts: [{ name: "config", mountPath: "/etc/agenta-edge", readOnly: true }],
                    },
                ],
                volumes: [{ name: "config", configMap: { name: edgeConfigMap.metadata.name } }],
                servicePorts: [{ name: "http", port: AGENTA_EDGE_PORT }],
                disruptionBudget: true,
                extraPodLabels: args.exposed ? { [EXPOSED_LABEL]: "http" } : undefined,
                podAnnotations: { "llmops.io/config-hash": createHash("sha256").update(edgeConf).digest("hex").slice(0, 16) },
            },
            child,
        );
        steady.push(edge.footprint);
        this.result = { steady, jobs: [...migration.jobs], outputs: { url: inputs.publicUrl } };
        this.registerOutputs({ url: inputs.publicUrl });
    }
}
