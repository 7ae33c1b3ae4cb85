import type * as pulumi from "@pulumi/pulumi";
import type { ClickHouseEndpoint } from "../data/clickhouse/clickhouse";
import type { ObjectStoreServer, TenantBuckets } from "../data/objectstore/tenant-buckets";
import type { PoolClient, PoolInputs } from "../data/postgres/pools";
import type { TenantDatabases } from "../data/postgres/tenant-databases";
import type { Environment } from "../environment/environment";
import { autoscalingMax } from "../environment/scheduling";
import type { HttpLimits } from "../kube/ingress";
import type { Footprint } from "../kube/resources";
import type { BucketPurpose } from "../naming/names";
import type { SecretSeed } from "../secrets/seed";
import type { Size } from "../sizing/size";
import type { AppContext, AppResult, AppTenant } from "./context";

/** Where tenants reach the environment's shared Redis. */
export interface SharedRedisEndpoint {
    readonly host: string;
    readonly port: number;
    readonly tls: boolean;
}

/** A user an app needs in the environment's shared Redis, confined to its key prefix. */
export interface SharedRedisGrant {
    readonly name: string;
    readonly password: pulumi.Output<string>;
    readonly keyPrefix: string;
}

/** An OIDC client of the tenant's organization in the environment's identity provider. */
export interface OidcClient {
    readonly issuer: string;
    readonly clientId: pulumi.Input<string>;
    readonly clientSecret: pulumi.Input<string>;
}

/** A path prefix that skips the SSO gate, except for some segments under it (the app authenticates it itself). */
export interface SkipAuthRoute {
    /** Starts and ends with `/`, e.g. `/api/`. */
    readonly prefix: string;
    /** Segments under the prefix that stay behind the gate, e.g. `auth`. */
    readonly except: readonly string[];
}

/**
 * How an app is reached at its public host. With SSO, an app either signs users in itself through
 * its own OIDC client (`oidc`), or sits behind an SSO gate (`gate`); without SSO its Service is
 * published directly either way.
 */
export type Exposure = {
    /** The Service and port the Ingress (or the gate) sends requests to. */
    readonly service: string;
    readonly port: number;
    /** Body size and timeout at every hop in front of the app. */
    readonly limits: HttpLimits;
    /** The `component` label of the app's Ingress. @default none: the app's own label only */
    readonly component?: string;
} & (
    | {
          readonly sso: "oidc";
          /** The OIDC redirect path under the app's public URL. */
          readonly callbackPath: string;
      }
    | {
          readonly sso: "gate";
          /** Requests the gate lets through unauthenticated. @default none */
          readonly skipAuthRoutes?: readonly SkipAuthRoute[];
      }
);

/** The buckets an app owns, and how long their objects live. */
export interface AppBuckets {
    readonly purposes: readonly BucketPurpose[];
    /** Buckets whose objects expire, from the tenant's retention. @default none expire */
    expire?(retention: AppTenant["retention"]): Partial<Record<BucketPurpose, { readonly days: number; readonly prefix?: string }>>;
    /** Buckets other records link to: never a lifecycle rule, not even for old versions. @default none */
    readonly neverExpire?: readonly BucketPurpose[];
}

/** Metrics the environment's Prometheus scrapes from an app (a ServiceMonitor on one Service port). */
export interface AppMetrics {
    /** The ServiceMonitor's name and the Service's `component` label. */
    readonly name: string;
    readonly component: string;
    /** The Service port's name, and its number (for the network policy admitting Prometheus). */
    readonly portName: string;
    readonly port: number;
}

/** What the tenant workspace gives an app: its context, its principals in the shared data services, and its secrets. */
export interface AppDeps {
    readonly ctx: AppContext;
    /** The app's keys, generated once per tenant and app. */
    readonly secrets: SecretSeed;
    readonly database: TenantDatabases;
    /** The app's buckets and object-store user. @default none: the app lists no buckets */
    readonly storage?: TenantBuckets;
    readonly objectStore: ObjectStoreServer;
    readonly sharedRedis: SharedRedisEndpoint;
    /**
     * The app's OIDC client, for apps whose exposure is `oidc` in an environment with SSO.
     * @default none: the app keeps its own sign-in (Langfuse then enables username/password login)
     */
    readonly oidc?: OidcClient;
    /** Whether an SSO gate fronts the app (then only the gate is exposed). */
    readonly gated: boolean;
    /** Protect the app's state (volumes, keys) from deletion. */
    readonly protect: boolean;
    /** The tenant workspace: parent of what the app declares besides its own component. */
    readonly parent: pulumi.Resource;
}

/** An app that takes the tenant's gateway traces: where the trace gateway delivers them, with which key pair. */
export interface TraceSink {
    /** Labels of the pods that take them, for the network policy admitting the gateway. */
    readonly podLabels: Record<string, string>;
    readonly port: number;
    /** The in-cluster OTLP/HTTP traces URL. */
    readonly endpoint: string;
    /** The Basic auth key pair the gateway presents. */
    readonly publicKey: pulumi.Output<string>;
    readonly secretKey: pulumi.Output<string>;
}

/** What a declared app hands back to its tenant workspace. */
export interface DeclaredApp extends AppResult {
    /** The parent of the app's Ingress, where an existing deployment has it elsewhere (a new parent would be a new URN). @default the tenant workspace */
    readonly ingressParent?: pulumi.Resource;
    /** Machine users the SSO gate admits with HTTP Basic (htpasswd lines). @default none */
    readonly gateBasicAuthUsers?: pulumi.Output<string>;
    /** Users the app needs in the shared Redis. @default none */
    readonly sharedRedisUsers?: readonly SharedRedisGrant[];
    /**
     * Where the trace gateway delivers this tenant's spans, for apps that take them.
     * @default none: the app takes no gateway traces, and no network policy admits the gateway
     */
    readonly traceSink?: TraceSink;
    /** The app's own ClickHouse, for the tenant's backups. @default none: the tenant's backups have no ClickHouse step */
    readonly clickhouse?: ClickHouseEndpoint;
    /** Pods besides the app component's (its own data services), for the tenant's quota. @default none */
    readonly extraSteady?: readonly Footprint[];
}

/**
 * One app of a tenant's plane. The tenant workspace loops over the modules of the apps a tenant
 * enabled: it creates each app's secrets, database role and databases, buckets and object-store
 * user from what the module states, calls {@link declare}, and publishes the app as
 * {@link exposure} says.
 */
export interface AppModule<Name extends string = string> {
    /** The app's name: tenant file key, labels, role and user names, public host (`{app}`). */
    readonly name: Name;
    /** The app's name in prose and alert names, e.g. `Langfuse`. */
    readonly title: string;
    /** What the app is for, in the tenant file's schema. */
    readonly description: string;
    /** Whether a tenant file that does not mention the app gets it; `false` rolls a new app out tenant by tenant. @default true */
    readonly enabledByDefault?: boolean;
    /** The app's Postgres databases, by suffix (`<tenant>_<suffix>`). */
    readonly databases: readonly string[];
    readonly buckets: AppBuckets;
    readonly exposure: Exposure;
    /** Whether the app takes the tenant's gateway traces (Kong forwards to it). @default false */
    readonly takesTraces?: boolean;
    /** Whether the app's servers call the object store's public origin themselves, not only hand out URLs signed for it. @default false */
    readonly callsPublicObjectStore?: boolean;
    /** What Prometheus scrapes, when the environment runs it. @default nothing */
    readonly metrics?: readonly AppMetrics[];
    /** Everything that connects to Postgres as the app's role, for its connection limit. */
    poolClients(inputs: PoolInputs): PoolClient[];
    /** Declares the app plane. */
    declare(deps: AppDeps): DeclaredApp;
}

/** The inputs of an app's pool sizes in an environment, for a tenant of this size. */
export function poolInputs(profile: Pick<Environment, "webReplicas" | "autoscaling">, size: Size): PoolInputs {
    return { size, webReplicas: profile.webReplicas, maxReplicas: autoscalingMax(profile, size) };
}

/** The role's connection limit: everything the app's clients may hold at once. */
export function roleConnectionLimit(app: Pick<AppModule, "poolClients">, inputs: PoolInputs): number {
    return app.poolClients(inputs).reduce((sum, c) => sum + c.processes * c.perProcess, 0);
}

/** The connection limit of a tenant app's role in an environment: everything its sized pools may hold at once. */
export function tenantConnectionLimit(
    app: Pick<AppModule, "poolClients">,
    profile: Pick<Environment, "webReplicas" | "autoscaling">,
    size: Size,
): number {
    return roleConnectionLimit(app, poolInputs(profile, size));
}

/** The buckets of an app that lists some; a clear error for one that lists none. */
export function storageOf(deps: Pick<AppDeps, "storage" | "ctx">, app: string): TenantBuckets {
    if (!deps.storage)
        throw new Error(`${deps.ctx.tenant.id}-${app}: the app uses buckets but its module lists none in \`buckets.purposes\``);
    return deps.storage;
}
