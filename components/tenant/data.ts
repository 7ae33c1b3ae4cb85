import * as minio from "@pulumi/minio";
import * as postgresql from "@pulumi/postgresql";
import * as pulumi from "@pulumi/pulumi";
import type { ObjectStore } from "../data/objectstore/object-store";
import type { Postgres } from "../data/postgres/postgres";
import { statefulOptions } from "../kube/options";
import { type AppName, type BucketPurpose, bucketName, objectStoreUser, pgDatabase, pgRole } from "../naming/names";
import { bucketPolicy, postgresUrl } from "./urls";

/** Connections a tenant's app may open to the shared Postgres. */
export const PG_CONNECTION_LIMIT = 60;

export interface TenantDatabases {
    readonly role: string;
    readonly password: pulumi.Output<string>;
    /** Database names by suffix, e.g. `agenta_core` -> `acme_agenta_core`. */
    readonly names: Readonly<Record<string, string>>;
    readonly resources: readonly postgresql.Database[];
    /** A connection URL for one database (credentials percent-encoded). */
    url(suffix: string, scheme?: string): pulumi.Output<string>;
}

/**
 * A tenant app's Postgres login role (never superuser, createdb or createrole) and the databases
 * it owns, with CONNECT revoked from PUBLIC so no other role can even connect.
 */
export function tenantDatabases(
    name: string,
    args: { tenantId: string; app: AppName; suffixes: readonly string[]; postgres: Postgres; protect: boolean; password: pulumi.Output<string> },
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
            connectionLimit: PG_CONNECTION_LIMIT,
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
    const sslMode = args.postgres.sslMode;
    return {
        role,
        password: password.result,
        names,
        resources,
        url: (suffix, scheme) => {
            const database = names[suffix];
            if (!database) throw new Error(`${name}: no database \`${suffix}\`; have ${Object.keys(names).join(", ")}`);
            // Waits for the database itself, so nothing connects before it exists.
            return pulumi
                .all([password.result, resources[args.suffixes.indexOf(suffix)]!.name])
                .apply(([pw]) => postgresUrl({ scheme, user: role, password: pw, host, port, database, sslMode }));
        },
    };
}

export interface TenantBuckets {
    /** Bucket names by purpose. */
    readonly buckets: Readonly<Partial<Record<BucketPurpose, string>>>;
    readonly resources: readonly minio.S3Bucket[];
    readonly accessKey: string;
    readonly secretKey: pulumi.Output<string>;
    readonly endpoint: string;
    readonly region: string;
}

/**
 * A tenant app's buckets and its own object-store user, whose policy names exactly those
 * buckets. Buckets are never force-destroyed: removing one with objects fails instead.
 */
export function tenantBuckets(
    name: string,
    args: {
        tenantId: string;
        app: AppName;
        purposes: readonly BucketPurpose[];
        bucketPrefix: string;
        objectStore: ObjectStore;
        protect: boolean;
        /** Buckets whose objects expire, with the age and the key prefix the rule applies to. */
        expire?: Partial<Record<BucketPurpose, { readonly days: number; readonly prefix?: string }>>;
        /** The object-store user's secret key. */
        secretKey: pulumi.Output<string>;
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
    for (const [purpose, rule] of Object.entries(args.expire ?? {}) as Array<[BucketPurpose, { days: number; prefix?: string }]>) {
        const bucket = buckets[purpose];
        if (!bucket) throw new Error(`${name}: a lifecycle rule names bucket purpose \`${purpose}\`, which this app does not have`);
        new minio.IlmPolicy(
            `${name}-lifecycle-${purpose}`,
            { bucket, rules: [{ id: `expire-after-${rule.days}-days`, expiration: `${rule.days}d`, status: "Enabled", filter: rule.prefix }] },
            { parent: opts.parent, provider, dependsOn: resources },
        );
    }
    const user = objectStoreUser(args.tenantId, args.app);
    const iamUser = new minio.IamUser(`${name}-s3-user`, { name: user, secret: args.secretKey, forceDestroy: false }, { parent: opts.parent, provider });
    const policy = new minio.IamPolicy(
        `${name}-s3-policy`,
        { name: `${user}-buckets`, policy: bucketPolicy(Object.values(buckets)) },
        { parent: opts.parent, provider, dependsOn: resources },
    );
    new minio.IamUserPolicyAttachment(`${name}-s3-policy-attachment`, { userName: iamUser.name, policyName: policy.name }, { parent: opts.parent, provider });
    return { buckets, resources, accessKey: user, secretKey: args.secretKey, endpoint: args.objectStore.endpoint, region: args.objectStore.region };
}
