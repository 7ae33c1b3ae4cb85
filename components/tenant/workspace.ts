import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { type AppModule, type SharedRedisEndpoint, type TraceSink, tenantConnectionLimit } from "../apps/app";
import { type AppContext, type AppResult, appLabels, internalHost, publicHost, publicUrl } from "../apps/context";
import { APP_MODULES, type AppName } from "../apps/registry";
import { TenantBackups } from "../backup/tenant-backups";
import type { ClickHouseEndpoint } from "../data/clickhouse/clickhouse";
import { type ObjectStoreServer, bucketVersioning, tenantBuckets } from "../data/objectstore/tenant-buckets";
import { type PostgresServer, type TenantDatabases, tenantDatabases } from "../data/postgres/tenant-databases";
import { POSTGRES_CA_CONFIGMAP, caConfigMapData } from "../data/postgres/tls";
import type { RedisUser } from "../data/redis/redis";
import type { Environment } from "../environment/environment";
import { appIngress } from "../kube/ingress";
import { allowEgressTo, allowIngressFrom, namespacePeer, originPort, tcp } from "../kube/network";
import { type Footprint, sumFootprints } from "../kube/resources";
import type { PriorityTier } from "../kube/scheduling";
import { tenantMonitoring } from "../monitoring/tenant-monitoring";
import { LABELS, TENANT_WORKSPACE_TYPE, standardLabels } from "../naming/labels";
import { SecretSeed } from "../secrets/seed";
import { GATE_CALLBACK_PATH, GATE_INGRESS_ANNOTATIONS, GATE_PORT, SsoGate } from "../sso/gate";
import { prefixExcept } from "../sso/routes";
import { TenantSso } from "../sso/tenant-sso";
import { type Tenant, isRunning } from "../tenancy/tenant";
import { TRACE_GATEWAY } from "../tracing/gateway";
import { KongTracing } from "../tracing/kong-resources";
import { appImages } from "../versions/images";
import { limitRangeFor } from "./limits";
import { quotaFor } from "./quota";
import { TenantNamespace } from "./tenant-namespace";

export interface TenantWorkspaceArgs {
    readonly profile: Environment;
    readonly tenant: Tenant;
    readonly postgres: PostgresServer;
    readonly objectStore: ObjectStoreServer;
    readonly sharedRedis: SharedRedisEndpoint;
    /** Where Kong sends this tenant's spans (the environment's trace gateway). */
    readonly tracesUrl: string;
    /** The environment's PriorityClass names. @default none: pods get the cluster's default priority */
    readonly priorityClasses?: Readonly<Record<PriorityTier, pulumi.Input<string>>>;
}

/**
 * One tenant's workspace: its namespace and, for each app it enabled (the modules of
 * `apps/registry.ts`), the app plane and that app's own principals in the shared data services (a
 * Postgres role and databases, buckets and an object-store user, a Redis user confined to its
 * prefix), published at the app's public host. Credentials are generated per tenant and app;
 * none is shared with another principal.
 */
export class TenantWorkspace extends pulumi.ComponentResource {
    /** Users this tenant needs in the shared Redis (its ACL file is declared once per environment). */
    readonly sharedRedisUsers: RedisUser[] = [];
    /** Stack outputs per app, plus the SSO organization and the backup bucket. */
    readonly outputs: Record<string, pulumi.Input<unknown>> = {};
    readonly tenantNamespace: TenantNamespace;
    /** Where the trace gateway delivers this tenant's spans, when one of its apps takes them. */
    readonly traceSink?: TraceSink;

    constructor(name: string, args: TenantWorkspaceArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super(TENANT_WORKSPACE_TYPE, name, {}, opts);
        const { profile: profile, tenant } = args;
        const id = tenant.id;
        const child = { parent: this };
        this.tenantNamespace = new TenantNamespace(id, { profile: profile, tenant, priorityClasses: args.priorityClasses }, child);
        const ctx: AppContext = {
            profile: profile,
            tenant,
            namespace: this.tenantNamespace.namespace,
            images: appImages(tenant.channel),
            running: isRunning(tenant),
        };
        const results: AppResult[] = [];
        const databases: TenantDatabases[] = [];
        let clickhouse: ClickHouseEndpoint | undefined;
        const protect = profile.protectState;
        const versioning = bucketVersioning(profile.backups);
        const sso = profile.sso.enabled ? new TenantSso(`${id}-sso`, { profile: profile, sso: profile.sso, tenant }, child) : undefined;
        if (sso) this.outputs["sso"] = { organizationId: sso.organizationId, pendingAdmins: sso.pendingAdmins };
        // The CA the apps verify Postgres with, when the stack config gives it as PEM.
        const caData = caConfigMapData(args.postgres.tls);
        if (caData) {
            new k8s.core.v1.ConfigMap(
                `${id}-postgres-ca`,
                {
                    metadata: {
                        name: POSTGRES_CA_CONFIGMAP,
                        namespace: ctx.namespace.output,
                        labels: standardLabels({ app: "workspace", tenant: id, environment: profile.name }),
                    },
                    data: caData,
                },
                child,
            );
        }

        const apps = APP_MODULES.filter((app) => tenant.apps[app.name]);
        const enabled: { module: AppModule<AppName>; connectionLimit: number }[] = [];
        for (const app of apps) {
            const secrets = new SecretSeed(`${id}-${app.name}-secrets`, { protect }, child);
            const connectionLimit = tenantConnectionLimit(app, profile, tenant.size);
            enabled.push({ module: app, connectionLimit });
            const database = tenantDatabases(
                `${id}-${app.name}`,
                {
                    tenantId: id,
                    app: app.name,
                    suffixes: app.databases,
                    postgres: args.postgres,
                    protect,
                    password: secrets.password("postgres"),
                    connectionLimit,
                },
                child,
            );
            databases.push(database);
            // An app without buckets gets no object-store user either (a policy must name at least one bucket).
            const storage =
                app.buckets.purposes.length === 0
                    ? undefined
                    : tenantBuckets(
                          `${id}-${app.name}`,
                          {
                              tenantId: id,
                              app: app.name,
                              purposes: app.buckets.purposes,
                              bucketPrefix: profile.bucketPrefix,
                              objectStore: args.objectStore,
                              protect,
                              expire: app.buckets.expire?.(tenant.retention),
                              neverExpire: app.buckets.neverExpire,
                              secretKey: secrets.password("object-store", 40),
                              versioning,
                          },
                          child,
                      );
            const exposure = app.exposure;
            // An app that signs users in itself gets its OIDC client in the tenant's organization.
            const oidcApp =
                sso && profile.sso.enabled && exposure.sso === "oidc"
                    ? sso.application(app.name, publicUrl(ctx, app.name), exposure.callbackPath)
                    : undefined;
            const declared = app.declare({
                ctx,
                secrets,
                database,
                storage,
                objectStore: args.objectStore,
                sharedRedis: args.sharedRedis,
                oidc:
                    oidcApp && profile.sso.enabled
                        ? { issuer: profile.sso.issuer, clientId: oidcApp.applicationId, clientSecret: oidcApp.clientSecret }
                        : undefined,
                gated: sso !== undefined && exposure.sso === "gate",
                protect,
                parent: this,
            });
            for (const user of declared.sharedRedisUsers ?? [])
                this.sharedRedisUsers.push({
                    name: user.name,
                    password: user.password,
                    access: { kind: "prefix", prefix: user.keyPrefix },
                });
            if (declared.clickhouse) clickhouse = declared.clickhouse;
            if (declared.traceSink) {
                this.traceSink = declared.traceSink;
                // The trace gateway delivers each tenant's spans to the app that takes them.
                this.tenantNamespace.policy(
                    "allow-trace-gateway",
                    allowIngressFrom(
                        declared.traceSink.podLabels,
                        [namespacePeer(profile.platformNamespace, { [LABELS.app]: TRACE_GATEWAY })],
                        tcp(declared.traceSink.port),
                    ),
                );
            }
            // With in-cluster MinIO, the object store's public origin is the ingress controller.
            if (app.callsPublicObjectStore && profile.objectStore.mode === "in-cluster") {
                this.tenantNamespace.policy(
                    `allow-${app.name}-to-public-object-store`,
                    allowEgressTo(
                        [namespacePeer(profile.ingress.controllerNamespace)],
                        tcp(originPort(profile.objectStore.publicEndpoint)),
                        { [LABELS.app]: app.name },
                    ),
                );
            }
            if (app.takesTraces && tenant.kong && ctx.running)
                new KongTracing(`${id}-kong`, { profile: profile, tenant, tracesUrl: args.tracesUrl }, child);
            const gate = this.publish(
                ctx,
                sso,
                app,
                { parent: declared.ingressParent ?? this },
                { basicAuthUsers: declared.gateBasicAuthUsers, cookieSecret: secrets.password("sso-cookie") },
            );
            results.push({
                steady: [...declared.steady, ...(declared.extraSteady ?? []), ...gate],
                jobs: declared.jobs,
                outputs: declared.outputs,
            });
            this.outputs[app.name] = declared.outputs;
        }

        tenantMonitoring(
            {
                ctx,
                monitoring: profile.monitoring,
                platformNamespace: profile.platformNamespace,
                apps: enabled,
                postgresExporter: profile.postgres.mode === "in-cluster",
                policy: (n, spec) => this.tenantNamespace.policy(n, spec),
            },
            child,
        );
        const backups = new TenantBackups(
            `${id}-backups`,
            {
                ctx,
                objectStore: args.objectStore,
                bucketPrefix: profile.bucketPrefix,
                backups: profile.backups,
                postgresInCluster: profile.postgres.mode === "in-cluster",
                databases,
                clickhouse,
                protect,
            },
            child,
        );
        results.push({ steady: [], jobs: backups.jobs, outputs: {} });
        this.outputs["backupBucket"] = backups.bucket;
        const steady = results.flatMap((r) => r.steady);
        // The largest pod in each dimension on its own: a surge pod may be the biggest in CPU or in memory.
        const perPod = steady.filter((f) => f.pods > 0);
        const max = (dim: "cpuRequestMillis" | "memoryRequestBytes" | "cpuLimitMillis" | "memoryLimitBytes") =>
            Math.max(0, ...perPod.map((f) => f[dim] / f.pods));
        const largest: Footprint = {
            cpuRequestMillis: max("cpuRequestMillis"),
            memoryRequestBytes: max("memoryRequestBytes"),
            cpuLimitMillis: max("cpuLimitMillis"),
            memoryLimitBytes: max("memoryLimitBytes"),
            pods: 1,
        };
        const labels = standardLabels({ app: "workspace", tenant: id, environment: profile.name });
        new k8s.core.v1.ResourceQuota(
            `${id}-quota`,
            {
                metadata: { name: "tenant-quota", namespace: ctx.namespace.output, labels },
                spec: { hard: quotaFor(sumFootprints(steady), largest, sumFootprints(results.flatMap((r) => r.jobs))) },
            },
            child,
        );
        const limits = limitRangeFor(tenant.size, profile.clickhouse.size ?? tenant.size);
        new k8s.core.v1.LimitRange(
            `${id}-limits`,
            {
                metadata: { name: "tenant-limits", namespace: ctx.namespace.output, labels },
                spec: { limits: [{ type: "Container", ...limits }] },
            },
            child,
        );
        this.registerOutputs(this.outputs);
    }

    /**
     * Makes an app reachable at its public host as its exposure says: through an SSO gate when the
     * environment has SSO and the app is gated (then only the gate is exposed), directly otherwise.
     * Returns the gate's footprint.
     */
    private publish(
        ctx: AppContext,
        sso: TenantSso | undefined,
        app: AppModule,
        opts: pulumi.CustomResourceOptions,
        gateOpts: { basicAuthUsers?: pulumi.Output<string>; cookieSecret: pulumi.Output<string> },
    ): Footprint[] {
        const { profile, tenant } = ctx;
        // An offboarding or retired tenant is not reachable: no ingress, no gate, no client in the IdP.
        if (!ctx.running) return [];
        const exposure = app.exposure;
        let target = { service: exposure.service, port: exposure.port };
        let annotations: Record<string, string> | undefined;
        const footprints: Footprint[] = [];
        if (sso && exposure.sso === "gate") {
            const client = sso.application(app.name, publicUrl(ctx, app.name), GATE_CALLBACK_PATH);
            const gate = new SsoGate(
                `${tenant.id}-${app.name}-sso-gate`,
                {
                    ctx,
                    app: app.name,
                    upstream: `http://${internalHost(ctx, exposure.service)}:${exposure.port}/`,
                    issuer: sso.issuer,
                    clientId: client.applicationId,
                    clientSecret: client.clientSecret,
                    organizationId: sso.organizationId,
                    limits: exposure.limits,
                    skipAuthRoutes: exposure.skipAuthRoutes?.map((r) => prefixExcept(r.prefix, r.except)),
                    ...gateOpts,
                },
                { parent: this },
            );
            target = { service: gate.serviceName, port: GATE_PORT };
            annotations = GATE_INGRESS_ANNOTATIONS;
            footprints.push(gate.footprint);
        }
        appIngress(
            `${tenant.id}-${app.name}-ingress`,
            {
                name: app.name,
                namespace: ctx.namespace,
                labels: appLabels(ctx, app.name, exposure.component),
                ingress: profile.ingress,
                host: publicHost(ctx, app.name),
                service: target.service,
                port: target.port,
                limits: exposure.limits,
                annotations,
            },
            opts,
        );
        return footprints;
    }
}
