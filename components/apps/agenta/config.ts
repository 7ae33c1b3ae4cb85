import type { HttpLimits } from "../../kube/ingress";
import { serviceHost } from "../../kube/namespace";
import type { Size } from "../../sizing/size";
/**
 * Agenta's environment and commands, from the pinned release's self-host files
 * (api/oss/src/utils/env.py, hosting/kubernetes/helm, hosting/docker-compose/oss at v0.113.0).
 */

export const AGENTA_WEB_PORT = 3000;
export const AGENTA_API_PORT = 8000;
export const AGENTA_SERVICES_PORT = 8080;
export const AGENTA_EDGE_PORT = 8080;
export const SUPERTOKENS_PORT = 3567;
/** The cron scripts call `http://api:8000` literally, so the api's Service must be named `api`. */
export const AGENTA_API_SERVICE = "api";
/** The Service in front of the services component. */
export const AGENTA_SERVICES_SERVICE = "agenta-services";

export interface AgentaEnvInputs {
    readonly publicUrl: string;
    /**
     * The api inside the namespace, with the `/api` prefix it serves (`SCRIPT_NAME`): the services'
     * SDK takes its host from it and checks every request at `<host>/api/access/permissions/check`.
     */
    readonly internalApiUrl: string;
    /** The services inside the namespace (they serve from `/`; the edge strips `/services`). */
    readonly internalServicesUrl: string;
    readonly supertokensUrl: string;
    readonly emailDomains: readonly string[];
    readonly ownerEmails: readonly string[];
    readonly store: { readonly endpoint: string; readonly region: string; readonly bucket: string };
}

/** Plain settings shared by api, workers, cron, migration and services. */
export function coreEnv(i: AgentaEnvInputs): Record<string, string> {
    const env: Record<string, string> = {
        AGENTA_LICENSE: "oss",
        AGENTA_WEB_URL: i.publicUrl,
        AGENTA_API_URL: `${i.publicUrl}/api`,
        AGENTA_SERVICES_URL: `${i.publicUrl}/services`,
        // Read before AGENTA_API_URL by the SDK in the services (sdk/utils/init.py): their credential
        // checks stay inside the namespace instead of going out through the public host and its gate.
        AGENTA_API_INTERNAL_URL: i.internalApiUrl,
        SUPERTOKENS_URI_CORE: i.supertokensUrl,
        // The image user's home is on the read-only root filesystem; /tmp is a writable emptyDir.
        HOME: AGENTA_HOME,
        // Only people with the tenant's email domains (or subdomains) may sign up.
        AGENTA_ACCESS_ALLOWED_DOMAINS: i.emailDomains.join(","),
        // No product telemetry leaves the cluster (the upstream example ships a key).
        POSTHOG_API_KEY: "",
        AGENTA_STORE_ENDPOINT_URL: i.store.endpoint,
        AGENTA_STORE_REGION: i.store.region,
        AGENTA_STORE_BUCKET: i.store.bucket,
    };
    if (i.ownerEmails.length) env["AGENTA_ACCESS_ALLOWED_OWNER_EMAILS"] = i.ownerEmails.join(",");
    return env;
}

/**
 * Plain settings of the workers and the cron: the same as {@link coreEnv}, but they call the
 * services (evaluations, scheduled triggers) inside the namespace. Agenta v0.113.0 reads one
 * services URL (`AGENTA_SERVICES_URL`) for both the URLs the api returns to browsers and its own
 * calls, so only processes that answer no browser keep the public one out: the api itself keeps
 * the public URL, or the playground would be sent to an address only the cluster resolves.
 */
export function workerEnv(i: AgentaEnvInputs): Record<string, string> {
    return { ...coreEnv(i), AGENTA_SERVICES_URL: i.internalServicesUrl };
}

/** HOME of the api, worker, cron and services containers: inside their writable /tmp. */
export const AGENTA_HOME = "/tmp";

/** Plain settings of the web container (its entrypoint derives the browser's config from them). */
export function webEnv(i: AgentaEnvInputs): Record<string, string> {
    return {
        HOSTNAME: "0.0.0.0",
        AGENTA_LICENSE: "oss",
        AGENTA_WEB_URL: i.publicUrl,
        AGENTA_API_URL: `${i.publicUrl}/api`,
        AGENTA_SERVICES_URL: `${i.publicUrl}/services`,
        SUPERTOKENS_URI_CORE: i.supertokensUrl,
        POSTHOG_API_KEY: "",
    };
}

/** Gunicorn workers of the api: each is a process with its own database engines. */
export const AGENTA_API_WORKERS = 2;
export const API_COMMAND = gunicorn("entrypoints.routers:app", AGENTA_API_PORT, AGENTA_API_WORKERS, [
    "--worker-connections",
    "1000",
    "--backlog",
    "2048",
    "--keep-alive",
    "5",
    "--max-requests",
    "10000",
    "--max-requests-jitter",
    "1000",
]);
export const SERVICES_COMMAND = gunicorn("entrypoints.main:app", AGENTA_SERVICES_PORT, 2);

/** A gunicorn command line with uvicorn workers, as Agenta's api and services images start; `extra` goes before the shared timeouts and logging. */
function gunicorn(app: string, port: number, workers: number, extra: readonly string[] = []): string[] {
    return [
        "gunicorn",
        app,
        "--bind",
        `0.0.0.0:${port}`,
        "--worker-class",
        "uvicorn.workers.UvicornWorker",
        "--workers",
        String(workers),
        ...extra,
        "--timeout",
        "60",
        "--graceful-timeout",
        "60",
        "--log-level",
        "info",
        "--access-logfile",
        "-",
        "--error-logfile",
        "-",
    ];
}
export const WORKER_STREAMS_COMMAND = ["python", "-m", "entrypoints.worker_streams"];
export const WORKER_QUEUES_COMMAND = ["python", "-m", "entrypoints.worker_queues"];
export const CRON_COMMAND = ["/usr/local/bin/supercronic", "/app/crontab"];
export const WEB_COMMAND = ["/app/entrypoint.sh"];
export const WEB_ARGS = ["node", "./oss/server.js"];
/**
 * A liveness check that PID 1 is still the given process, in Python (the api image has no
 * procps, so no pgrep): upstream's compose file checks the workers the same way. The commands
 * above run their process as PID 1, with no shell in front.
 */
export function pid1Runs(needle: string): string[] {
    if (!/^[\w./-]+$/.test(needle)) throw new Error(`pid1Runs: ${needle} is not a plain process name`);
    return [
        "python",
        "-c",
        `import pathlib,sys; sys.exit(0 if '${needle}' in pathlib.Path('/proc/1/cmdline').read_bytes().decode('utf-8','ignore') else 1)`,
    ];
}

export const MIGRATE_COMMAND = ["sh", "-c", "python -m oss.databases.postgres.migrations.runner"];
export const MIGRATE_ENV = {
    ALEMBIC_AUTO_MIGRATIONS: "true",
    ALEMBIC_CFG_PATH_CORE: "/app/oss/databases/postgres/migrations/core/alembic.ini",
    ALEMBIC_CFG_PATH_TRACING: "/app/oss/databases/postgres/migrations/tracing/alembic.ini",
};

/**
 * Agenta's request limits, the same at the Ingress, the SSO gate and the edge: uploads (test sets,
 * files) up to 100 MiB, evaluations and LLM calls up to 5 minutes.
 */
export const AGENTA_HTTP_LIMITS: HttpLimits = { maxBodyMiB: 100, timeoutSeconds: 300 };

/**
 * The edge router: one origin for `/` (web), `/api` (api, which serves the prefix itself) and
 * `/services` (services, which does not: the prefix is stripped here). nginx started as an
 * unprivileged user, everything writable under /tmp. Redirects nginx makes itself (`/services` to
 * `/services/`) are relative: behind the TLS ingress its own scheme and port 8080 would be wrong.
 */
export function edgeConfig(ns: string): string {
    const svc = (name: string, port: number) => `http://${serviceHost(name, ns)}:${port}`;
    return [
        "worker_processes 1;",
        "pid /tmp/nginx.pid;",
        "error_log /dev/stderr warn;",
        "events { worker_connections 1024; }",
        "http {",
        "    access_log /dev/stdout;",
        "    client_body_temp_path /tmp/client_body;",
        "    proxy_temp_path /tmp/proxy;",
        "    fastcgi_temp_path /tmp/fastcgi;",
        "    uwsgi_temp_path /tmp/uwsgi;",
        "    scgi_temp_path /tmp/scgi;",
        `    client_max_body_size ${AGENTA_HTTP_LIMITS.maxBodyMiB}m;`,
        "    server_tokens off;",
        "    absolute_redirect off;",
        "    map $http_upgrade $connection_upgrade { default upgrade; '' close; }",
        "    proxy_http_version 1.1;",
        "    proxy_set_header Host $host;",
        "    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        "    proxy_set_header X-Forwarded-Proto $http_x_forwarded_proto;",
        "    proxy_set_header Upgrade $http_upgrade;",
        "    proxy_set_header Connection $connection_upgrade;",
        `    proxy_read_timeout ${AGENTA_HTTP_LIMITS.timeoutSeconds}s;`,
        `    proxy_send_timeout ${AGENTA_HTTP_LIMITS.timeoutSeconds}s;`,
        "    proxy_buffering off;",
        "    server {",
        `        listen ${AGENTA_EDGE_PORT};`,
        "        location = /healthz { access_log off; return 200 'ok'; }",
        `        location /services/ { proxy_pass ${svc("agenta-services", AGENTA_SERVICES_PORT)}/; }`,
        `        location /api/ { proxy_pass ${svc(AGENTA_API_SERVICE, AGENTA_API_PORT)}; }`,
        `        location / { proxy_pass ${svc("agenta-web", AGENTA_WEB_PORT)}; }`,
        "    }",
        "}",
        "",
    ].join("\n");
}

/** SuperTokens' HikariCP pool. */
export const SUPERTOKENS_POOL_SIZE: Readonly<Record<Size, number>> = { small: 2, standard: 5, large: 10 };
/** What an Agenta engine is expected to hold at once; Agenta v0.113.0 cannot be told (its pool is fixed at 100+300). */
export const AGENTA_ENGINE_SHARE: Readonly<Record<Size, number>> = { small: 1, standard: 2, large: 4 };
/** Agenta's engines per process (core and tracing databases). */
export const AGENTA_ENGINES = 2;
