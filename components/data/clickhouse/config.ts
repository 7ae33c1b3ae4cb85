/**
 * The config.d document of a tenant's ClickHouse. Pure, so tests read the effective settings.
 *
 * System log tables grow without bound by default. Each one the pinned image enables gets a TTL,
 * except `query_log`: Langfuse reads it (its hourly legacy-API usage job), so it stays as
 * upstream configures it. `opentelemetry_span_log` is configured upstream with an explicit
 * engine, which cannot be combined with a `ttl`; nothing in the platform uses it, so it is off.
 */
export const CAPPED_SYSTEM_LOGS = [
    "asynchronous_insert_log",
    "asynchronous_metric_log",
    "backup_log",
    "blob_storage_log",
    "crash_log",
    "error_log",
    "latency_log",
    "metric_log",
    "part_log",
    "processors_profile_log",
    "query_metric_log",
    "query_thread_log",
    "query_views_log",
    "s3queue_log",
    "text_log",
    "trace_log",
] as const;

export const DISABLED_SYSTEM_LOGS = ["opentelemetry_span_log"] as const;

export interface ClickHouseConfigArgs {
    /** Days system log tables (other than query_log) keep their rows. */
    readonly systemLogDays: number;
    /** Serve Prometheus metrics on this port at /metrics. @default none: no `<prometheus>` section, no metrics endpoint */
    readonly prometheusPort?: number;
}

export function clickhouseServerConfig(args: ClickHouseConfigArgs): string {
    if (!Number.isInteger(args.systemLogDays) || args.systemLogDays < 1)
        throw new Error(`systemLogDays must be a positive whole number, got ${args.systemLogDays}`);
    const lines = [
        "<clickhouse>",
        "    <!-- Log to stdout, and keep the files in the emptyDir small. -->",
        "    <logger>",
        "        <level>information</level>",
        "        <console>1</console>",
        "        <size>100M</size>",
        "        <count>2</count>",
        "    </logger>",
        ...CAPPED_SYSTEM_LOGS.map((t) => `    <${t}><ttl>event_date + INTERVAL ${args.systemLogDays} DAY DELETE</ttl></${t}>`),
        ...DISABLED_SYSTEM_LOGS.map((t) => `    <${t} remove="1"/>`),
        ...(args.prometheusPort
            ? [
                  "    <prometheus>",
                  "        <endpoint>/metrics</endpoint>",
                  `        <port>${args.prometheusPort}</port>`,
                  "        <metrics>true</metrics>",
                  "        <events>true</events>",
                  "        <asynchronous_metrics>true</asynchronous_metrics>",
                  "        <errors>true</errors>",
                  "    </prometheus>",
              ]
            : []),
        "</clickhouse>",
        "",
    ];
    return lines.join("\n");
}

/** The TTL each capped system log gets, parsed back from a config document (for tests and audits). */
export function systemLogTtls(config: string): Record<string, number> {
    const out: Record<string, number> = {};
    for (const m of config.matchAll(/<([a-z0-9_]+)><ttl>event_date \+ INTERVAL (\d+) DAY DELETE<\/ttl><\/\1>/g)) out[m[1]!] = Number(m[2]);
    return out;
}
