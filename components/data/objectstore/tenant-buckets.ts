import * as minio from "@pulumi/minio";
import type * as pulumi from "@pulumi/pulumi";
import { childOptions, statefulOptions } from "../../kube/options";
import { type BucketPurpose, bucketName, objectStoreUser } from "../../naming/names";
import { bucketPolicy } from "../urls";

/** Where tenant principals reach the environment's object store, and the provider that creates them. */
export interface ObjectStoreServer {
    /** In-cluster S3 endpoint the apps' servers use. */
    readonly endpoint: string;
    /** S3 origin browsers and SDKs reach. */
    readonly publicEndpoint: string;
    readonly region: string;
    readonly provider: minio.Provider;
}

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

/** Bucket versioning for the environment's backup settings, or undefined where it is switched off. */
export function bucketVersioning(backups: { readonly noncurrentVersionDays?: number }): BucketVersioning | undefined {
    return backups.noncurrentVersionDays ? { noncurrentDays: backups.noncurrentVersionDays } : undefined;
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
        /** The principal: an app, or `backup`. */
        app: string;
        purposes: readonly BucketPurpose[];
        bucketPrefix: string;
        objectStore: ObjectStoreServer;
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
    opts: pulumi.CustomResourceOptions = {},
): TenantBuckets {
    const provider = args.objectStore.provider;
    const buckets: Partial<Record<BucketPurpose, string>> = {};
    const resources: minio.S3Bucket[] = [];
    for (const purpose of args.purposes) {
        const bucket = bucketName(args.bucketPrefix, args.tenantId, purpose);
        buckets[purpose] = bucket;
        resources.push(
            new minio.S3Bucket(
                `${name}-bucket-${purpose}`,
                { bucket, acl: "private", forceDestroy: false },
                statefulOptions(args.protect, childOptions(opts, { provider })),
            ),
        );
    }
    for (const purpose of Object.keys(args.expire ?? {}) as BucketPurpose[]) {
        if (!buckets[purpose])
            throw new Error(`${name}: a lifecycle rule names bucket purpose \`${purpose}\`, which this app does not have`);
        if (args.neverExpire?.includes(purpose))
            throw new Error(`${name}: bucket purpose \`${purpose}\` must never expire, yet has a lifecycle rule`);
    }
    args.purposes.forEach((purpose, i) => {
        const bucket = buckets[purpose]!;
        const rules: minio.types.input.IlmPolicyRule[] = [];
        const expire = args.expire?.[purpose];
        if (expire)
            rules.push({ id: `expire-after-${expire.days}-days`, expiration: `${expire.days}d`, status: "Enabled", filter: expire.prefix });
        const after: pulumi.Resource[] = [resources[i]!];
        if (args.versioning) {
            after.push(
                new minio.S3BucketVersioning(
                    `${name}-versioning-${purpose}`,
                    { bucket, versioningConfiguration: { status: "Enabled" } },
                    childOptions(opts, { provider, dependsOn: [resources[i]!] }),
                ),
            );
            if (!args.neverExpire?.includes(purpose))
                rules.push({
                    id: `expire-noncurrent-after-${args.versioning.noncurrentDays}-days`,
                    noncurrentVersionExpirationDays: args.versioning.noncurrentDays,
                    status: "Enabled",
                });
        }
        if (rules.length)
            new minio.IlmPolicy(`${name}-lifecycle-${purpose}`, { bucket, rules }, childOptions(opts, { provider, dependsOn: after }));
    });
    const user = objectStoreUser(args.tenantId, args.app);
    const iamUser = new minio.IamUser(
        `${name}-s3-user`,
        { name: user, secret: args.secretKey, forceDestroy: false },
        childOptions(opts, { provider }),
    );
    const policy = new minio.IamPolicy(
        `${name}-s3-policy`,
        { name: `${user}-buckets`, policy: bucketPolicy(Object.values(buckets)) },
        childOptions(opts, { provider, dependsOn: resources }),
    );
    new minio.IamUserPolicyAttachment(
        `${name}-s3-policy-attachment`,
        { userName: iamUser.name, policyName: policy.name },
        childOptions(opts, { provider }),
    );
    return {
        buckets,
        resources,
        accessKey: user,
        secretKey: args.secretKey,
        endpoint: args.objectStore.endpoint,
        publicEndpoint: args.objectStore.publicEndpoint,
        region: args.objectStore.region,
    };
}
