import * as pulumi from "@pulumi/pulumi";
import { type Tenant, isRunning } from "../tenancy/tenant";
import { ObjectStore } from "../data/objectstore/object-store";
import { Postgres } from "../data/postgres/postgres";
import { ExternalRedisUsers } from "../data/redis/external-users";
import { Redis, type RedisUser } from "../data/redis/redis";
import type { Environment } from "../environment/environment";
import { serviceHost } from "../kube/namespace";
import type { SharedRedisEndpoint } from "../apps/app";
import { TenantWorkspace } from "../tenant/workspace";
import { type GatewayTenant, TraceGateway, gatewayTracesUrl } from "../tracing/gateway";
import { deckDocument } from "../tracing/kong";
import { stringify } from "yaml";
import { PlatformNamespace } from "./platform-namespace";
import { platformMonitoring } from "../monitoring/platform-monitoring";
import { DATA_SERVICE_PORTS } from "../data/ports";
import { priorityClasses as declarePriorityClasses } from "../kube/priority";
import { mergeCollisions } from "../kube/scheduling";
import { standardLabels } from "../naming/labels";
import { ValidationError } from "../validation/problems";

export interface PlatformArgs {
    readonly profile: Environment;
    readonly tenants: readonly Tenant[];
}

/** Let the runtime register one tenant's resources before the next is declared. */
function nextTurn(): Promise<void> {
    return new Promise((resolve) => setImmediate(resolve));
}

/**
 * The whole environment: the shared data plane in the platform namespace, and one workspace per
 * tenant over it. Built with {@link Platform.create}: tenants are declared one after another,
 * yielding between them, so the runtime registers each tenant's resources before the next is
 * declared and memory stays bounded by one tenant, not by all of them at once.
 */
export class Platform extends pulumi.ComponentResource {
    outputs: Record<string, pulumi.Input<unknown>> = {};

    static async create(name: string, args: PlatformArgs, opts: pulumi.ComponentResourceOptions = {}): Promise<Platform> {
        const platform = new Platform(name, opts);
        await platform.declare(name, args);
        return platform;
    }

    private constructor(name: string, opts: pulumi.ComponentResourceOptions) {
        super("llmops:platform:Platform", name, {}, opts);
    }

    private async declare(name: string, args: PlatformArgs): Promise<void> {
        const { profile: profile, tenants } = args;
        const child = { parent: this };

        // Cluster-wide, named with the stack's prefix; pods name them, so they are declared first.
        const priorityClasses = declarePriorityClasses(
            profile.namespacePrefix,
            standardLabels({ app: "scheduling", environment: profile.name }),
            child,
        );
        const platformNs = new PlatformNamespace(`${name}-platform`, { profile: profile, priorityClasses }, child);
        const dataServiceArgs = {
            environment: profile.name,
            protect: profile.protectState,
            metrics: profile.monitoring !== undefined,
            storageClass: profile.storageClass,
        };
        const postgres = new Postgres(
            `${name}-postgres`,
            { settings: profile.postgres, namespace: platformNs.namespace, ...dataServiceArgs },
            child,
        );
        const objectStore = new ObjectStore(
            `${name}-object-store`,
            { settings: profile.objectStore, namespace: platformNs.namespace, ingress: profile.ingress, ...dataServiceArgs },
            child,
        );

        const sharedRedis: SharedRedisEndpoint =
            profile.redis.mode === "in-cluster"
                ? { host: serviceHost("redis", profile.platformNamespace), port: DATA_SERVICE_PORTS.redis, tls: false }
                : { host: profile.redis.host, port: profile.redis.port, tls: profile.redis.tls };
        const tracesUrl = gatewayTracesUrl(profile.platformNamespace);
        const workspaces: TenantWorkspace[] = [];
        for (const tenant of tenants) {
            workspaces.push(
                new TenantWorkspace(
                    tenant.id,
                    { profile: profile, tenant, postgres, objectStore, sharedRedis, tracesUrl, priorityClasses },
                    child,
                ),
            );
            await nextTurn();
        }
        // Only running tenants get a route through the gateway (an offboarding tenant's apps are scaled to zero).
        const gatewayTenants: GatewayTenant[] = workspaces.flatMap((w, i) =>
            w.traceSink && isRunning(tenants[i]!)
                ? [
                      {
                          tenantId: tenants[i]!.id,
                          tracesEndpoint: w.traceSink.endpoint,
                          publicKey: w.traceSink.publicKey,
                          secretKey: w.traceSink.secretKey,
                      },
                  ]
                : [],
        );
        new TraceGateway(`${name}-trace-gateway`, { profile: profile, namespace: platformNs.namespace, tenants: gatewayTenants }, child);
        platformNs.allowTraceGateway(profile);
        platformMonitoring(profile, platformNs, child);
        const redisUsers: RedisUser[] = workspaces.flatMap((w) => w.sharedRedisUsers);
        const redisLabels = { app: "redis", environment: profile.name };
        if (profile.redis.mode === "in-cluster") {
            new Redis(
                `${name}-redis`,
                {
                    serviceName: "redis",
                    namespace: platformNs.namespace,
                    labels: redisLabels,
                    size: profile.redis.size,
                    storage: profile.redis.storage,
                    storageClass: profile.storageClass,
                    evictionPolicy: "noeviction",
                    users: redisUsers,
                    hotReloadUsers: true,
                    protect: profile.protectState,
                },
                child,
            );
        } else {
            new ExternalRedisUsers(
                `${name}-redis-users`,
                { settings: profile.redis, namespace: platformNs.namespace, labels: redisLabels, users: redisUsers },
                child,
            );
        }

        // Stack settings refused while declaring (an app override naming what the platform sets), all at once.
        const refused = [platformNs.namespace, ...workspaces.map((w) => w.tenantNamespace.namespace)].flatMap(
            (ns) => ns.scheduling?.problems ?? [],
        );
        if (refused.length) throw new ValidationError(`stack config of \`${profile.stack}\``, mergeCollisions(refused));

        this.outputs = {
            environment: profile.name,
            platformNamespace: platformNs.namespace.name,
            postgresHost: postgres.host,
            objectStoreEndpoint: objectStore.endpoint,
            tenants: Object.fromEntries(workspaces.map((w, i) => [tenants[i]!.id, w.outputs])),
            traceGatewayUrl: tracesUrl,
            // For Kong outside Kubernetes: `pulumi stack output kongDeck > kong.yaml && deck gateway sync kong.yaml`.
            kongDeck: stringify(
                deckDocument({
                    stack: profile.stack,
                    environment: profile.name,
                    tracesEndpoint: tracesUrl,
                    tenants: tenants.filter(isRunning),
                }),
                { lineWidth: 0 },
            ),
        };
        this.registerOutputs(this.outputs);
    }
}
