import { createHash } from "node:crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { NamespaceRef } from "../../kube/namespace";
import type { WorkloadRole } from "../../kube/scheduling";
import type { Footprint, Resources } from "../../kube/resources";
import { httpProbe, startupWindow } from "../../kube/probes";
import { type LabelArgs, standardLabels } from "../../naming/labels";
import { IMAGES } from "../../versions/images";
import { type ClickHouseConfigArgs, clickhouseServerConfig } from "./config";
import { CLICKHOUSE_HTTP_PORT, CLICKHOUSE_METRICS_PORT, CLICKHOUSE_NATIVE_PORT } from "../ports";
import { statefulService } from "../stateful-service";
import { fromSecret } from "../../kube/workload";

/** Where a client reaches a ClickHouse server: the in-cluster component, or any other server. */
export interface ClickHouseEndpoint {
    /** The host jobs reach the native protocol on (`CLICKHOUSE_HOST`). */
    readonly host: string;
    /** The HTTP interface, e.g. `http://clickhouse.llm-acme.svc.cluster.local:8123`. */
    readonly httpUrl: string;
    /** The native protocol, e.g. `clickhouse://clickhouse.llm-acme.svc.cluster.local:9000`. */
    readonly nativeUrl: string;
    readonly user: string;
    readonly database: string;
    readonly password: pulumi.Output<string>;
    /** A Secret in the client's namespace with the credentials (`CLICKHOUSE_USER`, `CLICKHOUSE_PASSWORD`), for jobs. */
    readonly secretName: string;
    /** What must exist before a client connects. */
    readonly ready: readonly pulumi.Resource[];
}

export interface ClickHouseArgs {
    readonly namespace: NamespaceRef;
    readonly labels: LabelArgs;
    readonly resources: Resources;
    readonly storage: string;
    /** StorageClass of the volume. @default the cluster's default class */
    readonly storageClass?: string;
    /** The database and user created at first start. */
    readonly database: string;
    readonly user: string;
    readonly password: pulumi.Output<string>;
    /** Extra server settings (system log TTLs), written as one config.d document. */
    readonly serverConfig: Omit<ClickHouseConfigArgs, "prometheusPort">;
    readonly protect: boolean;
    /** 0 to stop it (its volume stays). @default 1 */
    readonly replicas?: number;
    /** Node pool and priority, when not the namespace's default. @default the namespace's default role */
    readonly role?: Partial<WorkloadRole>;
    /** Serve Prometheus metrics on {@link CLICKHOUSE_METRICS_PORT}. @default false */
    readonly metrics?: boolean;
}

/**
 * A single-node ClickHouse owned by one tenant (its Langfuse reads system tables such as
 * `system.query_log`, so a shared server would show one tenant another's queries). The server
 * logs to stdout; the extra config is mounted as one file so the image's own config.d files
 * (listen addresses) stay in place.
 */
export class ClickHouse extends pulumi.ComponentResource implements ClickHouseEndpoint {
    readonly host: string;
    readonly httpUrl: string;
    readonly nativeUrl: string;
    readonly user: string;
    readonly database: string;
    readonly password: pulumi.Output<string>;
    /** What the server asks for and may use, times its replicas. */
    readonly footprint: Footprint;
    /** The Secret with CLICKHOUSE_USER, CLICKHOUSE_PASSWORD and CLICKHOUSE_DB, for clients in the namespace. */
    readonly secretName = "clickhouse-credentials";
    readonly ready: readonly pulumi.Resource[] = [this];

    constructor(name: string, args: ClickHouseArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("llmops:data:ClickHouse", name, {}, opts);
        const labels = standardLabels(args.labels);
        const password = { result: args.password };
        const secret = new k8s.core.v1.Secret(
            `${name}-credentials`,
            {
                metadata: { name: this.secretName, namespace: args.namespace.output, labels },
                type: "Opaque",
                stringData: { CLICKHOUSE_USER: args.user, CLICKHOUSE_PASSWORD: password.result, CLICKHOUSE_DB: args.database },
            },
            { parent: this },
        );
        const serverConfig = clickhouseServerConfig({
            ...args.serverConfig,
            prometheusPort: args.metrics ? CLICKHOUSE_METRICS_PORT : undefined,
        });
        const config = new k8s.core.v1.ConfigMap(
            `${name}-config`,
            { metadata: { name: "clickhouse-config", namespace: args.namespace.output, labels }, data: { "llmops.xml": serverConfig } },
            { parent: this },
        );
        const service = statefulService(
            name,
            {
                serviceName: "clickhouse",
                replicas: args.replicas,
                role: args.role,
                namespace: args.namespace,
                labels: args.labels,
                container: {
                    name: "clickhouse",
                    image: IMAGES.clickhouse,
                    env: {
                        CLICKHOUSE_USER: fromSecret(secret.metadata.name, "CLICKHOUSE_USER"),
                        CLICKHOUSE_PASSWORD: fromSecret(secret.metadata.name, "CLICKHOUSE_PASSWORD"),
                        CLICKHOUSE_DB: fromSecret(secret.metadata.name, "CLICKHOUSE_DB"),
                        // The user the entrypoint creates may grant and create users in its own instance.
                        CLICKHOUSE_DEFAULT_ACCESS_MANAGEMENT: "1",
                    },
                    startupProbe: startupWindow(httpProbe("/ping", "http"), 300),
                    readinessProbe: httpProbe("/ping", "http", { periodSeconds: 5 }),
                    livenessProbe: httpProbe("/ping", "http", { periodSeconds: 15, failureThreshold: 4 }),
                    volumeMounts: [
                        { name: "config", mountPath: "/etc/clickhouse-server/config.d/llmops.xml", subPath: "llmops.xml", readOnly: true },
                    ],
                },
                extraVolumes: [{ name: "config", configMap: { name: config.metadata.name } }],
                resources: args.resources,
                ports: [
                    { name: "http", port: CLICKHOUSE_HTTP_PORT },
                    { name: "native", port: CLICKHOUSE_NATIVE_PORT },
                    ...(args.metrics ? [{ name: "metrics", port: CLICKHOUSE_METRICS_PORT }] : []),
                ],
                dataPath: "/var/lib/clickhouse",
                storage: args.storage,
                storageClass: args.storageClass,
                protect: args.protect,
                podAnnotations: { "llmops.io/config-hash": createHash("sha256").update(serverConfig).digest("hex").slice(0, 16) },
                terminationGracePeriodSeconds: 60,
            },
            { parent: this },
        );
        this.host = service.host;
        this.httpUrl = `http://${service.host}:${CLICKHOUSE_HTTP_PORT}`;
        this.nativeUrl = `clickhouse://${service.host}:${CLICKHOUSE_NATIVE_PORT}`;
        this.footprint = service.footprint;
        this.user = args.user;
        this.database = args.database;
        this.password = password.result;
        this.registerOutputs({ host: this.host, user: this.user, database: this.database, secretName: this.secretName });
    }
}
