import type * as k8s from "@pulumi/kubernetes";

/**
 * How each Postgres client of the platform is told to encrypt and verify its connection. The four
 * clients spell it differently, and only some read a CA file without being told where it is:
 *
 * - libpq (MLflow's psycopg2, pg_dump in backups): `sslmode`, `sslrootcert` in the URL.
 * - asyncpg 0.31 (Agenta, through SQLAlchemy): `ssl=<mode>` in the URL; SQLAlchemy passes the
 *   other query parameters to `asyncpg.connect()`, which takes no `sslrootcert`, so the CA comes
 *   from `PGSSLROOTCERT` (asyncpg/connect_utils.py).
 * - pgjdbc 42.7 (SuperTokens; postgresql-plugin 9.4 turns the URI's query into JDBC attributes):
 *   `sslmode`, `sslrootcert`.
 * - Prisma 6 (Langfuse; quaint's postgres/url.rs): `sslmode` knows only disable, prefer and
 *   require (anything else falls back to prefer, unverified); a CA is `sslcert`, and verification
 *   happens only with `sslaccept=strict` (chain and host name), otherwise certificates are accepted.
 *
 * Without a CA file, libpq, asyncpg and pgjdbc refuse `verify-ca`/`verify-full` (they look for
 * `~/.postgresql/root.crt`), so the CA must be mounted into every client container.
 */

export const SSL_MODES = ["disable", "require", "verify-ca", "verify-full"] as const;
export type SslMode = (typeof SSL_MODES)[number];

/** Where the CA that signs the server's certificate comes from. */
export type PostgresCa =
    | { readonly kind: "pem"; readonly pem: string }
    | { readonly kind: "configMap"; readonly name: string; readonly key: string }
    | { readonly kind: "secret"; readonly name: string; readonly key: string };

export interface PostgresTls {
    readonly sslMode: SslMode;
    /**
     * Set whenever the mode verifies the server (the environment's validation ensures it).
     * @default none: no CA file is mounted or named in the URLs
     */
    readonly ca?: PostgresCa;
}

/**
 * A database client, by the library that speaks to Postgres: `libpq` (pg_dump), `psycopg2`
 * (SQLAlchemy over libpq: MLflow), `asyncpg` (SQLAlchemy: Agenta), `jdbc` (SuperTokens), `prisma`
 * (Langfuse).
 */
export type PostgresClient = "libpq" | "psycopg2" | "asyncpg" | "jdbc" | "prisma";

/** Whether the mode verifies the server's certificate, and so needs a CA. */
export function verifies(mode: SslMode): boolean {
    return mode === "verify-ca" || mode === "verify-full";
}

/** The ConfigMap the platform writes into each tenant namespace when the CA is given as PEM. */
export const POSTGRES_CA_CONFIGMAP = "postgres-ca";
const CA_VOLUME = "postgres-ca";
const CA_DIR = "/etc/llmops/postgres-ca";
const CA_FILE = "ca.crt";
/** Where every client container finds the CA. */
export const POSTGRES_CA_PATH = `${CA_DIR}/${CA_FILE}`;

/** The connection-string parameters of one client for this TLS setting. */
export function tlsQuery(client: PostgresClient, tls: PostgresTls): Record<string, string> {
    const verify = verifies(tls.sslMode);
    if (verify && !tls.ca)
        throw new Error(`sslmode ${tls.sslMode} needs a CA certificate; the environment's validation should have refused this`);
    switch (client) {
        case "libpq":
        case "psycopg2":
        case "jdbc":
            return verify ? { sslmode: tls.sslMode, sslrootcert: POSTGRES_CA_PATH } : { sslmode: tls.sslMode };
        case "asyncpg":
            return { ssl: tls.sslMode };
        case "prisma":
            return verify ? { sslmode: "require", sslcert: POSTGRES_CA_PATH, sslaccept: "strict" } : { sslmode: tls.sslMode };
    }
}

/** Environment variables a client needs beside its URL (asyncpg reads its CA only from the environment). */
export function tlsEnv(client: PostgresClient, tls: PostgresTls): Record<string, string> {
    return client === "asyncpg" && verifies(tls.sslMode) ? { PGSSLROOTCERT: POSTGRES_CA_PATH } : {};
}

/** The pod volume holding the CA, when the mode verifies the server. */
export function caVolumes(tls: PostgresTls): k8s.types.input.core.v1.Volume[] {
    if (!verifies(tls.sslMode) || !tls.ca) return [];
    const ca = tls.ca;
    const items = [{ key: ca.kind === "pem" ? CA_FILE : ca.key, path: CA_FILE }];
    if (ca.kind === "secret") return [{ name: CA_VOLUME, secret: { secretName: ca.name, items } }];
    return [{ name: CA_VOLUME, configMap: { name: ca.kind === "pem" ? POSTGRES_CA_CONFIGMAP : ca.name, items } }];
}

/** The mount of {@link caVolumes} in a client container. */
export function caMounts(tls: PostgresTls): k8s.types.input.core.v1.VolumeMount[] {
    return caVolumes(tls).length ? [{ name: CA_VOLUME, mountPath: CA_DIR, readOnly: true }] : [];
}

/** The data of the ConfigMap {@link POSTGRES_CA_CONFIGMAP}, when the CA is given as PEM. */
export function caConfigMapData(tls: PostgresTls): Record<string, string> | undefined {
    return verifies(tls.sslMode) && tls.ca?.kind === "pem" ? { [CA_FILE]: tls.ca.pem } : undefined;
}
