import type { HttpLimits } from "../../kube/ingress";
import type { Size } from "../../sizing/size";

/**
 * Langfuse's request limits at its Ingress (it has no gate or edge). At v4.16.0 its API routes
 * parse bodies up to 4.5 MB (ingestion, tRPC, dataset items), support attachments up to 50 MB,
 * and the OTLP endpoint streams bodies of any size (`bodyParser: false`): the Ingress lets the
 * largest through, so the app's own limits answer, not ingress-nginx's 1 MiB default. Five
 * minutes covers dashboard queries and exports.
 */
export const LANGFUSE_HTTP_LIMITS: HttpLimits = { maxBodyMiB: 50, timeoutSeconds: 300 };

/**
 * Langfuse's environment, by container. Names and formats follow the env schemas of the pinned
 * release (packages/shared/src/env.ts, web/src/env.mjs, worker/src/env.ts at v4.16.0) and the
 * web entrypoint (CLICKHOUSE_MIGRATION_URL, which no schema lists but the migration script needs).
 */
export interface LangfuseEnvInputs {
    readonly tenantId: string;
    readonly displayName: string;
    readonly publicUrl: string;
    readonly clickhouse: { readonly httpUrl: string; readonly nativeUrl: string; readonly user: string; readonly database: string };
    readonly redis: {
        readonly host: string;
        readonly port: number;
        readonly user: string;
        readonly keyPrefix?: string;
        readonly tls: boolean;
    };
    /** `endpoint` is the in-cluster address; `publicEndpoint` the origin browsers and SDKs reach. */
    readonly s3: {
        readonly endpoint: string;
        readonly publicEndpoint: string;
        readonly region: string;
        readonly events: string;
        readonly media: string;
        readonly exports: string;
    };
    /** Set when browser users sign in through the environment's IdP (configured in the SSO layer). */
    readonly usernamePasswordLogin: boolean;
}

/** Ids of the tenant's Langfuse organization and project, created headlessly at first start. */
export function langfuseIds(tenantId: string): { orgId: string; projectId: string } {
    return { orgId: `${tenantId}-org`, projectId: `${tenantId}-project` };
}

/** Key prefixes in the Langfuse buckets; the lifecycle rules of the buckets expire exactly these. */
export const LANGFUSE_S3_PREFIXES = { events: "events/", media: "media/", exports: "exports/" } as const;

/** Plain (non-secret) settings read by both web and worker. */
export function sharedEnv(i: LangfuseEnvInputs): Record<string, string> {
    const env: Record<string, string> = {
        HOSTNAME: "0.0.0.0",
        // Web signs in with it; the worker builds links with it (batch exports, mentions, alerts).
        NEXTAUTH_URL: i.publicUrl,
        CLICKHOUSE_URL: i.clickhouse.httpUrl,
        CLICKHOUSE_USER: i.clickhouse.user,
        CLICKHOUSE_DB: i.clickhouse.database,
        // Single-node ClickHouse: without this, the clustered migrations run (the default is "true").
        CLICKHOUSE_CLUSTER_ENABLED: "false",
        REDIS_HOST: i.redis.host,
        REDIS_PORT: String(i.redis.port),
        REDIS_USERNAME: i.redis.user,
        REDIS_TLS_ENABLED: i.redis.tls ? "true" : "false",
        LANGFUSE_S3_EVENT_UPLOAD_BUCKET: i.s3.events,
        LANGFUSE_S3_EVENT_UPLOAD_REGION: i.s3.region,
        LANGFUSE_S3_EVENT_UPLOAD_ENDPOINT: i.s3.endpoint,
        LANGFUSE_S3_EVENT_UPLOAD_FORCE_PATH_STYLE: "true",
        LANGFUSE_S3_EVENT_UPLOAD_PREFIX: LANGFUSE_S3_PREFIXES.events,
        LANGFUSE_S3_MEDIA_UPLOAD_BUCKET: i.s3.media,
        LANGFUSE_S3_MEDIA_UPLOAD_REGION: i.s3.region,
        // The media client has no separate signing endpoint at v4.16.0: the SDKs and browsers upload
        // to and download from the URLs it presigns, so it must use the public origin throughout.
        LANGFUSE_S3_MEDIA_UPLOAD_ENDPOINT: i.s3.publicEndpoint,
        LANGFUSE_S3_MEDIA_UPLOAD_FORCE_PATH_STYLE: "true",
        LANGFUSE_S3_MEDIA_UPLOAD_PREFIX: LANGFUSE_S3_PREFIXES.media,
        LANGFUSE_S3_BATCH_EXPORT_ENABLED: "true",
        LANGFUSE_S3_BATCH_EXPORT_BUCKET: i.s3.exports,
        LANGFUSE_S3_BATCH_EXPORT_REGION: i.s3.region,
        LANGFUSE_S3_BATCH_EXPORT_ENDPOINT: i.s3.endpoint,
        // The worker writes exports in-cluster, and signs the download link users get for this origin.
        LANGFUSE_S3_BATCH_EXPORT_EXTERNAL_ENDPOINT: i.s3.publicEndpoint,
        LANGFUSE_S3_BATCH_EXPORT_FORCE_PATH_STYLE: "true",
        LANGFUSE_LOG_FORMAT: "json",
        LANGFUSE_LOG_LEVEL: "info",
    };
    // The queues (BullMQ `prefix`) and the cache client (ioredis `keyPrefix`) both honour it since v3.157.
    if (i.redis.keyPrefix) env["REDIS_KEY_PREFIX"] = i.redis.keyPrefix;
    return env;
}

/** Plain settings of the web container only. */
export function webEnv(i: LangfuseEnvInputs): Record<string, string> {
    const { orgId, projectId } = langfuseIds(i.tenantId);
    return {
        // The migration Job has run them before this version starts; the entrypoint skips them.
        LANGFUSE_AUTO_POSTGRES_MIGRATION_DISABLED: "true",
        LANGFUSE_AUTO_CLICKHOUSE_MIGRATION_DISABLED: "true",
        TELEMETRY_ENABLED: "false",
        LANGFUSE_INIT_ORG_ID: orgId,
        LANGFUSE_INIT_ORG_NAME: i.displayName,
        LANGFUSE_INIT_PROJECT_ID: projectId,
        LANGFUSE_INIT_PROJECT_NAME: "Default",
        // Every user who signs in joins the tenant's organization, and so sees its project.
        LANGFUSE_DEFAULT_ORG_ID: orgId,
        LANGFUSE_DEFAULT_ORG_ROLE: "MEMBER",
        LANGFUSE_DEFAULT_PROJECT_ID: projectId,
        LANGFUSE_DEFAULT_PROJECT_ROLE: "MEMBER",
        AUTH_DISABLE_USERNAME_PASSWORD: i.usernamePasswordLogin ? "false" : "true",
    };
}

/**
 * Plain settings of the migration Job, which runs the web image's entrypoint (Prisma
 * `migrate deploy`, then the ClickHouse migrations) with `true` as the command.
 */
export function migrationEnv(i: LangfuseEnvInputs): Record<string, string> {
    // golang-migrate's ClickHouse driver speaks the native protocol (port 9000), not HTTP.
    return { CLICKHOUSE_MIGRATION_URL: i.clickhouse.nativeUrl, TELEMETRY_ENABLED: "false" };
}

/** The web image's entrypoint, which migrates and then runs its arguments. */
export const MIGRATION_COMMAND = ["dumb-init", "--", "./web/entrypoint.sh", "true"];

/** Plain settings of the worker only. */
export function workerEnv(): Record<string, string> {
    return { PORT: "3030", LANGFUSE_S3_BATCH_EXPORT_PREFIX: LANGFUSE_S3_PREFIXES.exports };
}

/** Public keys look like `pk-lf-<uuid>`; secret keys `sk-lf-<32 alphanumerics>` (never a colon: Basic auth splits on it). */
export const PUBLIC_KEY = /^pk-lf-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const SECRET_KEY = /^sk-lf-[A-Za-z0-9]{32}$/;
export const ENCRYPTION_KEY = /^[0-9a-f]{64}$/;

/** Prisma `connection_limit` of each Langfuse process (its default, num_cpus*2+1 of the node, would not fit the role's limit). */
export const LANGFUSE_CONNECTION_LIMIT: Readonly<Record<Size, number>> = { small: 2, standard: 5, large: 10 };
