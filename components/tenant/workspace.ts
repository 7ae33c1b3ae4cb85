import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { Tenant } from "../../tenants/tenant";
import { Agenta } from "../apps/agenta/agenta";
import { type AppContext, type AppResult, appLabels } from "../apps/context";
import { Langfuse } from "../apps/langfuse/langfuse";
import { Mlflow } from "../apps/mlflow/mlflow";
import { ClickHouse } from "../data/clickhouse/clickhouse";
import { clickhouseServerConfig } from "../data/clickhouse/config";
import type { ObjectStore } from "../data/objectstore/object-store";
import type { Postgres } from "../data/postgres/postgres";
import { Redis, type RedisUser } from "../data/redis/redis";
import type { Environment } from "../environment/environment";
import { type Footprint, footprintOf, sumFootprints } from "../kube/resources";
import { standardLabels } from "../naming/labels";
import { redisKeyPrefix, redisUser } from "../naming/names";
import { APP_WORKLOADS, clickhouseStorage } from "../sizing/profiles";
import { tenantBuckets, tenantDatabases } from "./data";
import { limitRangeFor } from "./limits";
import { quotaFor } from "./quota";
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
        super("llmops:tenant:Workspace", name, {}, opts);
        const { env, tenant } = args;
        const id = tenant.id;
        const child = { parent: this };
        this.tenantNamespace = new TenantNamespace(id, { env, tenant }, child);
        const ctx: AppContext = { env, tenant, namespace: this.tenantNamespace.namespace };
        const results: AppResult[] = [];
        const protect = env.protectState;

        if (tenant.apps.langfuse) {
            const database = tenantDatabases(`${id}-langfuse`, { tenantId: id, app: "langfuse", suffixes: ["langfuse"], postgres: args.postgres, protect }, child);
            const storage = tenantBuckets(
                `${id}-langfuse`,
                { tenantId: id, app: "langfuse", purposes: ["langfuseEvents", "langfuseMedia", "langfuseExports"], bucketPrefix: env.bucketPrefix, objectStore: args.objectStore, protect },
                child,
            );
            const redisPassword = new random.RandomPassword(`${id}-langfuse-redis-password`, { length: 32, special: false }, child);
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
                    },
                    child,
                );
                extraSteady.push(footprintOf(own.containers));
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
                    serverConfig: clickhouseServerConfig({ systemLogDays: SYSTEM_LOG_DAYS }),
                    protect,
                },
                child,
            );
            extraSteady.push(footprintOf([{ resources: clickhouseResources }]));
            this.langfuse = new Langfuse(`${id}-langfuse`, { ctx, database, clickhouse, redis, storage }, child);
            results.push({ ...this.langfuse.result, steady: [...this.langfuse.result.steady, ...extraSteady] });
            this.outputs["langfuse"] = this.langfuse.result.outputs;
        }

        if (tenant.apps.mlflow) {
            const database = tenantDatabases(`${id}-mlflow`, { tenantId: id, app: "mlflow", suffixes: ["mlflow"], postgres: args.postgres, protect }, child);
            const storage = tenantBuckets(
                `${id}-mlflow`,
                { tenantId: id, app: "mlflow", purposes: ["mlflowArtifacts"], bucketPrefix: env.bucketPrefix, objectStore: args.objectStore, protect },
                child,
            );
            this.mlflow = new Mlflow(`${id}-mlflow`, { ctx, database, storage }, child);
            results.push(this.mlflow.result);
            this.outputs["mlflow"] = this.mlflow.result.outputs;
        }

        if (tenant.apps.agenta) {
            const database = tenantDatabases(
                `${id}-agenta`,
                { tenantId: id, app: "agenta", suffixes: ["agenta_core", "agenta_tracing", "agenta_supertokens"], postgres: args.postgres, protect },
                child,
            );
            const storage = tenantBuckets(
                `${id}-agenta`,
                { tenantId: id, app: "agenta", purposes: ["agentaFiles"], bucketPrefix: env.bucketPrefix, objectStore: args.objectStore, protect },
                child,
            );
            const agenta = new Agenta(`${id}-agenta`, { ctx, database, storage }, child);
            results.push(agenta.result);
            this.outputs["agenta"] = agenta.result.outputs;
        }

        const steady = results.flatMap((r) => r.steady);
        const largest = steady.reduce((a, b) => (b.pods && b.cpuRequestMillis / b.pods > a.cpuRequestMillis ? { ...b, cpuRequestMillis: b.cpuRequestMillis / b.pods, memoryRequestBytes: b.memoryRequestBytes / b.pods, cpuLimitMillis: b.cpuLimitMillis / b.pods, memoryLimitBytes: b.memoryLimitBytes / b.pods, pods: 1 } : a), footprintOf([]));
        const labels = standardLabels({ app: "workspace", tenant: id, environment: env.name });
        new k8s.core.v1.ResourceQuota(
            `${id}-quota`,
            { metadata: { name: "tenant-quota", namespace: ctx.namespace.output, labels }, spec: { hard: quotaFor(sumFootprints(steady), largest, sumFootprints(results.flatMap((r) => r.jobs))) } },
            child,
        );
        const limits = limitRangeFor(tenant.size);
        new k8s.core.v1.LimitRange(
            `${id}-limits`,
            { metadata: { name: "tenant-limits", namespace: ctx.namespace.output, labels }, spec: { limits: [{ type: "Container", ...limits }] } },
            child,
        );
        this.registerOutputs({});
    }
}
