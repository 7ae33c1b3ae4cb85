/**
 * The ports of the in-cluster data services, by the app label of their pods: what their
 * Services listen on, what tenant network policies admit, and the default of an external one.
 */
export const DATA_SERVICE_PORTS = { postgres: 5432, minio: 9000, redis: 6379 } as const;
export type DataServiceApp = keyof typeof DATA_SERVICE_PORTS;

/** A tenant ClickHouse's ports: HTTP (Langfuse's queries), native (clickhouse-client, migrations), Prometheus. */
export const CLICKHOUSE_HTTP_PORT = 8123;
export const CLICKHOUSE_NATIVE_PORT = 9000;
export const CLICKHOUSE_METRICS_PORT = 9363;
