import * as k8s from "@pulumi/kubernetes";
import * as minio from "@pulumi/minio";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { NamespaceRef } from "../../kube/namespace";
import { type IngressSettings, appIngress } from "../../kube/ingress";
import type { ObjectStoreSettings } from "./settings";
import { networkPolicy } from "../../kube/namespace";
import { allowAcmeHttp01Solvers, namespacePeer, tcp } from "../../kube/network";
import { statefulOptions } from "../../kube/options";
import { httpProbe, startupWindow } from "../../kube/probes";
import { LABELS, standardLabels } from "../../naming/labels";
import { DATA_SERVICES } from "../../sizing/profiles";
import { IMAGES } from "../../versions/images";
import { statefulService } from "../stateful-service";
import { DATA_SERVICE_PORTS } from "../ports";
import { fromSecret } from "../../kube/workload";

export interface ObjectStoreArgs {
    readonly settings: ObjectStoreSettings;
    /** The platform namespace; only used in-cluster. */
    readonly namespace: NamespaceRef;
    /** The ingress controller that serves the public S3 origin in-cluster. */
    readonly ingress: IngressSettings;
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
 * The environment's S3-compatible object store. In-cluster it is MinIO's final community image
 * (the community edition is archived; meant for `local` and `dev`); external, it is any service
 * that speaks S3 and the MinIO admin API. Buckets, users and policies go through {@link provider}.
 */
export class ObjectStore extends pulumi.ComponentResource {
    /** S3 endpoint URL apps use, e.g. `http://minio.llm-platform.svc.cluster.local:9000`. */
    readonly endpoint: string;
    /**
     * S3 origin browsers and SDKs reach, e.g. `https://s3.llmops.example.com`: apps sign the URLs
     * they hand out (uploads, downloads, exports) for it, never for the in-cluster {@link endpoint}.
     */
    readonly publicEndpoint: string;
    readonly region: string;
    readonly provider: minio.Provider;

    constructor(name: string, args: ObjectStoreArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("llmops:data:ObjectStore", name, {}, opts);
        const s = args.settings;
        const labels = { app: "minio", environment: args.environment };

        this.publicEndpoint = s.publicEndpoint;
        if (s.mode === "external") {
            this.endpoint = `${s.ssl ? "https" : "http"}://${s.endpoint}`;
            this.region = s.region;
            this.provider = new minio.Provider(
                `${name}-admin`,
                {
                    minioServer: s.endpoint,
                    minioUser: s.adminUser,
                    minioPassword: s.adminPassword.value,
                    minioSsl: s.ssl,
                    minioRegion: s.region,
                },
                { parent: this },
            );
            this.registerOutputs({ endpoint: this.endpoint, publicEndpoint: this.publicEndpoint });
            return;
        }

        const rootPassword = new random.RandomPassword(
            `${name}-root-password`,
            { length: 40, special: false },
            statefulOptions(args.protect, { parent: this }),
        );
        const secret = new k8s.core.v1.Secret(
            `${name}-root`,
            {
                metadata: { name: "minio-root", namespace: args.namespace.output, labels: standardLabels(labels) },
                type: "Opaque",
                stringData: { MINIO_ROOT_USER: "platform-admin", MINIO_ROOT_PASSWORD: rootPassword.result },
            },
            { parent: this },
        );
        const service = statefulService(
            name,
            {
                serviceName: "minio",
                namespace: args.namespace,
                labels,
                container: {
                    name: "minio",
                    image: IMAGES.minio,
                    command: ["minio"],
                    args: ["server", "/data", "--address", `:${DATA_SERVICE_PORTS.minio}`, "--console-address", ":9001"],
                    env: {
                        HOME: "/tmp",
                        MINIO_BROWSER_REDIRECT: "off",
                        // Prometheus scrapes /minio/v2/metrics/cluster without a token (metrics only; the API still needs keys).
                        ...(args.metrics ? { MINIO_PROMETHEUS_AUTH_TYPE: "public" } : {}),
                        MINIO_ROOT_USER: fromSecret(secret.metadata.name, "MINIO_ROOT_USER"),
                        MINIO_ROOT_PASSWORD: fromSecret(secret.metadata.name, "MINIO_ROOT_PASSWORD"),
                    },
                    startupProbe: startupWindow(httpProbe("/minio/health/live", "s3"), 120),
                    readinessProbe: httpProbe("/minio/health/ready", "s3"),
                    livenessProbe: httpProbe("/minio/health/live", "s3", { periodSeconds: 15 }),
                },
                resources: DATA_SERVICES.minio[s.size],
                ports: [
                    { name: "s3", port: DATA_SERVICE_PORTS.minio },
                    { name: "console", port: 9001 },
                ],
                dataPath: "/data",
                storage: s.storage,
                storageClass: args.storageClass,
                nodePorts: s.nodePort !== undefined ? { s3: s.nodePort } : undefined,
                protect: args.protect,
            },
            { parent: this },
        );
        this.endpoint = `http://${service.host}:${DATA_SERVICE_PORTS.minio}`;

        // The S3 API on its public host, for the presigned URLs apps hand to browsers and SDKs.
        // MinIO checks signatures against the Host header, which the ingress controller passes on.
        appIngress(
            `${name}-public`,
            {
                name: "minio-s3",
                namespace: args.namespace,
                labels: { ...labels, component: "s3" },
                ingress: args.ingress,
                host: new URL(s.publicEndpoint).hostname,
                service: "minio",
                port: DATA_SERVICE_PORTS.minio,
                // ingress-nginx caps request bodies at 1 MiB by default; S3 uploads carry files.
                annotations: { "nginx.ingress.kubernetes.io/proxy-body-size": "0" },
            },
            { parent: this },
        );
        networkPolicy(
            name,
            args.namespace,
            "allow-ingress-controller-to-minio",
            standardLabels({ app: "platform", environment: args.environment }),
            {
                podSelector: { matchLabels: { [LABELS.app]: "minio" } },
                policyTypes: ["Ingress"],
                ingress: [{ from: [namespacePeer(args.ingress.controllerNamespace)], ports: tcp(DATA_SERVICE_PORTS.minio) }],
            },
            { parent: this },
        );
        // The Ingress's certificate is ordered in this namespace, so its HTTP-01 solver runs here.
        if (args.ingress.tlsIssuer) {
            networkPolicy(
                name,
                args.namespace,
                "allow-acme-http01-solver",
                standardLabels({ app: "platform", environment: args.environment }),
                allowAcmeHttp01Solvers(args.ingress.controllerNamespace),
                { parent: this },
            );
        }
        this.region = "us-east-1";
        this.provider = new minio.Provider(
            `${name}-admin`,
            {
                minioServer: s.adminEndpoint,
                minioUser: "platform-admin",
                minioPassword: rootPassword.result,
                minioSsl: false,
                minioRegion: this.region,
            },
            { parent: this, dependsOn: [service.statefulSet] },
        );
        this.registerOutputs({ endpoint: this.endpoint, publicEndpoint: this.publicEndpoint });
    }
}
