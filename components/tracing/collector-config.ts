/**
 * The trace gateway's OpenTelemetry Collector configuration (contrib 0.159: `otlp_http` exporter,
 * `routing` and `count` connectors, `file_storage` extension). Pure: built from the tenants'
 * routes and checked for internal consistency before anything is declared.
 */

/** The resource attribute Kong sets per consumer and the gateway routes on. */
export const TENANT_ATTRIBUTE = "llmops.tenant.id";
export const OTLP_HTTP_PORT = 4318;
export const HEALTH_PORT = 13133;
export const SELF_METRICS_PORT = 8888;
export const UNROUTED_METRICS_PORT = 8889;

/** The collector's exporter towards one tenant's Langfuse: also the `exporter` label of its metrics. */
export function tenantExporterId(tenantId: string): string {
    return `otlp_http/tenant-${tenantId}`;
}
export const QUEUE_DIR = "/var/lib/otelcol/queue";
/** The metric counting spans dropped because their tenant is unknown (or missing). */
export const UNROUTED_METRIC = "llmops.trace_gateway.unrouted_spans";

export interface TenantRoute {
    readonly tenantId: string;
    /** The tenant's Langfuse OTLP/HTTP traces URL. */
    readonly tracesEndpoint: string;
}

export interface CollectorConfigArgs {
    readonly routes: readonly TenantRoute[];
    /** A copy of every span goes here too (the gateway team's backend). @default none: spans go only to the tenants' Langfuse */
    readonly forward?: { readonly endpoint: string; readonly authorizationEnv?: string };
}

/** The env var holding a tenant's `Authorization: Basic base64(pk:sk)` header value. */
export function tenantAuthEnv(tenantId: string): string {
    return `LLMOPS_TENANT_${tenantId.toUpperCase().replace(/-/g, "_")}_AUTHORIZATION`;
}

/** The Basic authorization header value Langfuse's OTLP endpoint expects. */
export function basicAuthorization(publicKey: string, secretKey: string): string {
    return `Basic ${Buffer.from(`${publicKey}:${secretKey}`).toString("base64")}`;
}

export const FORWARD_AUTH_ENV = "LLMOPS_FORWARD_AUTHORIZATION";

type Obj = Record<string, unknown>;

const retry = { enabled: true, initial_interval: "5s", max_interval: "30s", max_elapsed_time: "1h" };

function queue(consumers: number): Obj {
    // Persistent: spans survive a restart of the gateway and wait out a Langfuse outage.
    return { enabled: true, storage: "file_storage/queue", num_consumers: consumers, queue_size: 10_000 };
}

export function collectorConfig(args: CollectorConfigArgs): Obj {
    const routes = [...args.routes].sort((a, b) => a.tenantId.localeCompare(b.tenantId));
    const exporters: Obj = {};
    const pipelines: Obj = {};
    for (const r of routes) {
        exporters[tenantExporterId(r.tenantId)] = {
            traces_endpoint: r.tracesEndpoint,
            headers: { Authorization: `\${env:${tenantAuthEnv(r.tenantId)}}` },
            encoding: "proto",
            compression: "gzip",
            timeout: "30s",
            retry_on_failure: retry,
            sending_queue: queue(4),
        };
        pipelines[`traces/tenant-${r.tenantId}`] = { receivers: ["routing"], exporters: [tenantExporterId(r.tenantId)] };
    }
    const inbound = ["routing"];
    if (args.forward) {
        exporters["otlp_http/forward"] = {
            traces_endpoint: args.forward.endpoint,
            ...(args.forward.authorizationEnv ? { headers: { Authorization: `\${env:${args.forward.authorizationEnv}}` } } : {}),
            encoding: "proto",
            compression: "gzip",
            retry_on_failure: retry,
            sending_queue: queue(4),
        };
        inbound.push("otlp_http/forward");
    }
    exporters[`prometheus/unrouted`] = { endpoint: `0.0.0.0:${UNROUTED_METRICS_PORT}` };
    pipelines["traces/in"] = { receivers: ["otlp"], processors: ["memory_limiter"], exporters: inbound };
    pipelines["traces/unrouted"] = { receivers: ["routing"], exporters: ["count/unrouted"] };
    pipelines["metrics/unrouted"] = { receivers: ["count/unrouted"], exporters: ["prometheus/unrouted"] };
    return {
        extensions: {
            health_check: { endpoint: `0.0.0.0:${HEALTH_PORT}` },
            "file_storage/queue": { directory: QUEUE_DIR, create_directory: true, compaction: { on_start: true, directory: QUEUE_DIR } },
        },
        receivers: { otlp: { protocols: { http: { endpoint: `0.0.0.0:${OTLP_HTTP_PORT}` } } } },
        processors: { memory_limiter: { check_interval: "1s", limit_percentage: 80, spike_limit_percentage: 20 } },
        connectors: {
            routing: {
                // Spans of an unknown or missing tenant go to the default pipeline, where they are counted and dropped.
                error_mode: "ignore",
                default_pipelines: ["traces/unrouted"],
                table: routes.map((r) => ({
                    context: "resource",
                    condition: `attributes["${TENANT_ATTRIBUTE}"] == "${r.tenantId}"`,
                    pipelines: [`traces/tenant-${r.tenantId}`],
                })),
            },
            "count/unrouted": {
                spans: {
                    [UNROUTED_METRIC]: { description: "Spans dropped by the trace gateway because their tenant is unknown or missing." },
                },
            },
        },
        exporters,
        service: {
            extensions: ["health_check", "file_storage/queue"],
            telemetry: {
                logs: { level: "info" },
                metrics: { readers: [{ pull: { exporter: { prometheus: { host: "0.0.0.0", port: SELF_METRICS_PORT } } } }] },
            },
            pipelines,
        },
    };
}

/**
 * Problems with a collector configuration that would stop the collector or lose spans: undefined
 * components, connectors used on one side only, unknown storage, env vars nobody sets, tenants
 * routed to the wrong exporter, routes without pipelines. Empty when consistent.
 */
export function collectorConfigProblems(
    config: Obj,
    gateway: { readonly provided: ReadonlySet<string>; readonly tenants: readonly string[] },
): string[] {
    const problems: string[] = [];
    const section = (name: string) => (config[name] ?? {}) as Record<string, Obj>;
    const receivers = section("receivers");
    const processors = section("processors");
    const exporters = section("exporters");
    const connectors = section("connectors");
    const extensions = section("extensions");
    const service = (config["service"] ?? {}) as {
        extensions?: string[];
        pipelines?: Record<string, { receivers?: string[]; processors?: string[]; exporters?: string[] }>;
    };
    const pipelines = service.pipelines ?? {};
    const usedAsExporter = new Set<string>();
    const usedAsReceiver = new Set<string>();
    for (const [name, p] of Object.entries(pipelines)) {
        if (!p.receivers?.length) problems.push(`pipeline ${name} has no receivers`);
        if (!p.exporters?.length) problems.push(`pipeline ${name} has no exporters`);
        for (const r of p.receivers ?? []) {
            if (connectors[r]) usedAsReceiver.add(r);
            else if (!receivers[r]) problems.push(`pipeline ${name} uses receiver ${r}, which is not defined`);
        }
        for (const pr of p.processors ?? [])
            if (!processors[pr]) problems.push(`pipeline ${name} uses processor ${pr}, which is not defined`);
        for (const e of p.exporters ?? []) {
            if (connectors[e]) usedAsExporter.add(e);
            else if (!exporters[e]) problems.push(`pipeline ${name} uses exporter ${e}, which is not defined`);
        }
    }
    for (const c of Object.keys(connectors)) {
        if (!usedAsExporter.has(c)) problems.push(`connector ${c} receives from no pipeline`);
        if (!usedAsReceiver.has(c)) problems.push(`connector ${c} feeds no pipeline`);
    }
    for (const kind of ["receivers", "processors", "exporters", "extensions"] as const) {
        for (const name of Object.keys(section(kind))) {
            const used =
                kind === "extensions"
                    ? (service.extensions ?? []).includes(name)
                    : Object.values(pipelines).some((p) => (p[kind] ?? []).includes(name));
            if (!used) problems.push(`${kind.slice(0, -1)} ${name} is defined but not used`);
        }
    }
    for (const ext of service.extensions ?? []) if (!extensions[ext]) problems.push(`service uses extension ${ext}, which is not defined`);
    for (const [name, e] of Object.entries(exporters)) {
        const storage = (e["sending_queue"] as { storage?: string } | undefined)?.storage;
        if (storage && !(service.extensions ?? []).includes(storage))
            problems.push(`exporter ${name} queues to storage ${storage}, which is not an enabled extension`);
    }
    for (const m of JSON.stringify(config).matchAll(/\$\{env:([A-Z0-9_]+)\}/g)) {
        if (!gateway.provided.has(m[1]!)) problems.push(`the config reads \${env:${m[1]}}, which the gateway's Secret does not set`);
    }
    const routing = connectors["routing"] as
        { table?: Array<{ condition?: string; pipelines?: string[] }>; default_pipelines?: string[] } | undefined;
    const routed = new Map<string, string[]>();
    for (const route of routing?.table ?? []) {
        const tenant = /== "([a-z0-9-]+)"$/.exec(route.condition ?? "")?.[1];
        if (!tenant) {
            problems.push(`route ${route.condition} does not name a tenant`);
            continue;
        }
        for (const p of route.pipelines ?? []) {
            if (!pipelines[p]) problems.push(`tenant ${tenant} is routed to pipeline ${p}, which is not defined`);
            for (const e of pipelines[p]?.exporters ?? []) {
                const header = JSON.stringify((exporters[e]?.["headers"] as Obj | undefined) ?? {});
                if (!header.includes(tenantAuthEnv(tenant)))
                    problems.push(`tenant ${tenant} is routed to exporter ${e}, which does not carry its own credentials`);
                for (const other of gateway.tenants)
                    if (other !== tenant && header.includes(tenantAuthEnv(other)))
                        problems.push(`exporter ${e} on tenant ${tenant}'s route carries the credentials of ${other}`);
            }
        }
        routed.set(tenant, route.pipelines ?? []);
    }
    for (const t of gateway.tenants) if (!routed.has(t)) problems.push(`tenant ${t} has no route`);
    for (const p of routing?.default_pipelines ?? []) if (!pipelines[p]) problems.push(`default pipeline ${p} is not defined`);
    return problems;
}
