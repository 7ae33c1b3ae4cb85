import { CLICKHOUSE_NATIVE_PORT } from "../data/ports";
/**
 * Trace retention in a tenant's ClickHouse. Langfuse's built-in per-project retention is
 * Enterprise-only, so the open-source way is a TTL on every MergeTree table Langfuse writes at the
 * pinned version (4.16: migrations 0001-0046, `unclustered`), applied by a reconciler after every
 * deploy and checked: any MergeTree table without a TTL fails the run, so a Langfuse upgrade that
 * adds a table cannot silently keep its data forever.
 */

export interface TtlTable {
    readonly table: string;
    /** The table's time column; DateTime64 columns are wrapped in toDateTime(). */
    readonly column: string;
    /** Days added to the tenant's trace retention. @default 0 */
    readonly extraDays?: number;
}

/** The tables Langfuse 4.16 writes, with their time columns. */
export const LANGFUSE_TTL_TABLES: readonly TtlTable[] = [
    { table: "traces", column: "timestamp" },
    { table: "observations", column: "start_time" },
    { table: "scores", column: "timestamp" },
    { table: "events_full", column: "start_time" },
    // Filled from events_full by a materialized view: the same rows, the same age.
    { table: "events_core", column: "start_time" },
    { table: "dataset_run_items_rmt", column: "created_at" },
    // The worker uses it to find the S3 event files to delete: it must outlive them by a day.
    { table: "blob_storage_file_log", column: "created_at", extraDays: 1 },
];

/** Tables that are not trace data: golang-migrate's bookkeeping, and the staging table with its own 48-hour TTL. */
export const TTL_EXEMPT_TABLES = ["schema_migrations"] as const;

export function ttlExpression(t: TtlTable, traceDays: number): string {
    return `toDateTime(${t.column}) + INTERVAL ${traceDays + (t.extraDays ?? 0)} DAY`;
}

/** The effective TTL, in days, of each table for a tenant's trace retention. */
export function effectiveTtlDays(traceDays: number): Record<string, number> {
    return Object.fromEntries(LANGFUSE_TTL_TABLES.map((t) => [t.table, traceDays + (t.extraDays ?? 0)]));
}

/**
 * The reconciler script (POSIX sh, run with the ClickHouse image's clickhouse-client). It waits
 * for Langfuse's migrations to have created the tables, sets each table's TTL, then fails if any
 * MergeTree table of the database has none. With MATERIALIZE=0 (the nightly run) the TTL is only
 * stored, without rewriting parts; the deploy-time run materializes it so old rows go at once.
 */
export function ttlScript(traceDays: number): string {
    if (!Number.isInteger(traceDays) || traceDays < 1) throw new Error(`traceDays must be a positive whole number, got ${traceDays}`);
    const lines = [
        "#!/bin/sh",
        "set -eu",
        `ch() { clickhouse-client --host "$CLICKHOUSE_HOST" --port ${CLICKHOUSE_NATIVE_PORT} --user "$CLICKHOUSE_USER" --password "$CLICKHOUSE_PASSWORD" --database "$CLICKHOUSE_DB" --query "$1"; }`,
        'settings=""',
        'if [ "${MATERIALIZE:-1}" = "0" ]; then settings=" SETTINGS materialize_ttl_after_modify = 0"; fi',
        `for t in ${LANGFUSE_TTL_TABLES.map((t) => t.table).join(" ")}; do`,
        "  n=0",
        '  until [ "$(ch "EXISTS TABLE $t")" = "1" ]; do',
        "    n=$((n + 1))",
        '    if [ "$n" -ge 60 ]; then echo "retention: table $t still missing after 10 minutes; have Langfuse\'s migrations run?" >&2; exit 1; fi',
        "    sleep 10",
        "  done",
        "done",
        ...LANGFUSE_TTL_TABLES.map((t) => `ch "ALTER TABLE ${t.table} MODIFY TTL ${ttlExpression(t, traceDays)}$settings"`),
        `missing=$(ch "SELECT name FROM system.tables WHERE database = currentDatabase() AND engine LIKE '%MergeTree' AND name NOT IN (${TTL_EXEMPT_TABLES.map((t) => `'${t}'`).join(", ")}) AND create_table_query NOT LIKE '% TTL %' ORDER BY name FORMAT TSV")`,
        'if [ -n "$missing" ]; then',
        "  echo \"retention: these MergeTree tables have no TTL: $(echo \"$missing\" | tr '\\n' ' '). Langfuse writes a table the platform does not know yet: add it to components/retention/clickhouse-ttl.ts.\" >&2",
        "  exit 1",
        "fi",
        `echo "retention: traces kept ${traceDays} days on ${LANGFUSE_TTL_TABLES.length} tables"`,
        "",
    ];
    return lines.join("\n");
}

/** The TTL each table gets in a script, parsed back (for tests and audits). */
export function ttlsInScript(script: string): Record<string, number> {
    const out: Record<string, number> = {};
    for (const m of script.matchAll(/ALTER TABLE (\w+) MODIFY TTL toDateTime\(\w+\) \+ INTERVAL (\d+) DAY/g)) out[m[1]!] = Number(m[2]);
    return out;
}
