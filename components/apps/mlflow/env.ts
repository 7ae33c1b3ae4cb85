/**
 * MLflow server settings (3.x; flags and their env equivalents from mlflow/cli and
 * mlflow/environment_variables at the pinned release).
 */

export const MLFLOW_PORT = 5000;

/**
 * `--allowed-hosts` (MLFLOW_SERVER_ALLOWED_HOSTS): since 3.5 a request whose Host header is not
 * listed gets 403. Entries without `*` must equal the whole header, port included, so each name
 * is listed bare and as `name:*`: the public host, and every form of the Service's DNS name.
 */
export function mlflowAllowedHosts(publicHost: string, service: string, namespace: string, podIps = false): string {
    const names = [publicHost, service, `${service}.${namespace}`, `${service}.${namespace}.svc`, `${service}.${namespace}.svc.cluster.local`];
    // Prometheus scrapes /metrics by pod IP (Host: <ip>:5000), and only /health and /version skip
    // the check. IP literals are safe to admit: DNS rebinding needs a host *name*.
    const ips = podIps ? POD_IP_HOST_PATTERNS : [];
    return [...names.flatMap((n) => [n, `${n}:*`]), ...ips].join(",");
}

/** Host patterns of private IPv4 pod addresses (RFC 1918; MLflow matches patterns with `*` by fnmatch). */
export const POD_IP_HOST_PATTERNS = ["10.*", "172.1[6-9].*", "172.2[0-9].*", "172.3[0-1].*", "192.168.*"];

/** Where the server's Prometheus multiprocess files go (`--expose-prometheus`), in its /tmp emptyDir. */
export const MLFLOW_PROMETHEUS_DIR = "/tmp/prometheus";

export interface MlflowEnvInputs {
    readonly publicHost: string;
    readonly namespace: string;
    readonly bucket: string;
    readonly s3Endpoint: string;
    readonly region: string;
    readonly workers: number;
    /** Serve Prometheus metrics at /metrics. */
    readonly prometheus?: boolean;
}

/** Plain settings of the server. The backend store URI and S3 keys come from the app's Secret. */
export function mlflowEnv(i: MlflowEnvInputs): Record<string, string> {
    return {
        MLFLOW_ARTIFACTS_DESTINATION: `s3://${i.bucket}/artifacts`,
        MLFLOW_SERVER_ALLOWED_HOSTS: mlflowAllowedHosts(i.publicHost, "mlflow", i.namespace, i.prometheus),
        ...(i.prometheus ? { MLFLOW_EXPOSE_PROMETHEUS: MLFLOW_PROMETHEUS_DIR } : {}),
        MLFLOW_S3_ENDPOINT_URL: i.s3Endpoint,
        AWS_DEFAULT_REGION: i.region,
        // Background job execution needs /dev/shm and a job runner; nothing here uses it.
        MLFLOW_SERVER_ENABLE_JOB_EXECUTION: "false",
        MLFLOW_WORKERS: String(i.workers),
        HOME: "/tmp",
    };
}

/**
 * The backend store's SQLAlchemy URL scheme, driver included: the -full image ships psycopg2
 * (mlflow's `db` extra), and SQLAlchemy 2.1 no longer picks psycopg2 for a bare `postgresql://`.
 */
export const MLFLOW_DB_SCHEME = "postgresql+psycopg2";

/** The server command: artifacts proxied through the server, so clients need no S3 credentials. */
export const MLFLOW_SERVER_COMMAND = ["mlflow", "server", "--host", "0.0.0.0", "--port", String(MLFLOW_PORT), "--serve-artifacts"];

/** The schema migration, run before the server starts (positional URL; read from the Secret). */
export const MLFLOW_DB_UPGRADE_COMMAND = ["sh", "-c", 'exec mlflow db upgrade "$MLFLOW_BACKEND_STORE_URI"'];

/**
 * Purges runs (and experiments) users deleted more than `days` ago, with their artifacts.
 * `--backend-store-uri` has no env equivalent, so the shell reads it from the Secret at run time.
 * It never expires artifacts by age: registered models live in the same store.
 */
export function mlflowGcCommand(days: number): string[] {
    if (!Number.isInteger(days) || days < 1) throw new Error(`days must be a positive whole number, got ${days}`);
    return ["sh", "-c", `exec mlflow gc --older-than ${days}d --backend-store-uri "$MLFLOW_BACKEND_STORE_URI"`];
}
