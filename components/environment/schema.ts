import { z } from "zod";
import { SIZES } from "../sizing/size";
import { SSL_MODES } from "../data/postgres/tls";
import { DNS_1123_LABEL, DNS_1123_SUBDOMAIN, MAX_BUCKET_PREFIX, MAX_NAMESPACE_PREFIX } from "../naming/names";
import { ENVIRONMENT_NAMES } from "./defaults";

/**
 * The stack configuration, as platform engineers write it under the `llmops-platform:platform` key
 * of `stacks/Pulumi.<stack>.yaml`. Parsed once at the edge; {@link resolveEnvironment} then decides
 * every default in one pure step. Components receive the resolved {@link Environment}, never config.
 */

const hostname = z
    .string()
    .max(253)
    .regex(DNS_1123_SUBDOMAIN, "must be a lower-case DNS name")
    .meta({ examples: ["pg.internal.example.com"] });

const port = z
    .number()
    .int()
    .min(1)
    .max(65535)
    .meta({ examples: [5432] });

const nodePort = z
    .number()
    .int()
    .min(30000)
    .max(32767)
    .meta({
        description: "Only in `local`: also expose the service on this kind NodePort, so Pulumi on the host can reach it.",
        examples: [30432],
    });

const secretKey = z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_-]*$/, "must be a config key name")
    .meta({
        description: "Name of a secret in this stack's config, set with `pulumi config set --secret <name> <value>`.",
        examples: ["postgresAdminPassword"],
    });

const quantity = z
    .string()
    .regex(/^[0-9]+(Mi|Gi|Ti)$/, "must be a storage size such as `20Gi`")
    .meta({ examples: ["20Gi"] });

const size = z.enum(SIZES).meta({ examples: ["standard"] });

const httpsUrl = z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).meta({ examples: ["https://auth.example.com"] });

/** Where browsers and SDKs reach the object store: presigned URLs are signed for this origin. */
const publicEndpoint = z
    .url({ protocol: /^https?$/, error: "must be an http(s) URL such as `https://s3.llmops.example.com`" })
    .regex(/^https?:\/\/[^/?#]+\/?$/, "must be an origin (scheme, host and optional port) without a path")
    .meta({ examples: ["https://s3.llmops.example.com"] });

/** An IPv4 or IPv6 address block in CIDR notation. */
export const CIDR =
    /^(((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\/(3[0-2]|[12]?[0-9])|[0-9a-fA-F:]*:[0-9a-fA-F:.]*\/(12[0-8]|1[01][0-9]|[1-9]?[0-9]))$/;

const days = z
    .number()
    .int()
    .min(1)
    .max(3650)
    .meta({ examples: [30] });

const inClusterCommon = {
    mode: z.literal("in-cluster"),
    size: size.optional().meta({ description: "Resource profile of the service. @default small outside prod, standard in prod" }),
    storage: quantity.optional().meta({ description: "Volume size. @default per environment" }),
};

export const postgresSchema = z.discriminatedUnion("mode", [
    z.strictObject({
        ...inClusterCommon,
        nodePort: nodePort.optional(),
        adminHost: hostname.optional().meta({
            description:
                "Where Pulumi reaches Postgres to create roles and databases. @default the Service's cluster DNS name (Pulumi runs inside the cluster), or `localhost` with `nodePort`",
        }),
    }),
    z.strictObject({
        mode: z.literal("external"),
        host: hostname,
        port: port.optional(),
        adminUser: z
            .string()
            .min(1)
            .optional()
            .meta({ description: "@default postgres", examples: ["postgres"] }),
        adminPasswordKey: secretKey,
        sslMode: z.enum(SSL_MODES).optional().meta({
            description:
                "How apps connect: `require` encrypts without checking the server; `verify-ca` and `verify-full` check its certificate against `caCertificate` (`verify-full` also its host name). @default require",
        }),
        caCertificate: z
            .union([
                z.strictObject({
                    pem: z
                        .string()
                        .regex(/-----BEGIN CERTIFICATE-----/, "must be a PEM certificate")
                        .meta({ description: "The CA certificate(s), PEM." }),
                }),
                z.strictObject({
                    configMap: z
                        .string()
                        .regex(DNS_1123_SUBDOMAIN)
                        .meta({
                            description: "A ConfigMap present in every tenant namespace (for example distributed by trust-manager).",
                            examples: ["postgres-ca"],
                        }),
                    key: z.string().min(1).optional().meta({ description: "@default ca.crt" }),
                }),
                z.strictObject({
                    secret: z
                        .string()
                        .regex(DNS_1123_SUBDOMAIN)
                        .meta({ description: "A Secret present in every tenant namespace.", examples: ["postgres-ca"] }),
                    key: z.string().min(1).optional().meta({ description: "@default ca.crt" }),
                }),
            ])
            .optional()
            .meta({
                description:
                    "The CA that signed the server's certificate, mounted into every app that connects. Required with `verify-ca` and `verify-full`.",
            }),
        maxConnections: z
            .number()
            .int()
            .min(20)
            .max(262143)
            .optional()
            .meta({
                description:
                    "The server's `max_connections` (`SHOW max_connections`); the tenants' connection limits must fit in it. @default 100 (PostgreSQL's default)",
                examples: [800],
            }),
    }),
]);

export const objectStoreSchema = z.discriminatedUnion("mode", [
    z.strictObject({
        ...inClusterCommon,
        nodePort: nodePort.optional(),
        adminHost: hostname
            .optional()
            .meta({ description: "Where Pulumi reaches MinIO. @default the Service's cluster DNS name, or `localhost` with `nodePort`" }),
        publicEndpoint: publicEndpoint.optional().meta({
            description:
                "Public S3 origin of MinIO (an Ingress on its host), for presigned URLs that browsers and SDKs follow. @default https://s3.<baseDomain> (http in `local`)",
            examples: ["https://s3.llmops.example.com"],
        }),
    }),
    z.strictObject({
        mode: z.literal("external"),
        endpoint: z
            .string()
            .regex(/^[a-z0-9.-]+(:[0-9]+)?$/, "must be host[:port] without a scheme")
            .meta({
                description: "S3 endpoint that also speaks the MinIO admin API (buckets, users and policies are managed through it).",
                examples: ["s3.example.com"],
            }),
        ssl: z.boolean().optional().meta({ description: "@default true" }),
        region: z
            .string()
            .min(1)
            .optional()
            .meta({ description: "@default us-east-1", examples: ["eu-central-1"] }),
        adminUser: z.string().min(1),
        adminPasswordKey: secretKey,
        publicEndpoint: publicEndpoint.optional().meta({
            description:
                "S3 origin browsers and SDKs reach, when it differs from `endpoint` (a CDN or public alias). @default `endpoint` with the scheme `ssl` implies",
            examples: ["https://s3.llmops.example.com"],
        }),
    }),
]);

export const networkSchema = z.strictObject({
    podCidrs: z
        .array(
            z
                .string()
                .regex(
                    /^(\d{1,3}\.){3}\d{1,3}\/([1-9]|1[0-9]|2[0-4])$/,
                    "must be an IPv4 address block with a prefix of 1 to 24 bits, such as `100.64.0.0/10`",
                ),
        )
        .min(1)
        .optional()
        .meta({
            description:
                "Address blocks pod IPs come from; MLflow admits them as Host headers when Prometheus scrapes it by pod IP. @default 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 and 100.64.0.0/10",
            examples: [["100.64.0.0/10"]],
        }),
    dnsResolvers: z
        .array(z.string().regex(CIDR, "must be an address block in CIDR notation, such as `169.254.20.10/32`"))
        .optional()
        .meta({
            description:
                "Extra DNS resolver addresses tenant pods may query on port 53, besides the kube-dns pods (a node-local DNS cache listens on a link-local address NetworkPolicy cannot select by label). @default none",
            examples: [["169.254.20.10/32"]],
        }),
});

export const redisSchema = z.discriminatedUnion("mode", [
    z.strictObject({ ...inClusterCommon }),
    z.strictObject({
        mode: z.literal("external"),
        host: hostname,
        port: port.optional().meta({ description: "@default 6379", examples: [6379] }),
        tls: z.boolean().optional().meta({ description: "@default true" }),
        adminUser: z.string().min(1).optional().meta({ description: "@default default" }),
        adminPasswordKey: secretKey,
    }),
]);

export const clickhouseSchema = z.strictObject({
    size: size.optional().meta({ description: "Resource profile of each tenant's ClickHouse. @default the tenant's size" }),
    storage: quantity.optional().meta({ description: "Volume size of each tenant's ClickHouse. @default per environment" }),
});

export const ingressSchema = z.strictObject({
    className: z
        .string()
        .min(1)
        .meta({ examples: ["nginx"] }),
    controllerNamespace: z
        .string()
        .regex(DNS_1123_LABEL)
        .meta({
            description: "Namespace of the ingress controller; tenant network policies admit traffic from it.",
            examples: ["ingress-nginx"],
        }),
    tlsIssuer: z
        .strictObject({
            kind: z.enum(["ClusterIssuer", "Issuer"]).optional().meta({ description: "@default ClusterIssuer" }),
            name: z
                .string()
                .regex(DNS_1123_SUBDOMAIN)
                .meta({ examples: ["letsencrypt-prod"] }),
        })
        .optional()
        .meta({ description: "cert-manager issuer for ingress certificates. Required outside `local`." }),
});

export const retentionBoundSchema = z.strictObject({
    min: days.optional(),
    max: days.optional(),
    default: days.optional(),
});

const labelKey = z
    .string()
    .regex(/^([a-z0-9.-]+\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/, "must be a label key")
    .max(316);

const nodePlacementSchema = z
    .strictObject({
        nodeSelector: z
            .record(labelKey, z.string().max(63))
            .optional()
            .meta({ description: "Node labels the pods must run on. @default none", examples: [{ "llmops.io/pool": "data" }] }),
        tolerations: z
            .array(
                z.strictObject({
                    key: labelKey.optional(),
                    operator: z.enum(["Exists", "Equal"]).optional().meta({ description: "@default Equal" }),
                    value: z.string().max(63).optional(),
                    effect: z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"]).optional(),
                }),
            )
            .optional()
            .meta({
                description: "Taints of that pool the pods tolerate. @default none",
                examples: [[{ key: "llmops.io/pool", value: "data", effect: "NoSchedule" }]],
            }),
    })
    .meta({ description: "Where one class of workloads runs: node selector and tolerations." });

const envVarName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name");

export const operabilitySchemas = {
    images: z
        .strictObject({
            registry: z
                .strictObject({
                    host: z
                        .string()
                        .regex(/^[a-z0-9.-]+(:[0-9]+)?$/, "must be a registry host[:port] without a scheme")
                        .meta({ description: "The team's registry that mirrors every image.", examples: ["registry.example.com"] }),
                    prefix: z
                        .string()
                        .regex(
                            /^[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/,
                            "must be a repository path such as `mirror/llmops`",
                        )
                        .optional()
                        .meta({
                            description: "Path under the host the mirror keeps images in. @default none",
                            examples: ["mirror/llmops"],
                        }),
                })
                .optional()
                .meta({
                    description:
                        "Pull every image from this mirror: `<host>/<prefix>/<source path>:<tag>@<digest>`, tag and digest kept. `npm run images -- <stack>` prints the copy list. @default the images' own registries",
                }),
            pullSecrets: z
                .array(z.string().regex(DNS_1123_SUBDOMAIN, "must be a Secret name"))
                .optional()
                .meta({
                    description:
                        "Names of docker-registry Secrets (created by the team in every platform and tenant namespace) every pod pulls with. @default none",
                    examples: [["registry-pull"]],
                }),
        })
        .optional()
        .meta({ description: "Where images are pulled from." }),
    placement: z
        .strictObject({
            spread: z.boolean().optional().meta({
                description:
                    "Spread replicated workloads across zones (best effort) and nodes (required). @default true in prod, false elsewhere",
            }),
            dataServices: nodePlacementSchema.optional().meta({ description: "Shared Postgres, MinIO and Redis, and the trace gateway." }),
            tenantApps: nodePlacementSchema
                .optional()
                .meta({ description: "Every tenant workload except ClickHouse (apps, gates, tenant Redis, Jobs)." }),
            clickhouse: nodePlacementSchema.optional().meta({ description: "Each tenant's ClickHouse." }),
        })
        .optional()
        .meta({ description: "Where pods run: spread across zones and nodes, and node pools per workload class." }),
    autoscaling: z
        .strictObject({
            enabled: z.boolean().optional().meta({
                description:
                    "HorizontalPodAutoscalers for Langfuse web and worker, MLflow, Agenta api and services, and the trace gateway. @default true in staging and prod",
            }),
            targetCpuUtilization: z
                .number()
                .int()
                .min(10)
                .max(95)
                .optional()
                .meta({ description: "Average CPU use (percent of requests) the autoscalers aim for. @default 70", examples: [70] }),
        })
        .optional()
        .meta({ description: "Horizontal autoscaling on CPU, between the declared replicas and a maximum per tenant size." }),
    apps: z
        .record(
            z.string().regex(DNS_1123_LABEL, "must be an app name"),
            z.strictObject({
                env: z
                    .record(envVarName, z.string())
                    .optional()
                    .meta({
                        description:
                            "Extra plain environment variables of every container of the app (no secrets: use the app's Secrets). A name the platform sets is refused.",
                        examples: [{ HTTPS_PROXY: "http://proxy.internal:3128" }],
                    }),
                annotations: z
                    .record(labelKey, z.string())
                    .optional()
                    .meta({
                        description: "Extra annotations of every pod of the app. A key the platform sets is refused.",
                        examples: [{ "sidecar.istio.io/inject": "false" }],
                    }),
            }),
        )
        .optional()
        .meta({ description: "Escape hatches per app for this environment: extra env vars and pod annotations." }),
};

export const platformConfigSchema = z
    .strictObject({
        environment: z.enum(ENVIRONMENT_NAMES).meta({ description: "Environment profile; decides the defaults.", examples: ["dev"] }),
        baseDomain: hostname.meta({ examples: ["llmops.example.com"] }),
        hostPattern: z
            .string()
            .regex(/\{app\}/, "must contain `{app}`")
            .regex(/\{tenant\}/, "must contain `{tenant}`")
            .optional()
            .meta({
                description: "Public host of each app. @default {app}.{tenant}.{baseDomain}",
                examples: ["{app}-{tenant}.{baseDomain}"],
            }),
        namespacePrefix: z
            .string()
            .max(MAX_NAMESPACE_PREFIX)
            .regex(DNS_1123_LABEL)
            .optional()
            .meta({ description: "Prefix of every namespace. @default llm", examples: ["llm"] }),
        bucketPrefix: z
            .string()
            .min(3)
            .max(MAX_BUCKET_PREFIX)
            .regex(DNS_1123_LABEL)
            .optional()
            .meta({
                description:
                    "Prefix of every bucket; make it unique per environment on a shared object store. @default <namespacePrefix>-<environment>",
                examples: ["llm-prod"],
            }),
        storageClass: z
            .string()
            .regex(DNS_1123_SUBDOMAIN)
            .optional()
            .meta({ description: "@default the cluster's default storage class", examples: ["gp3"] }),
        protectState: z.boolean().optional().meta({
            description: "Protect databases, buckets, volumes and never-rotating keys from deletion. @default true in staging and prod",
        }),
        maxTenantSize: size
            .optional()
            .meta({ description: "Tenants asking for a larger size get this one here. @default small in local and dev, large elsewhere" }),
        webReplicas: z
            .number()
            .int()
            .min(1)
            .max(10)
            .optional()
            .meta({ description: "Replicas of web-facing apps. @default 2 in prod, 1 elsewhere", examples: [2] }),
        ingress: ingressSchema,
        network: networkSchema.optional().meta({ description: "Cluster network facts the tenant network policies need. @default none" }),
        deployerNamespace: z
            .string()
            .regex(DNS_1123_LABEL)
            .optional()
            .meta({
                description:
                    "Namespace Pulumi runs in when it reaches in-cluster data services by their cluster DNS names (no NodePort). @default pulumi-kubernetes-operator",
                examples: ["pulumi-kubernetes-operator"],
            }),
        dataServices: z.strictObject({
            postgres: postgresSchema,
            objectStore: objectStoreSchema,
            redis: redisSchema,
            clickhouse: clickhouseSchema.optional(),
        }),
        kong: z
            .strictObject({
                namespace: z
                    .string()
                    .regex(DNS_1123_LABEL)
                    .meta({
                        description: "Namespace of the Kong gateway; tenant consumers and plugins are declared there.",
                        examples: ["kong"],
                    }),
                ingressClass: z
                    .string()
                    .min(1)
                    .optional()
                    .meta({ description: "@default kong", examples: ["kong"] }),
            })
            .optional(),
        sso: z
            .discriminatedUnion("enabled", [
                z.strictObject({ enabled: z.literal(false) }),
                z.strictObject({
                    enabled: z.literal(true),
                    logto: z.strictObject({
                        endpoint: httpsUrl.meta({
                            description: "Logto endpoint; the OIDC issuer is <endpoint>/oidc.",
                            examples: ["https://auth.example.com"],
                        }),
                        managementResource: httpsUrl.optional().meta({
                            description:
                                "Management API resource indicator. @default https://default.logto.app/api (self-hosted); Logto Cloud: https://<tenant-id>.logto.app/api",
                            examples: ["https://default.logto.app/api"],
                        }),
                        m2mAppId: z
                            .string()
                            .min(1)
                            .meta({
                                description: "App ID of the machine-to-machine app created by hand in the Admin Console.",
                                examples: ["x8g4nl1m0ws2dq7c"],
                            }),
                        m2mAppSecretKey: secretKey,
                    }),
                }),
            ])
            .meta({ description: "Single sign-on through Logto. Only `local` may switch it off." }),
        traceGateway: z
            .strictObject({
                replicas: z.number().int().min(1).max(10).optional().meta({ description: "@default webReplicas" }),
                size: size
                    .optional()
                    .meta({ description: "Resource profile of each replica. @default small outside prod, standard in prod" }),
                queueStorage: quantity.optional().meta({ description: "Volume of each replica's persistent sending queue. @default 5Gi" }),
                forward: z
                    .strictObject({
                        endpoint: httpsUrl.meta({
                            description: "OTLP/HTTP traces URL of the gateway team's own backend, which receives a copy of every span.",
                            examples: ["https://otel.observability.example.com/v1/traces"],
                        }),
                        authorizationKey: secretKey
                            .optional()
                            .meta({ description: "Secret config key holding the Authorization header value for the backend." }),
                    })
                    .optional(),
            })
            .optional()
            .meta({ description: "The per-environment trace gateway (OpenTelemetry Collector) between Kong and tenant Langfuse." }),
        monitoring: z
            .strictObject({
                prometheusOperator: z.boolean().meta({
                    description: "Declare ServiceMonitors and PrometheusRules (the cluster runs the Prometheus Operator and its CRDs).",
                }),
                namespace: z
                    .string()
                    .regex(DNS_1123_LABEL)
                    .optional()
                    .meta({
                        description: "Namespace Prometheus runs in; network policies admit it to the metrics ports. @default monitoring",
                        examples: ["monitoring"],
                    }),
                ruleLabels: z
                    .record(
                        z.string().regex(/^([a-z0-9.-]+\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/, "must be a label key"),
                        z.string().max(63),
                    )
                    .optional()
                    .meta({
                        description:
                            "Labels Prometheus selects ServiceMonitors and PrometheusRules by (kube-prometheus-stack: `release: <helm release>`). @default none",
                        examples: [{ release: "kube-prometheus-stack" }],
                    }),
            })
            .optional()
            .meta({
                description:
                    "The platform watching itself: ServiceMonitors for apps and data services, and per-tenant alerts with runbooks. @default off",
            }),
        backups: z
            .strictObject({
                retentionDays: days.optional().meta({
                    description:
                        "Days scheduled backups are kept in each tenant's backup bucket. @default 3 local, 7 dev, 14 staging, 35 prod",
                }),
                bucketVersioning: z.boolean().optional().meta({
                    description:
                        "Version every tenant bucket, so overwritten and deleted objects stay recoverable. Switch off only for an object store without versioning. @default true",
                }),
                noncurrentVersionDays: days
                    .optional()
                    .meta({ description: "Days overwritten or deleted objects are kept. @default 1 local, 3 dev, 7 staging, 30 prod" }),
                hourUtc: z
                    .number()
                    .int()
                    .min(0)
                    .max(23)
                    .optional()
                    .meta({ description: "Hour (UTC) of the nightly backups; each tenant gets its own minute. @default 1" }),
            })
            .optional()
            .meta({
                description:
                    "Nightly backups of each tenant (Postgres dumps with in-cluster Postgres, ClickHouse BACKUP always) into its backup bucket, and bucket versioning.",
            }),
        retention: z
            .strictObject({
                traceDays: retentionBoundSchema.optional(),
                artifactDays: retentionBoundSchema.optional(),
                deletedRunsPurgeDays: retentionBoundSchema.optional(),
            })
            .optional()
            .meta({ description: "Bounds and defaults of tenant retention settings. @default per environment" }),
        ...operabilitySchemas,
    })
    .meta({ description: "LLMOps platform stack configuration (key `llmops-platform:platform`)." });

export type PlatformConfig = z.infer<typeof platformConfigSchema>;
