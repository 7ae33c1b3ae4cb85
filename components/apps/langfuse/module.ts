import { ClickHouse } from "../../data/clickhouse/clickhouse";
import { CLICKHOUSE_METRICS_PORT } from "../../data/ports";
import { BACKUP_POOL_CLIENT, scaledPods } from "../../data/postgres/pools";
import { Redis } from "../../data/redis/redis";
import type { Footprint } from "../../kube/resources";
import { redisKeyPrefix, redisUser } from "../../naming/names";
import { LangfuseRetention } from "../../retention/langfuse-retention";
import { APP_WORKLOADS, clickhouseStorage } from "../../sizing/profiles";
import { type AppModule, storageOf, type SharedRedisGrant } from "../app";
import { appLabels, internalHost, replicas } from "../context";
import { LANGFUSE_CONNECTION_LIMIT, LANGFUSE_HTTP_LIMITS, LANGFUSE_S3_PREFIXES } from "./config";
import { LANGFUSE_WEB_PORT, Langfuse, type LangfuseArgs } from "./langfuse";

/** Days a tenant ClickHouse keeps its system logs (query_log excepted: Langfuse reads it). */
export const SYSTEM_LOG_DAYS = 7;

/**
 * Langfuse: web and worker over the tenant's own ClickHouse (a shared one would show one tenant
 * another's query text), its Redis (the shared one, confined to a key prefix, or its own), and
 * the trace retention reconciler. It signs users in itself through its own OIDC client.
 */
export const langfuse: AppModule<"langfuse"> = {
    name: "langfuse",
    title: "Langfuse",
    description: "LLM observability.",
    databases: ["langfuse"],
    buckets: {
        purposes: ["langfuseEvents", "langfuseMedia", "langfuseExports"],
        // Raw ingestion events age with the traces; exports are short-lived. Media is never expired: traces link to it.
        expire: (retention) => ({
            langfuseEvents: { days: retention.traceDays, prefix: LANGFUSE_S3_PREFIXES.events },
            langfuseExports: { days: retention.artifactDays, prefix: LANGFUSE_S3_PREFIXES.exports },
        }),
        neverExpire: ["langfuseMedia"],
    },
    exposure: {
        service: "langfuse-web",
        port: LANGFUSE_WEB_PORT,
        limits: LANGFUSE_HTTP_LIMITS,
        component: "web",
        sso: "oidc",
        callbackPath: "/api/auth/callback/custom",
    },
    takesTraces: true,
    // Its media client uploads and deletes through the public origin too (v4.16.0 has no separate media signing endpoint).
    callsPublicObjectStore: true,
    metrics: [{ name: "clickhouse", component: "clickhouse", portName: "metrics", port: CLICKHOUSE_METRICS_PORT }],
    poolClients(i) {
        const n = LANGFUSE_CONNECTION_LIMIT[i.size];
        return [
            { workload: "langfuse-web", processes: scaledPods(i.webReplicas, i), perProcess: n, sized: true },
            { workload: "langfuse-worker", processes: scaledPods(1, i), perProcess: n, sized: true },
            { workload: "langfuse-migrate", processes: 1, perProcess: n, sized: true },
            BACKUP_POOL_CLIENT,
        ];
    },
    declare(deps) {
        const { ctx, secrets, database, sharedRedis, oidc, protect, parent } = deps;
        const storage = storageOf(deps, "langfuse");
        const { profile, tenant } = ctx;
        const id = tenant.id;
        const child = { parent };
        const redisPassword = secrets.password("redis");
        const extraSteady: Footprint[] = [];
        const sharedRedisUsers: SharedRedisGrant[] = [];
        let redis: LangfuseArgs["redis"];
        if (tenant.redis === "dedicated") {
            const own = new Redis(
                `${id}-langfuse-redis`,
                {
                    serviceName: "langfuse-redis",
                    namespace: ctx.namespace,
                    labels: appLabels(ctx, "langfuse", "redis"),
                    size: tenant.size,
                    resources: APP_WORKLOADS["langfuse-redis"][tenant.size],
                    storage: tenant.size === "small" ? "1Gi" : "10Gi",
                    storageClass: profile.storageClass,
                    evictionPolicy: "noeviction",
                    users: [{ name: "langfuse", password: redisPassword, access: { kind: "app" } }],
                    hotReloadUsers: false,
                    protect,
                    credentials: { admin: secrets.password("redis-admin"), probe: secrets.password("redis-probe") },
                    replicas: replicas(ctx, 1),
                    // Langfuse's queue: part of the tenant's ingestion path.
                    role: { priority: "ingestion" },
                },
                child,
            );
            extraSteady.push(own.footprint);
            redis = { host: own.host, port: own.port, user: "langfuse", password: redisPassword, tls: false };
        } else {
            const user = redisUser(id, "langfuse");
            const keyPrefix = redisKeyPrefix(id, "langfuse");
            sharedRedisUsers.push({ name: user, password: redisPassword, keyPrefix });
            redis = { host: sharedRedis.host, port: sharedRedis.port, user, password: redisPassword, keyPrefix, tls: sharedRedis.tls };
        }
        const clickhouse = new ClickHouse(
            `${id}-clickhouse`,
            {
                namespace: ctx.namespace,
                labels: appLabels(ctx, "langfuse", "clickhouse"),
                resources: APP_WORKLOADS.clickhouse[profile.clickhouse.size ?? tenant.size],
                storage: clickhouseStorage(tenant.size, profile.clickhouse.storage),
                storageClass: profile.storageClass,
                database: "langfuse",
                user: "langfuse",
                password: secrets.password("clickhouse"),
                serverConfig: { systemLogDays: SYSTEM_LOG_DAYS },
                metrics: profile.monitoring !== undefined,
                protect,
                role: { placement: "clickhouse", priority: "ingestion" },
                // Kept running while offboarding, for the export; stopped once retired.
                replicas: tenant.lifecycle.state === "retired" ? 0 : 1,
            },
            child,
        );
        extraSteady.push(clickhouse.footprint);
        const sso: LangfuseArgs["sso"] = oidc
            ? {
                  plain: {
                      AUTH_CUSTOM_CLIENT_ID: oidc.clientId,
                      AUTH_CUSTOM_ISSUER: oidc.issuer,
                      AUTH_CUSTOM_NAME: `${tenant.displayName} SSO`,
                      AUTH_CUSTOM_SCOPE: "openid email profile",
                      AUTH_DOMAINS_WITH_SSO_ENFORCEMENT: tenant.sso.emailDomains.join(","),
                  },
                  secret: { AUTH_CUSTOM_CLIENT_SECRET: oidc.clientSecret },
              }
            : undefined;
        const app = new Langfuse(`${id}-langfuse`, { ctx, database, clickhouse, redis, storage, secrets, sso }, child);
        new LangfuseRetention(
            `${id}-langfuse-retention`,
            {
                namespace: ctx.namespace,
                labels: appLabels(ctx, "langfuse", "retention"),
                tenantId: id,
                running: ctx.running,
                resources: APP_WORKLOADS.job[tenant.size],
                traceDays: tenant.retention.traceDays,
                clickhouse,
                langfuseImage: ctx.images.langfuseWeb,
                after: app.migrated,
            },
            child,
        );
        return {
            ...app.result,
            // Its Ingress has always been a child of the Langfuse component: the same parent keeps the same URN.
            ingressParent: app,
            sharedRedisUsers,
            traceSink: {
                podLabels: app.webPodLabels,
                port: LANGFUSE_WEB_PORT,
                endpoint: `http://${internalHost(ctx, "langfuse-web")}:${LANGFUSE_WEB_PORT}/api/public/otel/v1/traces`,
                publicKey: app.publicKey,
                secretKey: app.secretKey,
            },
            clickhouse,
            extraSteady,
        };
    },
};
