import type * as k8s from "@pulumi/kubernetes";
import * as postgresql from "@pulumi/postgresql";
import * as pulumi from "@pulumi/pulumi";
import { childOptions, statefulOptions } from "../../kube/options";
import { pgDatabase, pgRole } from "../../naming/names";
import { postgresUrl } from "../urls";
import { type PostgresClient, type PostgresTls, caMounts, caVolumes, tlsEnv, tlsQuery } from "./tls";

/** Where tenant principals reach the environment's Postgres, and the provider that creates them. */
export interface PostgresServer {
    readonly host: string;
    readonly port: number;
    readonly tls: PostgresTls;
    readonly provider: postgresql.Provider;
}

export interface TenantDatabases {
    readonly app: string;
    readonly role: string;
    readonly password: pulumi.Output<string>;
    /** Database names by suffix, e.g. `agenta_core` -> `acme_agenta_core`. */
    readonly names: Readonly<Record<string, string>>;
    readonly resources: readonly postgresql.Database[];
    /** Connections the role may hold at once (its Postgres connection limit). */
    readonly connectionLimit: number;
    /**
     * A connection URL for one database, for one kind of client: credentials percent-encoded, TLS
     * in that client's spelling, plus `params` (a pool size).
     */
    url(suffix: string, client: PostgresClient, params?: Readonly<Record<string, string>>): pulumi.Output<string>;
    /** What a client container needs beside the URL: the CA volume and mount, and environment. */
    client(client: PostgresClient): {
        env: Record<string, string>;
        volumes: k8s.types.input.core.v1.Volume[];
        volumeMounts: k8s.types.input.core.v1.VolumeMount[];
    };
}

/**
 * A tenant app's Postgres login role (never superuser, createdb or createrole) and the databases
 * it owns, with CONNECT revoked from PUBLIC so no other role can even connect.
 */
export function tenantDatabases(
    name: string,
    args: {
        tenantId: string;
        app: string;
        suffixes: readonly string[];
        postgres: PostgresServer;
        protect: boolean;
        password: pulumi.Output<string>;
        connectionLimit: number;
    },
    opts: pulumi.CustomResourceOptions = {},
): TenantDatabases {
    const provider = args.postgres.provider;
    const role = pgRole(args.tenantId, args.app);
    const password = { result: args.password };
    const roleResource = new postgresql.Role(
        `${name}-pg-role`,
        {
            name: role,
            login: true,
            password: password.result,
            superuser: false,
            createDatabase: false,
            createRole: false,
            replication: false,
            bypassRowLevelSecurity: false,
            inherit: true,
            connectionLimit: args.connectionLimit,
        },
        statefulOptions(args.protect, childOptions(opts, { provider })),
    );
    const names: Record<string, string> = {};
    const resources: postgresql.Database[] = [];
    for (const suffix of args.suffixes) {
        const dbName = pgDatabase(args.tenantId, suffix);
        names[suffix] = dbName;
        const db = new postgresql.Database(
            `${name}-pg-${suffix}`,
            { name: dbName, owner: roleResource.name, encoding: "UTF8", template: "template0", allowConnections: true },
            statefulOptions(args.protect, childOptions(opts, { provider })),
        );
        new postgresql.Grant(
            `${name}-pg-${suffix}-revoke-public`,
            { database: db.name, role: "public", objectType: "database", privileges: [] },
            childOptions(opts, { provider }),
        );
        resources.push(db);
    }
    const host = args.postgres.host;
    const port = args.postgres.port;
    const tls = args.postgres.tls;
    return {
        app: args.app,
        role,
        password: password.result,
        names,
        resources,
        connectionLimit: args.connectionLimit,
        client: (client) => ({ env: tlsEnv(client, tls), volumes: caVolumes(tls), volumeMounts: caMounts(tls) }),
        url: (suffix, client, params) => {
            const database = names[suffix];
            if (!database) throw new Error(`${name}: no database \`${suffix}\`; have ${Object.keys(names).join(", ")}`);
            // Waits for the database itself, so nothing connects before it exists.
            return pulumi.all([password.result, resources[args.suffixes.indexOf(suffix)]!.name]).apply(([pw]) =>
                postgresUrl({
                    scheme: URL_SCHEMES[client],
                    user: role,
                    password: pw,
                    host,
                    port,
                    database,
                    params: { ...tlsQuery(client, tls), ...params },
                }),
            );
        },
    };
}

/**
 * URL schemes by client. SQLAlchemy clients name their driver: SQLAlchemy 2.1 maps a bare
 * `postgresql://` to psycopg 3, which the MLflow -full image does not ship (its `db` extra
 * installs psycopg2).
 */
const URL_SCHEMES: Record<PostgresClient, string> = {
    libpq: "postgresql",
    psycopg2: "postgresql+psycopg2",
    asyncpg: "postgresql+asyncpg",
    jdbc: "postgresql",
    prisma: "postgresql",
};
