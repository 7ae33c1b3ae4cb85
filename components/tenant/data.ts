import type * as k8s from "@pulumi/kubernetes";
import * as minio from "@pulumi/minio";
import * as postgresql from "@pulumi/postgresql";
import * as pulumi from "@pulumi/pulumi";
import type { ObjectStore } from "../data/objectstore/object-store";
import type { Postgres } from "../data/postgres/postgres";
import { type PostgresClient, caMounts, caVolumes, tlsEnv, tlsQuery } from "../data/postgres/tls";
import type { Environment } from "../environment/environment";
import type { Size } from "../environment/schema";
import { type PoolInputs, roleConnectionLimit } from "../data/postgres/pools";
import { AGENTA_API_WORKERS } from "../apps/agenta/env";
import { mlflowWorkers } from "../apps/mlflow/env";
import { statefulOptions } from "../kube/options";
import { MAX_REPLICAS } from "../sizing/profiles";
import { type AppName, type BucketPurpose, type ObjectStorePrincipal, bucketName, objectStoreUser, pgDatabase, pgRole } from "../naming/names";
import { bucketPolicy, postgresUrl } from "./urls";

/** The inputs of an app's pool sizes in this environment, for a tenant of this size. */
export function poolInputs(env: Pick<Environment, "webReplicas" | "autoscaling">, size: Size): PoolInputs {
    return { size, webReplicas: env.webReplicas, mlflowWorkers: mlflowWorkers(size), agentaApiWorkers: AGENTA_API_WORKERS, maxReplicas: env.autoscaling ? MAX_REPLICAS[size] : undefined };
}

/** The connection limit of a tenant app's role: everything its sized pools may hold at once. */
export function tenantConnectionLimit(env: Pick<Environment, "webReplicas" | "autoscaling">, size: Size, app: AppName): number {
    return roleConnectionLimit(app, poolInputs(env, size));
}

export interface TenantDatabases {
    readonly app: AppName;
    readonly role: string;
    readonly password: pulumi.Output<string>;
    /** Database names by suffix, e.g. `agenta_core` -> `acme_agenta_core`. */
    readonly names: Readonly<Record<string, string>>;
    readonly resources: readonly postgresql.Database[];
    /** Connections the role may hold at once (its Postgres connection limit). */
    readonly connectionLimit: number;
    /**
     * A connection URL for one database, for one kind of client: credentials percent-encoded, TLS
     * in that client's spelling, plus `params` (a pool size).
     */
    url(suffix: string, client: PostgresClient, params?: Readonly<Record<string, string>>): pulumi.Output<string>;
    /** What a client container needs beside the URL: the CA volume and mount, and environment. */
    client(client: PostgresClient): { env: Record<string, string>; volumes: k8s.types.input.core.v1.Volume[]; volumeMounts: k8s.types.input.core.v1.VolumeMount[] };
}

/**
 * A tenant app's Postgres login role (never superuser, createdb or createrole) and the databases
 * it owns, with CONNECT revoked from PUBLIC so no other role can even connect.
 */
export function tenantDatabases(
    name: string,
    args: { tenantId: string; app: AppName; suffixes: readonly string[]; postgres: Postgres; protect: boolean; password: pulumi.Output<string>; connectionLimit: number },
    opts: { parent: pulumi.Resource },
): TenantDatabases {
    const provider = args.postgres.provider;
    const role = pgRole(args.tenantId, args.app);
    const password = { result: args.password };
    const roleResource = new postgresql.Role(
        `${name}-pg-role`,
        {
            name: role,
            login: true,
            password: password.result,
            superuser: false,
            createDatabase: false,
            createRole: false,
            replication: false,
            bypassRowLevelSecurity: false,
            inherit: true,
            connectionLimit: args.connectionLimit,
        },
        statefulOptions(args.protect, { parent: opts.parent, provider }),
    );
    const names: Record<string, string> = {};
    const resources: postgresql.Database[] = [];
    for (const suffix of args.suffixes) {
        const dbName = pgDatabase(args.tenantId, suffix);
        names[suffix] = dbName;
        const db = new postgresql.Database(
            `${name}-pg-${suffix}`,
            { name: dbName, owner: roleResource.name, encoding: "UTF8", template: "template0", allowConnections: true },
            statefulOptions(args.protect, { parent: opts.parent, provider }),
        );
        new postgresql.Grant(
            `${name}-pg-${suffix}-revoke-public`,
            { database: db.name, role: "public", objectType: "database", privileges: [] },
            { parent: opts.parent, provider },
        );
        resources.push(db);
    }
    const host = args.postgres.host;
    const port = args.postgres.port;
    const tls = args.postgres.tls;
    return {
        app: args.app,
        role,
        password: password.result,
        names,
        resources,
        connectionLimit: args.connectionLimit,
        client: (client) => ({ env: tlsEnv(client, tls), volumes: caVolumes(tls), volumeMounts: caMounts(tls) }),
        url: (suffix, client, params) => {
            const database = names[suffix];
            if (!database) throw new Error(`${name}: no database \`${suffix}\`; have ${Object.keys(names).join(", ")}`);
            // Waits for the database itself, so nothing connects before it exists.
            return pulumi
                .all([password.result, resources[args.suffixes.indexOf(suffix)]!.name])
                .apply(([pw]) => postgresUrl({ scheme: URL_SCHEMES[client], user: role, password: pw, host, port, database, params: { ...tlsQuery(client, tls), ...params } }));
        },
    };
}

/**
 * URL schemes by client. SQLAlchemy clients name their driver: SQLAlchemy 2.1 maps a bare
 * `postgresql://` to psycopg 3, which the MLflow -full image does not ship (its `db` extra
 * installs psycopg2).
 */
const URL_SCHEMES: Record<PostgresClient, string> = {
    libpq: "postgresql",
    psycopg2: "postgresql+psycopg2",
    asyncpg: "postgresql+asyncpg",
    jdbc: "postgresql",
    prisma: "postgresql",
};

export interface TenantBuckets {
    /** Bucket names by purpose. */
    readonly buckets: Readonly<Partial<Record<BucketPurpose, string>>>;
    readonly resources: readonly minio.S3Bucket[];
    readonly accessKey: string;
    readonly secretKey: pulumi.Output<string>;
    /** In-cluster S3 endpoint the apps' servers use. */
    readonly endpoint: string;
    /** S3 origin browsers and SDKs reach: what presigned URLs handed to them are signed for. */
    readonly publicEndpoint: string;
    readonly region: string;
}

/** Bucket versioning: overwritten and deleted objects stay recoverable this many days. */
export interface BucketVersioning {
    readonly noncurrentDays: number;
}

/** The environment's bucket versioning, or undefined where it is switched off. */
export function bucketVersioning(env: Environment): BucketVersioning | undefined {
    return env.backups.noncurrentVersionDays ? { noncurrentDays: env.backups.noncurrentVersionDays } : undefined;
}

/**
 * A tenant principal's buckets and its own object-store user, whose policy names exactly those
 * buckets. Buckets are never force-destroyed: removing one with objects fails instead. With
 * versioning, every bucket keeps overwritten and deleted objects for `noncurrentDays`.
 */
export function tenantBuckets(
    name: string,
    args: {
        tenantId: string;
        app: ObjectStorePrincipal;
        purposes: readonly BucketPurpose[];
        bucketPrefix: string;
        objectStore: ObjectStore;
        protect: boolean;
        /** Buckets whose objects expire, with the age and the key prefix the rule applies to. */
        expire?: Partial<Record<BucketPurpose, { readonly days: number; readonly prefix?: string }>>;
        /** The object-store user's secret key. */
        secretKey: pulumi.Output<string>;
        versioning?: BucketVersioning;
        /**
         * Buckets that never get a lifecycle rule, not even for noncurrent versions: objects other
         * records link to (Langfuse media, MLflow artifacts and registered models). Their old
         * versions are kept until someone removes them on purpose.
         */
        neverExpire?: readonly BucketPurpose[];
    },
    opts: { parent: pulumi.Resource },
): TenantBuckets {
    const provider = args.objectStore.provider;
    const buckets: Partial<Record<BucketPurpose, string>> = {};
    const resources: minio.S3Bucket[] = [];
    for (const purpose of args.purposes) {
        const bucket = bucketName(args.bucketPrefix, args.tenantId, purpose);
        buckets[purpose] = bucket;
        resources.push(
            new minio.S3Bucket(`${name}-bucket-${purpose}`, { bucket, acl: "private", forceDestroy: false }, statefulOptions(args.protect, { parent: opts.parent, provider })),
        );
    }
    for (const purpose of Object.keys(args.expire ?? {}) as BucketPurpose[]) {
        if (!buckets[purpose]) throw new Error(`${name}: a lifecycle rule names bucket purpose \`${purpose}\`, which this app does not have`);
        if (args.neverExpire?.includes(purpose)) throw new Error(`${name}: bucket purpose \`${purpose}\` must never expire, yet has a lifecycle rule`);
    }
    args.purposes.forEach((purpose, i) => {
        const bucket = buckets[purpose]!;
        const rules: minio.types.input.IlmPolicyRule[] = [];
        const expire = args.expire?.[purpose];
        if (expire) rules.push({ id: `expire-after-${expire.days}-days`, expiration: `${expire.days}d`, status: "Enabled", filter: expire.prefix });
        const after: pulumi.Resource[] = [resources[i]!];
        if (args.versioning) {
            after.push(new minio.S3BucketVersioning(`${name}-versioning-${purpose}`, { bucket, versioningConfiguration: { status: "Enabled" } }, { parent: opts.parent, provider, dependsOn: [resources[i]!] }));
            if (!args.neverExpire?.includes(purpose)) rules.push({ id: `expire-noncurrent-after-${args.versioning.noncurrentDays}-days`, noncurrentVersionExpirationDays: args.versioning.noncurrentDays, status: "Enabled" });
        }
        if (rules.length) new minio.IlmPolicy(`${name}-lifecycle-${purpose}`, { bucket, rules }, { parent: opts.parent, provider, dependsOn: after });
    });
    const user = objectStoreUser(args.tenantId, args.app);
    const iamUser = new minio.IamUser(`${name}-s3-user`, { name: user, secret: args.secretKey, forceDestroy: false }, { parent: opts.parent, provider });
    const policy = new minio.IamPolicy(
        `${name}-s3-policy`,
        { name: `${user}-buckets`, policy: bucketPolicy(Object.values(buckets)) },
        { parent: opts.parent, provider, dependsOn: resources },
    );
    new minio.IamUserPolicyAttachment(`${name}-s3-policy-attachment`, { userName: iamUser.name, policyName: policy.name }, { parent: opts.parent, provider });
    return { buckets, resources, accessKey: user, secretKey: args.secretKey, endpoint: args.objectStore.endpoint, publicEndpoint: args.objectStore.publicEndpoint, region: args.objectStore.region };
}
