import { type Size } from "../../sizing/size";

/**
 * Connection pools of the apps' Postgres clients (each app module lists its own), sized explicitly so that everything a tenant's
 * app can open fits its role's connection limit, and every tenant's roles fit the server. Left to
 * their defaults the pools are far larger than any sensible limit: Prisma opens num_cpus*2+1 per
 * process (of the node, not the container), SQLAlchemy 5+10 per engine, SuperTokens 10, and
 * Agenta 100+300 per engine.
 *
 * The knobs, at the pinned versions:
 * - Langfuse 4.16 (Prisma 6): `connection_limit` in DATABASE_URL, one pool per process.
 * - MLflow 3.15: MLFLOW_SQLALCHEMYSTORE_POOL_SIZE and _MAX_OVERFLOW, per engine; the tracking and
 *   the model-registry stores each have an engine, in every uvicorn worker and in the parent
 *   process that initializes them. MLflow passes only non-zero values, so the overflow is at least 1.
 * - SuperTokens (postgresql-plugin 9.4): POSTGRESQL_CONNECTION_POOL_SIZE, per process.
 * - Agenta v0.113.0: none. api/oss/src/dbs/postgres/shared/engine.py fixes pool_size=100 and
 *   max_overflow=300 for each of its two engines in every process; only the role's limit bounds
 *   it. Its share below is what the role reserves for it, not something Agenta can be told.
 *
 * Counting: a Deployment's replicas (its autoscaler's maximum where one scales it) plus its
 * rolling-update surge (one pod), one process per pod
 * unless said otherwise, its migration Job, and one connection for the nightly or offboarding
 * backup (pg_dump, one database at a time).
 */

/** `max_connections` of the in-cluster server, by its size. */
export const IN_CLUSTER_MAX_CONNECTIONS: Readonly<Record<Size, number>> = { small: 200, standard: 500, large: 500 };
/** PostgreSQL's own default `max_connections`. */
export const POSTGRES_DEFAULT_MAX_CONNECTIONS = 100;

/** Pods a rolling update adds beside the old ones (the platform's `maxSurge`). */
export const ROLLING_SURGE = 1;

/** Connections the platform keeps for itself on the server: superuser reserve (3), admin provider, exporter. */
export const SERVER_RESERVED_CONNECTIONS = 10;

/** One kind of process that connects as an app's role. */
export interface PoolClient {
    readonly workload: string;
    /** Processes at once, rollouts included. */
    readonly processes: number;
    /** Connections one process may hold. */
    readonly perProcess: number;
    /** False where the app offers no setting, and the number is a reservation only. */
    readonly sized: boolean;
}

export interface PoolInputs {
    readonly size: Size;
    /** Replicas of web-facing Deployments. */
    readonly webReplicas: number;
    /**
     * Replicas an autoscaled workload (Langfuse web and worker, MLflow, Agenta's api) may reach.
     * @default no autoscaling: the declared replicas
     */
    readonly maxReplicas?: number;
}

/** The nightly or offboarding backup: pg_dump, one database at a time. */
export const BACKUP_POOL_CLIENT: PoolClient = { workload: "backup (pg_dump)", processes: 1, perProcess: 1, sized: true };

/** Pods of a Deployment at once: its replicas plus a rollout's surge. */
export function rolloutPods(replicas: number): number {
    return replicas + ROLLING_SURGE;
}

/** Pods of an autoscaled Deployment at once: its autoscaler's maximum, plus a rollout's surge then. */
export function scaledPods(replicas: number, i: PoolInputs): number {
    return rolloutPods(Math.max(replicas, i.maxReplicas ?? replicas));
}
