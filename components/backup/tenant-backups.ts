import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { type AppContext, appLabels } from "../apps/context";
import { cronJob, dailyAt, hashedJob } from "../kube/jobs";
import { footprintOf, type Footprint } from "../kube/resources";
import { type ContainerArgs, fromSecret } from "../kube/workload";
import { standardLabels } from "../naming/labels";
import { SecretSeed } from "../secrets/seed";
import { APP_WORKLOADS } from "../sizing/profiles";
import type { ClickHouseEndpoint } from "../data/clickhouse/clickhouse";
import { type ObjectStoreServer, bucketVersioning, tenantBuckets } from "../data/objectstore/tenant-buckets";
import type { TenantDatabases } from "../data/postgres/tenant-databases";
import { IMAGES } from "../versions/images";
import { CLICKHOUSE_BACKUP_SCRIPT, PG_BACKUP_SCRIPT, UPLOAD_SCRIPT } from "./scripts";

export interface TenantBackupsArgs {
    readonly ctx: AppContext;
    readonly objectStore: ObjectStoreServer;
    /** The environment's bucket prefix. */
    readonly bucketPrefix: string;
    /** The environment's backup settings: retention, versioning, the nightly hour. */
    readonly backups: { readonly retentionDays: number; readonly noncurrentVersionDays?: number; readonly hourUtc: number };
    /** Whether Postgres runs in the cluster (an external one relies on its provider's point-in-time recovery). */
    readonly postgresInCluster: boolean;
    /** Every database of the tenant, per app. */
    readonly databases: readonly TenantDatabases[];
    /** The tenant's ClickHouse (Langfuse), when it has one. @default none: no ClickHouse backup, nightly or at offboarding */
    readonly clickhouse?: ClickHouseEndpoint;
    readonly protect: boolean;
}

/** Key prefixes in the backup bucket. */
export const BACKUP_PREFIXES = { scheduled: "scheduled", offboarding: "offboarding" } as const;

/**
 * A tenant's backups, into its own backup bucket (versioned, expiring after the environment's
 * backup retention) through its own object-store user:
 *
 * - nightly `postgres-backup` (in-cluster Postgres only; external Postgres relies on the
 *   provider's point-in-time recovery): `pg-backup.sh` dumps every database with the apps' own
 *   credentials, then `mc` uploads the dumps and, last, their checksummed MANIFEST;
 * - nightly `clickhouse-backup`: `BACKUP DATABASE … TO S3` on the tenant's ClickHouse;
 * - while the tenant is `offboarding`, a one-off export Job doing both into `offboarding/`.
 *
 * Scheduled jobs are suspended unless the tenant is active.
 */
export class TenantBackups extends pulumi.ComponentResource {
    readonly bucket: string;
    /** Footprint of the backup pods, for the tenant's quota. */
    readonly jobs: Footprint[] = [];

    constructor(name: string, args: TenantBackupsArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("llmops:backup:TenantBackups", name, {}, opts);
        const { ctx } = args;
        const { tenant } = ctx;
        const child = { parent: this };
        const seed = new SecretSeed(`${name}-secrets`, { protect: args.protect }, { parent: this });
        const storage = tenantBuckets(
            name,
            {
                tenantId: tenant.id,
                app: "backup",
                purposes: ["backups"],
                bucketPrefix: args.bucketPrefix,
                objectStore: args.objectStore,
                protect: args.protect,
                expire: { backups: { days: args.backups.retentionDays, prefix: `${BACKUP_PREFIXES.scheduled}/` } },
                secretKey: seed.password("object-store", 40),
                versioning: bucketVersioning(args.backups),
            },
            child,
        );
        this.bucket = storage.buckets.backups!;
        const labels = appLabels(ctx, "backup");
        const endpoint = new URL(storage.endpoint);
        const urls = pulumi.all(
            args.databases.flatMap((db) => Object.keys(db.names).map((suffix) => db.url(suffix, "libpq").apply((u) => `${suffix}=${u}`))),
        );
        const secret = new k8s.core.v1.Secret(
            `${name}-secret`,
            {
                metadata: { name: "tenant-backup", namespace: ctx.namespace.output, labels: standardLabels(labels) },
                type: "Opaque",
                stringData: {
                    BACKUP_S3_ACCESS_KEY: storage.accessKey,
                    BACKUP_S3_SECRET_KEY: storage.secretKey,
                    MC_HOST_backup: pulumi.interpolate`${endpoint.protocol}//${encodeURIComponent(storage.accessKey)}:${storage.secretKey}@${endpoint.host}`,
                    DATABASE_URLS: urls.apply((lines) => `${lines.join("\n")}\n`),
                },
            },
            child,
        );
        const scripts = { "pg-backup.sh": PG_BACKUP_SCRIPT, "upload.sh": UPLOAD_SCRIPT, "clickhouse-backup.sh": CLICKHOUSE_BACKUP_SCRIPT };
        const configMap = new k8s.core.v1.ConfigMap(
            `${name}-scripts`,
            { metadata: { name: "tenant-backup", namespace: ctx.namespace.output, labels: standardLabels(labels) }, data: scripts },
            child,
        );
        const resources = APP_WORKLOADS.job[tenant.size];
        const common = { BACKUP_BUCKET: this.bucket, BACKUP_S3_ENDPOINT: storage.endpoint, TENANT: tenant.id };
        const fromBackupSecret = (key: string) => fromSecret(secret.metadata.name, key);
        const mounts = [{ name: "scripts", mountPath: "/scripts", readOnly: true }];
        const dbClient = args.databases[0]?.client("libpq");
        const dump = (prefix: string): ContainerArgs => ({
            name: "dump",
            image: IMAGES.postgres,
            command: ["sh", "/scripts/pg-backup.sh"],
            env: { ...common, BACKUP_PREFIX: prefix, BACKUP_DIR: "/backup", DATABASE_URLS: fromBackupSecret("DATABASE_URLS") },
            resources,
            // pg_dump (libpq) verifies the server with the CA its URLs name.
            volumeMounts: [...mounts, { name: "backup", mountPath: "/backup" }, ...(dbClient?.volumeMounts ?? [])],
        });
        const upload = (prefix: string): ContainerArgs => ({
            name: "upload",
            image: IMAGES.minio,
            command: ["sh", "/scripts/upload.sh"],
            env: { ...common, BACKUP_PREFIX: prefix, HOME: "/tmp", MC_HOST_backup: fromBackupSecret("MC_HOST_backup") },
            resources,
            volumeMounts: [...mounts, { name: "backup", mountPath: "/backup", readOnly: true }],
        });
        const clickhouseBackup = (prefix: string, ch: NonNullable<TenantBackupsArgs["clickhouse"]>): ContainerArgs => ({
            name: "clickhouse",
            image: IMAGES.clickhouse,
            command: ["sh", "/scripts/clickhouse-backup.sh"],
            env: {
                ...common,
                BACKUP_PREFIX: prefix,
                CLICKHOUSE_HOST: ch.host,
                BACKUP_S3_ACCESS_KEY: fromBackupSecret("BACKUP_S3_ACCESS_KEY"),
                BACKUP_S3_SECRET_KEY: fromBackupSecret("BACKUP_S3_SECRET_KEY"),
            },
            envFromSecrets: [ch.secretName],
            resources,
            volumeMounts: mounts,
        });
        const volumes: k8s.types.input.core.v1.Volume[] = [
            { name: "scripts", configMap: { name: configMap.metadata.name } },
            { name: "backup", emptyDir: {} },
            ...(dbClient?.volumes ?? []),
        ];
        const after = [secret, configMap, ...storage.resources, ...(args.clickhouse?.ready ?? [])];
        const hasDatabases = args.databases.length > 0;
        // Nightly: dumps only with in-cluster Postgres (a managed one has point-in-time recovery).
        const nightly: Array<{ name: string; steps: ContainerArgs[]; last: ContainerArgs; volumes: typeof volumes }> = [];
        if (args.postgresInCluster && hasDatabases)
            nightly.push({ name: "postgres", steps: [dump(BACKUP_PREFIXES.scheduled)], last: upload(BACKUP_PREFIXES.scheduled), volumes });
        // ClickHouse writes to the bucket itself: the job needs only its script.
        if (args.clickhouse)
            nightly.push({
                name: "clickhouse",
                steps: [],
                last: clickhouseBackup(BACKUP_PREFIXES.scheduled, args.clickhouse),
                volumes: volumes.slice(0, 1),
            });
        for (const job of nightly) {
            cronJob(
                `${name}-${job.name}`,
                {
                    name: `${job.name}-backup`,
                    namespace: ctx.namespace,
                    labels: appLabels(ctx, "backup", job.name),
                    schedule: dailyAt(args.backups.hourUtc, `${tenant.id}/${job.name}-backup`),
                    suspend: !ctx.running,
                    initContainers: job.steps.length ? job.steps : undefined,
                    container: job.last,
                    volumes: job.volumes,
                },
                { parent: this, dependsOn: after },
            );
            this.jobs.push(footprintOf([{ resources }]));
        }
        // The final export, whatever the environment's Postgres: dumps through the apps' own
        // credentials work against a managed database too. Kept until the file's date.
        const exportSteps = [
            ...(hasDatabases ? [dump(BACKUP_PREFIXES.offboarding)] : []),
            ...(args.clickhouse ? [clickhouseBackup(BACKUP_PREFIXES.offboarding, args.clickhouse)] : []),
        ];
        if (tenant.lifecycle.state === "offboarding" && exportSteps.length) {
            const last = hasDatabases ? upload(BACKUP_PREFIXES.offboarding) : exportSteps.pop()!;
            hashedJob(
                `${name}-export`,
                "offboarding-export",
                {
                    namespace: ctx.namespace,
                    labels: appLabels(ctx, "backup", "export"),
                    initContainers: exportSteps,
                    container: last,
                    volumes,
                    activeDeadlineSeconds: 6 * 3600,
                },
                [scripts, tenant.lifecycle.dataRetainedUntil],
                { parent: this, dependsOn: after },
            );
            this.jobs.push(footprintOf([{ resources }]));
        }
        this.registerOutputs({ bucket: this.bucket });
    }
}
