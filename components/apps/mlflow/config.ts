/**
 * MLflow server settings (3.x; flags and their env equivalents from mlflow/cli and
 * mlflow/environment_variables at the pinned release).
 */

import type { HttpLimits } from "../../kube/ingress";
import type { Size } from "../../sizing/size";

export const MLFLOW_PORT = 5000;

/** Server workers (uvicorn processes) by tenant size. */
export function mlflowWorkers(size: "small" | "standard" | "large"): number {
    return size === "small" ? 1 : 4;
}

/**
 * The SQLAlchemy pool of each engine (MLFLOW_SQLALCHEMYSTORE_POOL_SIZE/_MAX_OVERFLOW). MLflow
 * passes only non-zero values to SQLAlchemy, so an overflow of 0 would mean SQLAlchemy's 10.
 */
export function mlflowPoolEnv(pool: { readonly poolSize: number; readonly maxOverflow: number }): Record<string, string> {
    if (pool.poolSize < 1 || pool.maxOverflow < 1)
        throw new Error(`MLflow pool sizes must be at least 1 (0 means SQLAlchemy's default), got ${pool.poolSize}+${pool.maxOverflow}`);
    return { MLFLOW_SQLALCHEMYSTORE_POOL_SIZE: String(pool.poolSize), MLFLOW_SQLALCHEMYSTORE_MAX_OVERFLOW: String(pool.maxOverflow) };
}

/**
 * MLflow's request limits, the same at the Ingress and the SSO gate: artifacts (models) are
 * uploaded through the server (`--serve-artifacts`), so bodies up to 1 GiB and 5 minutes.
 */
export const MLFLOW_HTTP_LIMITS: HttpLimits = { maxBodyMiB: 1024, timeoutSeconds: 300 };

/**
 * `--allowed-hosts` (MLFLOW_SERVER_ALLOWED_HOSTS): since 3.5 a request whose Host header is not
 * listed gets 403. Entries without `*` must equal the whole header, port included, so each name
 * is listed bare and as `name:*`: the public host, and every form of the Service's DNS name.
 * Entries with `*` are fnmatch patterns (mlflow/server/security_utils.py at 3.15.2); there is no
 * CIDR syntax, so pod address blocks are spelled as patterns by {@link ipv4HostPatterns}.
 */
export function mlflowAllowedHosts(publicHost: string, service: string, namespace: string, podCidrs: readonly string[] = []): string {
    const names = [
        publicHost,
        service,
        `${service}.${namespace}`,
        `${service}.${namespace}.svc`,
        `${service}.${namespace}.svc.cluster.local`,
    ];
    // Prometheus scrapes /metrics by pod IP (Host: <ip>:5000), and only /health and /version skip
    // the check. IP literals are safe to admit: DNS rebinding needs a host *name*.
    const ips = podCidrs.flatMap(ipv4HostPatterns);
    return [...names.flatMap((n) => [n, `${n}:*`]), ...new Set(ips)].join(",");
}

/**
 * fnmatch patterns matching a Host header (`<ip>` or `<ip>:<port>`) whose address lies in an IPv4
 * block of prefix length 1 to 24, e.g. `100.64.0.0/10` gives `100.6[4-9].*`, `100.[7-9][0-9].*`,
 * `100.1[0-1][0-9].*` and `100.12[0-7].*`.
 */
export function ipv4HostPatterns(cidr: string): string[] {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
    const octets = m ? m.slice(1, 5).map(Number) : [];
    const bits = m ? Number(m[5]) : NaN;
    if (!m || octets.some((o) => o > 255) || !(bits >= 1 && bits <= 24))
        throw new Error(`ipv4HostPatterns: ${cidr} is not an IPv4 block with a prefix of 1 to 24 bits`);
    const whole = Math.floor(bits / 8);
    const prefix = octets
        .slice(0, whole)
        .map((o) => `${o}.`)
        .join("");
    const partial = bits % 8;
    if (partial === 0) return [`${prefix}*`];
    const size = 1 << (8 - partial);
    const low = octets[whole]! & ~(size - 1) & 0xff;
    return decimalRangePatterns(low, low + size - 1).map((p) => `${prefix}${p}.*`);
}

/** fnmatch patterns (character classes) matching exactly the decimal numbers lo..hi, no leading zeros. */
export function decimalRangePatterns(lo: number, hi: number): string[] {
    const out: string[] = [];
    for (let digits = String(lo).length; digits <= String(hi).length; digits++) {
        const a = Math.max(lo, digits === 1 ? 0 : 10 ** (digits - 1));
        const b = Math.min(hi, 10 ** digits - 1);
        if (a <= b) out.push(...sameLength(String(a), String(b)));
    }
    return out;
}

function sameLength(a: string, b: string): string[] {
    const cls = (x: number, y: number) => (x === y ? `${x}` : `[${x}-${y}]`);
    if (a === b) return [a];
    if (a.length === 1) return [cls(Number(a), Number(b))];
    const [a0, b0] = [Number(a[0]), Number(b[0])];
    const [ra, rb] = [a.slice(1), b.slice(1)];
    if (a0 === b0) return sameLength(ra, rb).map((p) => `${a0}${p}`);
    const zeros = "0".repeat(ra.length);
    const nines = "9".repeat(ra.length);
    const out: string[] = [];
    let first = a0;
    if (ra !== zeros) {
        out.push(...sameLength(ra, nines).map((p) => `${a0}${p}`));
        first = a0 + 1;
    }
    const last = rb === nines ? b0 : b0 - 1;
    if (first <= last) out.push(`${cls(first, last)}${"[0-9]".repeat(ra.length)}`);
    if (rb !== nines) out.push(...sameLength(zeros, rb).map((p) => `${b0}${p}`));
    return out;
}

/** Where the server's Prometheus multiprocess files go (`--expose-prometheus`), in its /tmp emptyDir. */
export const MLFLOW_PROMETHEUS_DIR = "/tmp/prometheus";

export interface MlflowEnvInputs {
    readonly publicHost: string;
    readonly namespace: string;
    readonly bucket: string;
    readonly s3Endpoint: string;
    readonly region: string;
    readonly workers: number;
    /** Serve Prometheus metrics at /metrics. @default false: no metrics, and pod IPs are not admitted as Host headers */
    readonly prometheus?: boolean;
    /** Address blocks of pod IPs, admitted as Host headers when Prometheus scrapes by pod IP. */
    readonly podCidrs: readonly string[];
}

/** Plain settings of the server. The backend store URI and S3 keys come from the app's Secret. */
export function mlflowEnv(i: MlflowEnvInputs): Record<string, string> {
    return {
        MLFLOW_ARTIFACTS_DESTINATION: `s3://${i.bucket}/artifacts`,
        MLFLOW_SERVER_ALLOWED_HOSTS: mlflowAllowedHosts(i.publicHost, "mlflow", i.namespace, i.prometheus ? i.podCidrs : []),
        ...(i.prometheus ? { MLFLOW_EXPOSE_PROMETHEUS: MLFLOW_PROMETHEUS_DIR } : {}),
        MLFLOW_S3_ENDPOINT_URL: i.s3Endpoint,
        AWS_DEFAULT_REGION: i.region,
        // Background job execution needs /dev/shm and a job runner; nothing here uses it.
        MLFLOW_SERVER_ENABLE_JOB_EXECUTION: "false",
        MLFLOW_WORKERS: String(i.workers),
        HOME: "/tmp",
    };
}

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

/** MLflow's SQLAlchemy pool per engine. */
export const MLFLOW_POOL: Readonly<Record<Size, { readonly poolSize: number; readonly maxOverflow: number }>> = {
    small: { poolSize: 1, maxOverflow: 1 },
    standard: { poolSize: 1, maxOverflow: 1 },
    large: { poolSize: 2, maxOverflow: 2 },
};
/** MLflow's engines per process: tracking store and model-registry store. */
export const MLFLOW_ENGINES = 2;
