import type { AppName } from "../../naming/names";
import type { Size } from "../../environment/schema";

/**
 * Connection pools of each app's Postgres clients, sized explicitly so that everything a tenant's
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

/** Prisma `connection_limit` of each Langfuse process. */
export const LANGFUSE_CONNECTION_LIMIT: Readonly<Record<Size, number>> = { small: 2, standard: 5, large: 10 };
/** MLflow's SQLAlchemy pool per engine. */
export const MLFLOW_POOL: Readonly<Record<Size, { readonly poolSize: number; readonly maxOverflow: number }>> = {
    small: { poolSize: 1, maxOverflow: 1 },
    standard: { poolSize: 1, maxOverflow: 1 },
    large: { poolSize: 2, maxOverflow: 2 },
};
/** MLflow's engines per process: tracking store and model-registry store. */
export const MLFLOW_ENGINES = 2;
/** SuperTokens' HikariCP pool. */
export const SUPERTOKENS_POOL_SIZE: Readonly<Record<Size, number>> = { small: 2, standard: 5, large: 10 };
/** What an Agenta engine is expected to hold at once; Agenta cannot be told (see above). */
export const AGENTA_ENGINE_SHARE: Readonly<Record<Size, number>> = { small: 1, standard: 2, large: 4 };
/** Agenta's engines per process (core and tracing databases). */
export const AGENTA_ENGINES = 2;

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
    /** MLflow server workers (uvicorn processes). */
    readonly mlflowWorkers: number;
    /** Gunicorn workers of Agenta's api. */
    readonly agentaApiWorkers: number;
    /**
     * Replicas an autoscaled workload (Langfuse web and worker, MLflow, Agenta's api) may reach.
     * @default no autoscaling: the declared replicas
     */
    readonly maxReplicas?: number;
}

const BACKUP: PoolClient = { workload: "backup (pg_dump)", processes: 1, perProcess: 1, sized: true };

/** Everything that connects as the app's role. */
export function poolClients(app: AppName, i: PoolInputs): PoolClient[] {
    const pods = (replicas: number) => replicas + ROLLING_SURGE;
    // An autoscaled workload may run its autoscaler's maximum, plus the surge of a rollout then.
    const scaled = (replicas: number) => pods(Math.max(replicas, i.maxReplicas ?? replicas));
    switch (app) {
        case "langfuse": {
            const n = LANGFUSE_CONNECTION_LIMIT[i.size];
            return [
                { workload: "langfuse-web", processes: scaled(i.webReplicas), perProcess: n, sized: true },
                { workload: "langfuse-worker", processes: scaled(1), perProcess: n, sized: true },
                { workload: "langfuse-migrate", processes: 1, perProcess: n, sized: true },
                BACKUP,
            ];
        }
        case "mlflow": {
            const pool = MLFLOW_POOL[i.size];
            const perEngine = pool.poolSize + pool.maxOverflow;
            return [
                { workload: "mlflow", processes: scaled(i.webReplicas) * (i.mlflowWorkers + 1), perProcess: MLFLOW_ENGINES * perEngine, sized: true },
                { workload: "mlflow-db-upgrade", processes: 1, perProcess: perEngine, sized: true },
                { workload: "mlflow-gc", processes: 1, perProcess: perEngine, sized: true },
                BACKUP,
            ];
        }
        case "agenta": {
            const share = AGENTA_ENGINES * AGENTA_ENGINE_SHARE[i.size];
            return [
                { workload: "agenta-supertokens", processes: pods(1), perProcess: SUPERTOKENS_POOL_SIZE[i.size], sized: true },
                { workload: "agenta-api", processes: scaled(i.webReplicas) * i.agentaApiWorkers, perProcess: share, sized: false },
                { workload: "agenta-worker-streams", processes: pods(1), perProcess: share, sized: false },
                { workload: "agenta-worker-queues", processes: pods(1), perProcess: share, sized: false },
                { workload: "agenta-migrate", processes: 1, perProcess: share, sized: false },
                BACKUP,
            ];
        }
    }
}

/** The role's connection limit: everything its clients may hold at once. */
export function roleConnectionLimit(app: AppName, i: PoolInputs): number {
    return poolClients(app, i).reduce((sum, c) => sum + c.processes * c.perProcess, 0);
}
