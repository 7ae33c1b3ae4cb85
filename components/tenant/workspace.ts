import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { type Tenant, isRunning } from "../../tenants/tenant";
import { TenantBackups } from "../backup/tenant-backups";
import { tenantMonitoring } from "../monitoring/tenant-monitoring";
import { Agenta } from "../apps/agenta/agenta";
import { AGENTA_EDGE_PORT, AGENTA_HTTP_LIMITS } from "../apps/agenta/env";
import { type AppContext, type AppResult, appLabels, internalHost, publicHost, publicUrl, replicas } from "../apps/context";
import { LANGFUSE_WEB_PORT, Langfuse, type LangfuseArgs } from "../apps/langfuse/langfuse";
import { LANGFUSE_S3_PREFIXES } from "../apps/langfuse/env";
import { LangfuseRetention } from "../retention/langfuse-retention";
import { TRACE_GATEWAY } from "../tracing/gateway";
import { KongTracing } from "../tracing/kong-resources";
import { Mlflow } from "../apps/mlflow/mlflow";
import { MLFLOW_HTTP_LIMITS } from "../apps/mlflow/env";
import { ClickHouse } from "../data/clickhouse/clickhouse";
import type { ObjectStore } from "../data/objectstore/object-store";
import type { Postgres } from "../data/postgres/postgres";
import { Redis, type RedisUser } from "../data/redis/redis";
import type { Environment } from "../environment/environment";
import { type HttpLimits, appIngress } from "../kube/ingress";
import { allowEgressTo, allowIngressFrom, namespacePeer, originPort, tcp } from "../kube/network";
import { type Footprint, sumFootprints } from "../kube/resources";
import { LABELS, TENANT_WORKSPACE_TYPE, standardLabels } from "../naming/labels";
import { redisKeyPrefix, redisUser } from "../naming/names";
import { APP_WORKLOADS, clickhouseStorage } from "../sizing/profiles";
import { GATE_CALLBACK_PATH, GATE_INGRESS_ANNOTATIONS, GATE_PORT, SsoGate } from "../sso/gate";
import { prefixExcept } from "../sso/routes";
import { TenantSso } from "../sso/tenant-sso";
import { SecretSeed } from "../secrets/seed";
import { appImages } from "../versions/images";
import { type TenantDatabases, bucketVersioning, tenantBuckets, tenantConnectionLimit, tenantDatabases } from "./data";
import { POSTGRES_CA_CONFIGMAP, caConfigMapData } from "../data/postgres/tls";
import { limitRangeFor } from "./limits";
import { quotaFor } from "./quota";
import type { PriorityTier } from "../kube/scheduling";
import { TenantNamespace } from "./tenant-namespace";

/** Where tenants reach the environment's shared Redis. */
export interface SharedRedisEndpoint {
    readonly host: string;
    readonly port: number;
    readonly tls: boolean;
}

export interface TenantWorkspaceArgs {
    readonly env: Environment;
    readonly tenant: Tenant;
    readonly postgres: Postgres;
    readonly objectStore: ObjectStore;
    readonly sharedRedis: SharedRedisEndpoint;
    /** Where Kong sends this tenant's spans (the environment's trace gateway). */
    readonly tracesUrl: string;
    /** The environment's PriorityClass names. */
    readonly priorityClasses?: Readonly<Record<PriorityTier, pulumi.Input<string>>>;
}

/** Days a tenant ClickHouse keeps its system logs (query_log excepted: Langfuse reads it). */
export const SYSTEM_LOG_DAYS = 7;

/**
 * One tenant's workspace: its namespace and, for each app it enabled, the app plane and that
 * app's own principals in the shared data services (a Postgres role and databases, buckets and an
 * object-store user, a Redis user confined to its prefix), plus the tenant's own ClickHouse for
 * Langfuse. Credentials are generated per tenant and app; none is shared with another principal.
 */
export class TenantWorkspace extends pulumi.ComponentResource {
    /** Users this tenant needs in the shared Redis (its ACL file is declared once per environment). */
    readonly sharedRedisUsers: RedisUser[] = [];
    readonly outputs: Record<string, pulumi.Input<unknown>> = {};
    readonly langfuse?: Langfuse;
    readonly mlflow?: Mlflow;
    readonly tenantNamespace: TenantNamespace;

    constructor(name: string, args: TenantWorkspaceArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super(TENANT_WORKSPACE_TYPE, name, {}, opts);
        const { env, tenant } = args;
        const id = tenant.id;
        const child = { parent: this };
        this.tenantNamespace = new TenantNamespace(id, { env, tenant, priorityClasses: args.priorityClasses }, child);
        const ctx: AppContext = { env, tenant, namespace: this.tenantNamespace.namespace, images: appImages(tenant.channel), running: isRunning(tenant) };
        const results: AppResult[] = [];
        const databases: TenantDatabases[] = [];
        let tenantClickhouse: ClickHouse | undefined;
        const protect = env.protectState;
        const versioning = bucketVersioning(env);
        const sso = env.sso.enabled ? new TenantSso(`${id}-sso`, { env, sso: env.sso, tenant }, child) : undefined;
        if (sso) this.outputs["sso"] = { organizationId: sso.organizationId, pendingAdmins: sso.pendingAdmins };
        // The CA the apps verify Postgres with, when the stack config gives it as PEM.
        const caData = caConfigMapData(args.postgres.tls);
        if (caData) {
            new k8s.core.v1.ConfigMap(
                `${id}-postgres-ca`,
                { metadata: { name: POSTGRES_CA_CONFIGMAP, namespace: ctx.namespace.output, labels: standardLabels({ app: "workspace", tenant: id, environment: env.name }) }, data: caData },
                child,
            );
        }

        if (tenant.apps.langfuse) {
            const secrets = new SecretSeed(`${id}-langfuse-secrets`, { protect, parent: this });
            const database = tenantDatabases(`${id}-langfuse`, { tenantId: id, app: "langfuse", suffixes: ["langfuse"], postgres: args.postgres, protect, password: secrets.password("postgres"), connectionLimit: tenantConnectionLimit(env, tenant.size, "langfuse") }, child);
            databases.push(database);
            const storage = tenantBuckets(
                `${id}-langfuse`,
                {
                    tenantId: id,
                    app: "langfuse",
                    purposes: ["langfuseEvents", "langfuseMedia", "langfuseExports"],
                    bucketPrefix: env.bucketPrefix,
                    objectStore: args.objectStore,
                    protect,
                    // Raw ingestion events age with the traces; exports are short-lived. Media is never expired: traces link to it.
                    expire: { langfuseEvents: { days: tenant.retention.traceDays, prefix: LANGFUSE_S3_PREFIXES.events }, langfuseExports: { days: tenant.retention.artifactDays, prefix: LANGFUSE_S3_PREFIXES.exports } },
                    neverExpire: ["langfuseMedia"],
                    secretKey: secrets.password("object-store", 40),
                    versioning,
                },
                child,
            );
            const redisPassword = { result: secrets.password("redis") };
            let redis: NonNullable<ConstructorParameters<typeof Langfuse>[1]["redis"]>;
            const extraSteady: Footprint[] = [];
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
                        storageClass: env.storageClass,
                        evictionPolicy: "noeviction",
                        users: [{ name: "langfuse", password: redisPassword.result, access: { kind: "app" } }],
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
                redis = { host: own.host, port: own.port, user: "langfuse", password: redisPassword.result, tls: false };
            } else {
                const user = redisUser(id, "langfuse");
                const keyPrefix = redisKeyPrefix(id, "langfuse");
                this.sharedRedisUsers.push({ name: user, password: redisPassword.result, access: { kind: "prefix", prefix: keyPrefix } });
                redis = { host: args.sharedRedis.host, port: args.sharedRedis.port, user, password: redisPassword.result, keyPrefix, tls: args.sharedRedis.tls };
            }
            const clickhouseResources = APP_WORKLOADS.clickhouse[env.clickhouse.size ?? tenant.size];
            const clickhouse = new ClickHouse(
                `${id}-clickhouse`,
                {
                    namespace: ctx.namespace,
                    labels: appLabels(ctx, "langfuse", "clickhouse"),
                    resources: clickhouseResources,
                    storage: clickhouseStorage(tenant.size, env.clickhouse.storage),
                    storageClass: env.storageClass,
                    database: "langfuse",
                    user: "langfuse",
                    password: secrets.password("clickhouse"),
                    serverConfig: { systemLogDays: SYSTEM_LOG_DAYS },
                    metrics: env.monitoring !== undefined,
                    protect,
                    role: { placement: "clickhouse", priority: "ingestion" },
                    // Kept running while offboarding, for the export; stopped once retired.
                    replicas: tenant.lifecycle.state === "retired" ? 0 : 1,
                },
                child,
            );
            tenantClickhouse = clickhouse;
            extraSteady.push(clickhouse.footprint);
            let langfuseSso: LangfuseArgs["sso"];
            if (sso && env.sso.enabled) {
                const app = sso.application("langfuse", publicUrl(ctx, "langfuse"), "/api/auth/callback/custom");
                langfuseSso = {
                    plain: {
                        AUTH_CUSTOM_CLIENT_ID: app.applicationId,
                        AUTH_CUSTOM_ISSUER: env.sso.issuer,
                        AUTH_CUSTOM_NAME: `${tenant.displayName} SSO`,
                        AUTH_CUSTOM_SCOPE: "openid email profile",
                        AUTH_DOMAINS_WITH_SSO_ENFORCEMENT: tenant.sso.emailDomains.join(","),
                    },
                    secret: { AUTH_CUSTOM_CLIENT_SECRET: app.clientSecret },
                };
            }
            this.langfuse = new Langfuse(`${id}-langfuse`, { ctx, database, clickhouse, redis, storage, secrets, sso: langfuseSso }, child);
            new LangfuseRetention(
                `${id}-langfuse-retention`,
                { ctx, traceDays: tenant.retention.traceDays, clickhouse, after: this.langfuse.migrated },
                child,
            );
            // The trace gateway delivers each tenant's spans to its Langfuse.
            this.tenantNamespace.policy(
                "allow-trace-gateway",
                allowIngressFrom(this.langfuse.webPodLabels, [namespacePeer(env.platformNamespace, { [LABELS.app]: TRACE_GATEWAY })], tcp(LANGFUSE_WEB_PORT)),
            );
            // Langfuse's media client uses the public object-store origin for its own uploads and
            // deletes too (v4.16.0 has no separate media signing endpoint); with in-cluster MinIO
            // that origin is the ingress controller.
            if (env.objectStore.mode === "in-cluster") {
                this.tenantNamespace.policy(
                    "allow-langfuse-to-public-object-store",
                    allowEgressTo([namespacePeer(env.ingress.controllerNamespace)], tcp(originPort(env.objectStore.publicEndpoint)), { [LABELS.app]: "langfuse" }),
                );
            }
            if (tenant.kong && ctx.running) new KongTracing(`${id}-kong`, { env, tenant, tracesUrl: args.tracesUrl }, child);
            results.push({ ...this.langfuse.result, steady: [...this.langfuse.result.steady, ...extraSteady] });
            this.outputs["langfuse"] = this.langfuse.result.outputs;
        }

        if (tenant.apps.mlflow) {
            const secrets = new SecretSeed(`${id}-mlflow-secrets`, { protect, parent: this });
            const database = tenantDatabases(`${id}-mlflow`, { tenantId: id, app: "mlflow", suffixes: ["mlflow"], postgres: args.postgres, protect, password: secrets.password("postgres"), connectionLimit: tenantConnectionLimit(env, tenant.size, "mlflow") }, child);
            databases.push(database);
            const storage = tenantBuckets(
                `${id}-mlflow`,
                { tenantId: id, app: "mlflow", purposes: ["mlflowArtifacts"], neverExpire: ["mlflowArtifacts"], bucketPrefix: env.bucketPrefix, objectStore: args.objectStore, protect, secretKey: secrets.password("object-store", 40), versioning },
                child,
            );
            this.mlflow = new Mlflow(`${id}-mlflow`, { ctx, database, storage, exposed: !sso, purgeDeletedRunsAfterDays: tenant.retention.deletedRunsPurgeDays }, child);
            const outputs: Record<string, pulumi.Input<unknown>> = { ...this.mlflow.result.outputs };
            let basicAuthUsers: pulumi.Output<string> | undefined;
            if (sso) {
                // SDK clients (MLFLOW_TRACKING_USERNAME/PASSWORD) pass the gate with HTTP Basic instead of a browser login.
                const sdkUser = `${id}-sdk`;
                const sdkPassword = new random.RandomPassword(`${id}-mlflow-sdk-password`, { length: 32, special: false }, child);
                basicAuthUsers = pulumi.interpolate`${sdkUser}:${sdkPassword.bcryptHash}\n`;
                outputs["sdk"] = { username: sdkUser, password: pulumi.secret(sdkPassword.result) };
            }
            const gate = this.publish(ctx, sso, "mlflow", "mlflow", this.mlflow.port, MLFLOW_HTTP_LIMITS, { basicAuthUsers, cookieSecret: secrets.password("sso-cookie") });
            results.push({ ...this.mlflow.result, steady: [...this.mlflow.result.steady, ...gate] });
            this.outputs["mlflow"] = outputs;
        }

        if (tenant.apps.agenta) {
            const secrets = new SecretSeed(`${id}-agenta-secrets`, { protect, parent: this });
            const database = tenantDatabases(
                `${id}-agenta`,
                {
                    tenantId: id,
                    app: "agenta",
                    suffixes: ["agenta_core", "agenta_tracing", "agenta_supertokens"],
                    postgres: args.postgres,
                    protect,
                    password: secrets.password("postgres"),
                    connectionLimit: tenantConnectionLimit(env, tenant.size, "agenta"),
                },
                child,
            );
            databases.push(database);
            const storage = tenantBuckets(
                `${id}-agenta`,
                {
                    tenantId: id,
                    app: "agenta",
                    purposes: ["agentaFiles"],
                    bucketPrefix: env.bucketPrefix,
                    objectStore: args.objectStore,
                    protect,
                    expire: { agentaFiles: { days: tenant.retention.artifactDays } },
                    secretKey: secrets.password("object-store", 40),
                    versioning,
                },
                child,
            );
            const agenta = new Agenta(`${id}-agenta`, { ctx, database, storage, secrets, exposed: !sso }, child);
            // The api authenticates API-key clients itself; its sign-in routes (/api/auth) stay behind the gate.
            const gate = this.publish(ctx, sso, "agenta", "agenta-edge", AGENTA_EDGE_PORT, AGENTA_HTTP_LIMITS, { skipAuthRoutes: [prefixExcept("/api/", ["auth"])], cookieSecret: secrets.password("sso-cookie") });
            results.push({ ...agenta.result, steady: [...agenta.result.steady, ...gate] });
            this.outputs["agenta"] = agenta.result.outputs;
        }

        tenantMonitoring(ctx, this.tenantNamespace, child);
        const backups = new TenantBackups(`${id}-backups`, { ctx, objectStore: args.objectStore, databases, clickhouse: tenantClickhouse, protect }, child);
        results.push({ steady: [], jobs: backups.jobs, outputs: {} });
        this.outputs["backupBucket"] = backups.bucket;

        const steady = results.flatMap((r) => r.steady);
        // The largest pod in each dimension on its own: a surge pod may be the biggest in CPU or in memory.
        const perPod = steady.filter((f) => f.pods > 0);
        const max = (dim: "cpuRequestMillis" | "memoryRequestBytes" | "cpuLimitMillis" | "memoryLimitBytes") => Math.max(0, ...perPod.map((f) => f[dim] / f.pods));
        const largest: Footprint = { cpuRequestMillis: max("cpuRequestMillis"), memoryRequestBytes: max("memoryRequestBytes"), cpuLimitMillis: max("cpuLimitMillis"), memoryLimitBytes: max("memoryLimitBytes"), pods: 1 };
        const labels = standardLabels({ app: "workspace", tenant: id, environment: env.name });
        new k8s.core.v1.ResourceQuota(
            `${id}-quota`,
            { metadata: { name: "tenant-quota", namespace: ctx.namespace.output, labels }, spec: { hard: quotaFor(sumFootprints(steady), largest, sumFootprints(results.flatMap((r) => r.jobs))) } },
            child,
        );
        const limits = limitRangeFor(tenant.size, env.clickhouse.size ?? tenant.size);
        new k8s.core.v1.LimitRange(
            `${id}-limits`,
            { metadata: { name: "tenant-limits", namespace: ctx.namespace.output, labels }, spec: { limits: [{ type: "Container", ...limits }] } },
            child,
        );
        this.registerOutputs({});
    }

    /**
     * Makes an app reachable at its public host: through an SSO gate when the environment has SSO
     * (then only the gate is exposed), directly otherwise. Returns the gate's footprint.
     */
    private publish(
        ctx: AppContext,
        sso: TenantSso | undefined,
        app: string,
        service: string,
        port: number,
        limits: HttpLimits,
        gateOpts: { skipAuthRoutes?: string[]; basicAuthUsers?: pulumi.Output<string>; cookieSecret: pulumi.Output<string> },
    ): Footprint[] {
        const { env, tenant } = ctx;
        // An offboarding or retired tenant is not reachable: no ingress, no gate, no client in the IdP.
        if (!ctx.running) return [];
        const labels = appLabels(ctx, app);
        let target = { service, port };
        let annotations: Record<string, string> | undefined;
        const footprints: Footprint[] = [];
        if (sso && env.sso.enabled) {
            const client = sso.application(app, publicUrl(ctx, app), GATE_CALLBACK_PATH);
            const gate = new SsoGate(
                `${tenant.id}-${app}-sso-gate`,
                {
                    ctx,
                    app,
                    upstream: `http://${internalHost(ctx, service)}:${port}/`,
                    issuer: env.sso.issuer,
                    clientId: client.applicationId,
                    clientSecret: client.clientSecret,
                    organizationId: sso.organizationId,
                    limits,
                    ...gateOpts,
                },
                { parent: this },
            );
            target = { service: gate.serviceName, port: GATE_PORT };
            annotations = GATE_INGRESS_ANNOTATIONS;
            footprints.push(gate.footprint);
        }
        appIngress(`${tenant.id}-${app}-ingress`, { name: app, namespace: ctx.namespace, labels, env, host: publicHost(ctx, app), service: target.service, port: target.port, limits, annotations }, { parent: this });
        return footprints;
    }
}
