/**
 * Every name derived from a tenant id lives here, so that one property test can prove that any id
 * the tenant schema accepts yields valid, unique Kubernetes, Postgres, S3 and Redis names.
 */

/** DNS-1035 label: what Kubernetes requires of Service names, and what we require of tenant ids. */
export const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
/** DNS-1123 label: namespaces, most object names and hostname labels. */
export const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** DNS-1123 subdomain: names of most other Kubernetes objects. */
export const DNS_1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** S3 bucket names as MinIO and AWS accept them (no dots, so virtual-host TLS works). */
export const S3_BUCKET = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
/** Unquoted Postgres identifier. */
export const PG_IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

export const MAX_LABEL = 63;
export const MAX_PG_IDENTIFIER = 63;
/** Longest namespace prefix the environment schema accepts. */
export const MAX_NAMESPACE_PREFIX = 12;
/** Longest bucket prefix the environment schema accepts. */
export const MAX_BUCKET_PREFIX = 16;
/**
 * Longest tenant id. The binding constraint is the longest bucket name
 * (`<bucket prefix>-<tenant>-<longest purpose>`); a test recomputes this bound from {@link derivedNames}.
 */
export const MAX_TENANT_ID = 30;

/** Ids a tenant may not take: Kubernetes' own namespaces, the platform's, and confusing words. */
export const RESERVED_TENANT_IDS: readonly string[] = [
    "admin",
    "api",
    "backup",
    "backups",
    "default",
    "gateway",
    "ingress",
    "internal",
    "kong",
    "llmops",
    "monitoring",
    "platform",
    "postgres",
    "public",
    "redis",
    "root",
    "shared",
    "system",
    "template0",
    "template1",
    "trace-gateway",
    "www",
];
export const RESERVED_TENANT_PREFIXES: readonly string[] = ["kube-", "openshift-", "cert-manager", "ingress-"];

/** Why an id is reserved, or undefined when it is free. */
export function reservedReason(id: string): string | undefined {
    if (RESERVED_TENANT_IDS.includes(id)) return `\`${id}\` is reserved by the platform`;
    const prefix = RESERVED_TENANT_PREFIXES.find((p) => id.startsWith(p));
    return prefix ? `ids starting with \`${prefix}\` are reserved for cluster components` : undefined;
}

/** Buckets per tenant, by purpose. The suffix is part of the bucket name. */
export const BUCKET_PURPOSES = {
    langfuseEvents: "lf-events",
    langfuseMedia: "lf-media",
    langfuseExports: "lf-exports",
    mlflowArtifacts: "mlflow",
    agentaFiles: "agenta",
    /** The tenant's backups and its offboarding export; written only by its backup jobs. */
    backups: "backups",
} as const;
export type BucketPurpose = keyof typeof BUCKET_PURPOSES;

export function platformNamespace(prefix: string): string {
    return `${prefix}-platform`;
}

export function tenantNamespace(prefix: string, tenantId: string): string {
    return `${prefix}-${tenantId}`;
}

function pgBase(tenantId: string): string {
    return tenantId.replace(/-/g, "_");
}

/** The Postgres login role of a tenant's app: `<tenant>_<app>`. */
export function pgRole(tenantId: string, app: string): string {
    return `${pgBase(tenantId)}_${app}`;
}

/** A Postgres database of a tenant: `<tenant>_<suffix>`, for example `acme_agenta_core`. */
export function pgDatabase(tenantId: string, suffix: string): string {
    return `${pgBase(tenantId)}_${suffix}`;
}

export function bucketName(bucketPrefix: string, tenantId: string, purpose: BucketPurpose): string {
    return `${bucketPrefix}-${tenantId}-${BUCKET_PURPOSES[purpose]}`;
}

/** The object-store (IAM) user of a tenant's app, or of its backup jobs (principal `backup`). */
export function objectStoreUser(tenantId: string, principal: string): string {
    return `${tenantId}-${principal}`;
}

/** The Redis ACL user of a tenant's app in the shared Redis. */
export function redisUser(tenantId: string, app: string): string {
    return `${tenantId}-${app}`;
}

/** The key prefix a tenant's app is confined to in the shared Redis. Ends with a colon. */
export function redisKeyPrefix(tenantId: string, app: string): string {
    return `${tenantId}:${app}:`;
}

/** The public hostname of a tenant's app, from the environment's host pattern. */
export function appHost(pattern: string, app: string, tenantId: string, baseDomain: string): string {
    return pattern
        .replace(/\{app\}/g, app)
        .replace(/\{tenant\}/g, tenantId)
        .replace(/\{baseDomain\}/g, baseDomain);
}

export type NameKind = "dns-1123-label" | "dns-1035-label" | "s3-bucket" | "pg-identifier" | "redis-user" | "redis-prefix";

export interface DerivedName {
    /** The rule the name must satisfy. */
    readonly kind: NameKind;
    /** Where the name must be unique, e.g. `postgres role` or `bucket`. */
    readonly scope: string;
    readonly value: string;
}

/** What names a tenant's app derives: its own (role, users, key prefix) and its databases'. */
export interface AppNames {
    readonly name: string;
    /** Database suffixes, e.g. `agenta_core`. */
    readonly databases: readonly string[];
}

/**
 * Every name the platform derives from a tenant id for these apps, with the rule it must satisfy.
 * The naming property test runs this over generated ids and the longest prefixes the environment allows.
 */
export function derivedNames(tenantId: string, namespacePrefix: string, bucketPrefix: string, apps: readonly AppNames[]): DerivedName[] {
    const names: DerivedName[] = [
        { kind: "dns-1123-label", scope: "namespace", value: tenantNamespace(namespacePrefix, tenantId) },
        { kind: "dns-1123-label", scope: "hostname label", value: tenantId },
    ];
    for (const purpose of Object.keys(BUCKET_PURPOSES) as BucketPurpose[]) {
        names.push({ kind: "s3-bucket", scope: "bucket", value: bucketName(bucketPrefix, tenantId, purpose) });
    }
    names.push({ kind: "dns-1123-label", scope: "object store user", value: objectStoreUser(tenantId, "backup") });
    for (const app of apps) {
        names.push({ kind: "pg-identifier", scope: "postgres role", value: pgRole(tenantId, app.name) });
        for (const db of app.databases) names.push({ kind: "pg-identifier", scope: "postgres database", value: pgDatabase(tenantId, db) });
        names.push({ kind: "dns-1123-label", scope: "object store user", value: objectStoreUser(tenantId, app.name) });
        names.push({ kind: "redis-user", scope: "redis user", value: redisUser(tenantId, app.name) });
        names.push({ kind: "redis-prefix", scope: "redis key prefix", value: redisKeyPrefix(tenantId, app.name) });
    }
    return names;
}

/** Whether a derived name satisfies its rule. */
export function isValidName(name: DerivedName): boolean {
    switch (name.kind) {
        case "dns-1123-label":
            return name.value.length <= MAX_LABEL && DNS_1123_LABEL.test(name.value);
        case "dns-1035-label":
            return name.value.length <= MAX_LABEL && DNS_1035_LABEL.test(name.value);
        case "s3-bucket":
            return S3_BUCKET.test(name.value) && !name.value.includes("--");
        case "pg-identifier":
            return name.value.length <= MAX_PG_IDENTIFIER && PG_IDENTIFIER.test(name.value);
        case "redis-user":
            return /^[a-z0-9][a-z0-9-]*$/.test(name.value) && name.value.length <= 64;
        case "redis-prefix":
            return /^[a-z0-9][a-z0-9-]*:[a-z]+:$/.test(name.value);
    }
}
