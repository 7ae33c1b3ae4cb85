import * as k8s from "@pulumi/kubernetes";
import * as postgresql from "@pulumi/postgresql";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { NamespaceRef } from "../../kube/namespace";
import { statefulOptions } from "../../kube/options";
import { execProbe, httpProbe, startupWindow } from "../../kube/probes";

/** postgres_exporter's port, when monitoring is on. */
export const POSTGRES_EXPORTER_PORT = 9187;
import { standardLabels } from "../../naming/labels";
import { DATA_SERVICES } from "../../sizing/profiles";
import { IMAGES } from "../../versions/images";
import { statefulService } from "../stateful-service";
import { DATA_SERVICE_PORTS } from "../ports";
import { fromSecret } from "../../kube/workload";
import type { PostgresSettings } from "./settings";
import type { PostgresTls } from "./tls";

export interface PostgresArgs {
    readonly settings: PostgresSettings;
    /** The platform namespace; only used in-cluster. */
    readonly namespace: NamespaceRef;
    /** The environment's name, for labels. */
    readonly environment: string;
    /** Protect the server's state (its volume, its generated admin password) from deletion. */
    readonly protect: boolean;
    /** Run a metrics endpoint for the Prometheus Operator. @default false */
    readonly metrics?: boolean;
    /** StorageClass of the volume. @default the cluster's default class */
    readonly storageClass?: string;
}

/**
 * The environment's Postgres: in-cluster (a StatefulSet) or external (nothing deployed). Either
 * way it exposes where apps connect and an admin provider through which tenant roles and
 * databases are created. The provider waits for the in-cluster server to be ready.
 */
export class Postgres extends pulumi.ComponentResource {
    /** Host apps connect to. */
    readonly host: string;
    readonly port: number;
    /** How apps encrypt and verify their connections ({@link tlsQuery} spells it per client). */
    readonly tls: PostgresTls;
    /** The server's `max_connections`. */
    readonly maxConnections: number;
    /** Provider for `@pulumi/postgresql` resources, connected as the admin user. */
    readonly provider: postgresql.Provider;

    constructor(name: string, args: PostgresArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("llmops:data:Postgres", name, {}, opts);
        const s = args.settings;
        const labels = { app: "postgres", environment: args.environment };

        if (s.mode === "external") {
            this.host = s.host;
            this.port = s.port;
            this.tls = { sslMode: s.sslMode, ca: s.ca };
            this.maxConnections = s.maxConnections;
            this.provider = new postgresql.Provider(
                `${name}-admin`,
                {
                    host: s.host,
                    port: s.port,
                    username: s.adminUser,
                    password: s.adminPassword.value,
                    sslmode: s.sslMode,
                    superuser: false,
                    connectTimeout: 15,
                },
                { parent: this },
            );
            this.registerOutputs({ host: this.host, port: this.port, maxConnections: this.maxConnections });
            return;
        }

        const password = new random.RandomPassword(
            `${name}-admin-password`,
            { length: 32, special: false },
            statefulOptions(args.protect, { parent: this }),
        );
        const secret = new k8s.core.v1.Secret(
            `${name}-admin`,
            {
                metadata: { name: "postgres-admin", namespace: args.namespace.output, labels: standardLabels(labels) },
                type: "Opaque",
                stringData: { POSTGRES_USER: "postgres", POSTGRES_PASSWORD: password.result },
            },
            { parent: this },
        );
        const resources = DATA_SERVICES.postgres[s.size];
        const service = statefulService(
            name,
            {
                serviceName: "postgres",
                namespace: args.namespace,
                labels,
                container: {
                    name: "postgres",
                    image: IMAGES.postgres,
                    // Many tenants' pools share this server; PgBouncer belongs in front once they outgrow it.
                    args: ["-c", `max_connections=${s.maxConnections}`, "-c", "password_encryption=scram-sha-256"],
                    env: {
                        PGDATA: "/var/lib/postgresql/data/pgdata",
                        POSTGRES_USER: fromSecret(secret.metadata.name, "POSTGRES_USER"),
                        POSTGRES_PASSWORD: fromSecret(secret.metadata.name, "POSTGRES_PASSWORD"),
                    },
                    startupProbe: startupWindow(execProbe(["pg_isready", "-h", "127.0.0.1", "-U", "postgres"]), 300),
                    readinessProbe: execProbe(["pg_isready", "-h", "127.0.0.1", "-U", "postgres"], { periodSeconds: 5 }),
                    livenessProbe: execProbe(["pg_isready", "-h", "127.0.0.1", "-U", "postgres"], {
                        periodSeconds: 15,
                        failureThreshold: 6,
                    }),
                    volumeMounts: [{ name: "shm", mountPath: "/dev/shm" }],
                },
                extraVolumes: [{ name: "shm", emptyDir: { medium: "Memory", sizeLimit: "256Mi" } }],
                // With monitoring, postgres_exporter beside the server, over loopback.
                sidecars: args.metrics
                    ? [
                          {
                              name: "exporter",
                              image: IMAGES.postgresExporter,
                              ports: [{ name: "metrics", port: POSTGRES_EXPORTER_PORT }],
                              env: {
                                  DATA_SOURCE_URI: `127.0.0.1:${DATA_SERVICE_PORTS.postgres}/postgres?sslmode=disable`,
                                  DATA_SOURCE_USER: fromSecret(secret.metadata.name, "POSTGRES_USER"),
                                  DATA_SOURCE_PASS: fromSecret(secret.metadata.name, "POSTGRES_PASSWORD"),
                              },
                              resources: DATA_SERVICES.postgresExporter[s.size],
                              readinessProbe: httpProbe("/", "metrics"),
                              livenessProbe: httpProbe("/", "metrics", { periodSeconds: 30 }),
                          },
                      ]
                    : undefined,
                sidecarPorts: args.metrics ? [{ name: "metrics", port: POSTGRES_EXPORTER_PORT }] : undefined,
                resources,
                ports: [{ name: "postgres", port: DATA_SERVICE_PORTS.postgres }],
                dataPath: "/var/lib/postgresql/data",
                storage: s.storage,
                storageClass: args.storageClass,
                nodePorts: s.nodePort !== undefined ? { postgres: s.nodePort } : undefined,
                protect: args.protect,
                terminationGracePeriodSeconds: 60,
            },
            { parent: this },
        );
        this.host = service.host;
        this.port = DATA_SERVICE_PORTS.postgres;
        this.tls = { sslMode: "disable" };
        this.maxConnections = s.maxConnections;
        this.provider = new postgresql.Provider(
            `${name}-admin`,
            {
                host: s.adminHost,
                port: s.adminPort,
                username: "postgres",
                password: password.result,
                sslmode: "disable",
                superuser: true,
                connectTimeout: 15,
            },
            { parent: this, dependsOn: [service.statefulSet] },
        );
        this.registerOutputs({ host: this.host, port: this.port, maxConnections: this.maxConnections });
    }
}
