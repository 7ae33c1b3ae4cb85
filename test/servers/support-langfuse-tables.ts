/**
 * Langfuse's ClickHouse tables at the pinned version (4.16.0), reduced to what TTLs, backups and
 * restores touch: each table's name, engine, partitioning and sort key, its time columns with
 * their types, and the materialized view between events_full and events_core. Written from
 * reading packages/shared/clickhouse/migrations/unclustered/0001-0046 at tag v4.16.0 (the state
 * after all of them: event_log, project_environments and dataset_run_items are dropped by
 * 0044-0046); not a copy of them.
 */
export const LANGFUSE_VERSION = "4.16.0";

export const LANGFUSE_TABLES_DDL: readonly string[] = [
    // 0001 traces: ReplacingMergeTree(event_ts, is_deleted), monthly partitions on timestamp.
    `CREATE TABLE traces (id String, project_id String, timestamp DateTime64(3), name String,
       created_at DateTime64(3) DEFAULT now(), updated_at DateTime64(3) DEFAULT now(), event_ts DateTime64(3), is_deleted UInt8)
     ENGINE = ReplacingMergeTree(event_ts, is_deleted) PARTITION BY toYYYYMM(timestamp)
     PRIMARY KEY (project_id, toDate(timestamp)) ORDER BY (project_id, toDate(timestamp), id)`,
    // 0002 observations: partitions on start_time.
    `CREATE TABLE observations (id String, trace_id String, project_id String, type LowCardinality(String), start_time DateTime64(3),
       end_time Nullable(DateTime64(3)), name String, created_at DateTime64(3) DEFAULT now(), updated_at DateTime64(3) DEFAULT now(),
       event_ts DateTime64(3), is_deleted UInt8)
     ENGINE = ReplacingMergeTree(event_ts, is_deleted) PARTITION BY toYYYYMM(start_time)
     PRIMARY KEY (project_id, type, toDate(start_time)) ORDER BY (project_id, type, toDate(start_time), id)`,
    // 0003 scores: partitions on timestamp (trace_id made Nullable by 0014).
    `CREATE TABLE scores (id String, timestamp DateTime64(3), project_id String, trace_id Nullable(String), name String, value Float64,
       created_at DateTime64(3) DEFAULT now(), updated_at DateTime64(3) DEFAULT now(), event_ts DateTime64(3), is_deleted UInt8)
     ENGINE = ReplacingMergeTree(event_ts, is_deleted) PARTITION BY toYYYYMM(timestamp)
     PRIMARY KEY (project_id, toDate(timestamp), name) ORDER BY (project_id, toDate(timestamp), name, id)`,
    // 0011 blob_storage_file_log: no partitioning; created_at is its only time.
    `CREATE TABLE blob_storage_file_log (id String, project_id String, entity_type String, entity_id String, event_id String,
       bucket_name String, bucket_path String, created_at DateTime64(3) DEFAULT now(), updated_at DateTime64(3) DEFAULT now(),
       event_ts DateTime64(3), is_deleted UInt8)
     ENGINE = ReplacingMergeTree(event_ts, is_deleted) ORDER BY (project_id, entity_type, entity_id, event_id)`,
    // 0024 dataset_run_items_rmt.
    `CREATE TABLE dataset_run_items_rmt (id String, project_id String, dataset_run_id String, dataset_item_id String, dataset_id String,
       trace_id String, created_at DateTime64(3) DEFAULT now(), updated_at DateTime64(3) DEFAULT now(), dataset_run_created_at DateTime64(3),
       event_ts DateTime64(3), is_deleted UInt8)
     ENGINE = ReplacingMergeTree(event_ts, is_deleted) ORDER BY (project_id, dataset_id, dataset_run_id, id)`,
    // 0038 observations_batch_staging: carries its own 48-hour TTL.
    `CREATE TABLE observations_batch_staging (id String, trace_id String, project_id String, start_time DateTime64(3),
       event_ts DateTime64(3), is_deleted UInt8, s3_first_seen_timestamp DateTime64(3))
     ENGINE = ReplacingMergeTree(event_ts, is_deleted) PARTITION BY toStartOfInterval(s3_first_seen_timestamp, INTERVAL 3 MINUTE)
     PRIMARY KEY (project_id, toDate(s3_first_seen_timestamp)) ORDER BY (project_id, toDate(s3_first_seen_timestamp), trace_id, id)
     TTL toDateTime(s3_first_seen_timestamp) + INTERVAL 48 HOUR SETTINGS ttl_only_drop_parts = 1`,
    // 0039 events_full: microsecond times.
    `CREATE TABLE events_full (project_id String, trace_id String, span_id String, start_time DateTime64(6), name String,
       created_at DateTime64(6) DEFAULT now(), updated_at DateTime64(6) DEFAULT now(), event_ts DateTime64(6), is_deleted UInt8)
     ENGINE = ReplacingMergeTree(event_ts, is_deleted) PARTITION BY toYYYYMM(start_time)
     PRIMARY KEY (project_id, toStartOfMinute(start_time), xxHash32(trace_id))
     ORDER BY (project_id, toStartOfMinute(start_time), xxHash32(trace_id), span_id, start_time) SAMPLE BY xxHash32(trace_id)`,
    // 0040 events_core, filled from events_full by 0041's materialized view.
    `CREATE TABLE events_core (project_id String, trace_id String, span_id String, start_time DateTime64(6), name String,
       created_at DateTime64(6) DEFAULT now(), updated_at DateTime64(6) DEFAULT now(), event_ts DateTime64(6), is_deleted UInt8)
     ENGINE = ReplacingMergeTree(event_ts, is_deleted) PARTITION BY toYYYYMM(start_time)
     PRIMARY KEY (project_id, toStartOfMinute(start_time), xxHash32(trace_id))
     ORDER BY (project_id, toStartOfMinute(start_time), xxHash32(trace_id), span_id, start_time) SAMPLE BY xxHash32(trace_id)`,
    `CREATE MATERIALIZED VIEW events_core_mv TO events_core AS
       SELECT project_id, trace_id, span_id, start_time, name, created_at, updated_at, event_ts, is_deleted FROM events_full`,
    // golang-migrate's bookkeeping; Langfuse's migrate script asks for a MergeTree one.
    `CREATE TABLE schema_migrations (version Int64, dirty UInt8, sequence UInt64) ENGINE = MergeTree ORDER BY tuple()`,
];

/** The tables above with a time column the reconciler may set a TTL on (all but bookkeeping and the view). */
export const LANGFUSE_TABLE_NAMES = [
    "traces",
    "observations",
    "scores",
    "blob_storage_file_log",
    "dataset_run_items_rmt",
    "observations_batch_staging",
    "events_full",
    "events_core",
];
