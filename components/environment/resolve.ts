import type * as pulumi from "@pulumi/pulumi";
import { serviceHost } from "../kube/namespace";
import { platformNamespace } from "../naming/names";
import { type Problem, ValidationError, problemsFromZod } from "../validation/problems";
import { DEFAULT_POD_CIDRS, PROFILE_DEFAULTS, type RetentionBound, type RetentionBounds } from "./defaults";
import type { Environment, SsoSettings } from "./environment";
import { type RedisSettings } from "../data/redis/settings";
import { type ObjectStoreSettings } from "../data/objectstore/settings";
import { type PostgresSettings } from "../data/postgres/settings";
import { type ConfigSecret } from "../secrets/config-secret";
import { type PlatformConfig, platformConfigSchema } from "./schema";
import { ENVIRONMENT_NAMES } from "./defaults";
import { DATA_SERVICE_PORTS } from "../data/ports";
import { IN_CLUSTER_MAX_CONNECTIONS, POSTGRES_DEFAULT_MAX_CONNECTIONS } from "../data/postgres/pools";
import { type PostgresCa, verifies } from "../data/postgres/tls";

/** The config key, inside the project's namespace, that holds the platform settings. */
export const PLATFORM_CONFIG_KEY = "platform";

/** Where secrets named by `*PasswordKey` fields come from. */
export interface SecretSource {
    has(key: string): boolean;
    get(key: string): pulumi.Output<string>;
}

export interface ResolveContext {
    /** The Pulumi stack name. */
    readonly stack: string;
    /** The file the config came from, for messages: `stacks/Pulumi.<stack>.yaml`. */
    readonly source: string;
    /** The project name, for messages that show full config keys. */
    readonly project: string;
    readonly secrets: SecretSource;
    /** The program's apps, by name: the keys `apps` overrides may use. */
    readonly apps: readonly string[];
}

/**
 * Parses the stack's platform config and decides every default, in one pure step. Throws a
 * {@link ValidationError} listing every problem at once; nothing is declared when it throws.
 */
export function resolveEnvironment(raw: unknown, ctx: ResolveContext): Environment {
    const key = `${ctx.project}:${PLATFORM_CONFIG_KEY}`;
    if (raw === undefined) {
        throw new ValidationError(`stack config of \`${ctx.stack}\``, [
            {
                source: ctx.source,
                path: key,
                message: "is missing.",
                fix: `add a \`${key}\` mapping with at least environment, baseDomain, ingress and dataServices (see stacks/Pulumi.dev.yaml).`,
            },
        ]);
    }
    const parsed = platformConfigSchema.safeParse(raw);
    if (!parsed.success) {
        throw new ValidationError(
            `stack config of \`${ctx.stack}\``,
            problemsFromZod(ctx.source, parsed.error, platformConfigSchema, raw, [key]),
        );
    }
    const problems: Problem[] = [];
    const profile = decide(parsed.data, ctx, key, problems);
    if (problems.length > 0) throw new ValidationError(`stack config of \`${ctx.stack}\``, problems);
    return profile;
}

function decide(c: PlatformConfig, ctx: ResolveContext, key: string, problems: Problem[]): Environment {
    const profile = PROFILE_DEFAULTS[c.environment];
    const at = (path: string) => `${key}.${path}`;
    const problem = (path: string, message: string, fix: string) => problems.push({ source: ctx.source, path: at(path), message, fix });

    const secret = (path: string, name: string): ConfigSecret => {
        if (!ctx.secrets.has(name)) {
            problem(
                path,
                `names the secret \`${ctx.project}:${name}\`, which this stack's config does not set.`,
                `run \`pulumi config set --secret ${name} <value> --stack ${ctx.stack}\`.`,
            );
        }
        return { key: name, value: ctx.secrets.get(name) };
    };

    const namespacePrefix = c.namespacePrefix ?? "llm";
    const ds = c.dataServices;

    for (const [name, svc] of [
        ["postgres", ds.postgres],
        ["objectStore", ds.objectStore],
    ] as const) {
        if (svc.mode === "in-cluster" && svc.nodePort !== undefined && !profile.nodePortsAllowed) {
            problem(
                `dataServices.${name}.nodePort`,
                `NodePorts are only allowed in \`local\` (this is \`${c.environment}\`).`,
                `remove it, and let Pulumi reach the service through \`adminHost\` (the cluster DNS name by default).`,
            );
        }
    }
    if (profile.tlsRequired && !c.ingress.tlsIssuer) {
        problem(
            "ingress.tlsIssuer",
            `is required in \`${c.environment}\`: every ingress outside \`local\` serves TLS.`,
            "set `tlsIssuer: { name: letsencrypt-prod }` (a cert-manager ClusterIssuer).",
        );
    }

    const serviceDns = (svc: string) => serviceHost(svc, platformNamespace(namespacePrefix));

    let postgres: PostgresSettings;
    if (ds.postgres.mode === "in-cluster") {
        postgres = {
            mode: "in-cluster",
            size: ds.postgres.size ?? profile.dataServiceSize,
            storage: ds.postgres.storage ?? profile.dataServiceStorage,
            nodePort: ds.postgres.nodePort,
            adminHost: ds.postgres.adminHost ?? (ds.postgres.nodePort !== undefined ? "localhost" : serviceDns("postgres")),
            adminPort: ds.postgres.nodePort ?? DATA_SERVICE_PORTS.postgres,
            maxConnections: IN_CLUSTER_MAX_CONNECTIONS[ds.postgres.size ?? profile.dataServiceSize],
        };
    } else {
        postgres = {
            mode: "external",
            host: ds.postgres.host,
            port: ds.postgres.port ?? DATA_SERVICE_PORTS.postgres,
            adminUser: ds.postgres.adminUser ?? "postgres",
            adminPassword: secret("dataServices.postgres.adminPasswordKey", ds.postgres.adminPasswordKey),
            sslMode: ds.postgres.sslMode ?? "require",
            ca: postgresCa(ds.postgres, (path, message, fix) => problem(`dataServices.postgres.${path}`, message, fix)),
            maxConnections: ds.postgres.maxConnections ?? POSTGRES_DEFAULT_MAX_CONNECTIONS,
        };
    }

    const storePublicEndpoint = (given: string | undefined, fallback: string, what: string): string => {
        const url = (given ?? fallback).replace(/\/+$/, "");
        const host = new URL(url).hostname;
        const path = "dataServices.objectStore.publicEndpoint";
        if (!host.includes(".") || /\.(svc|cluster\.local|svc\.cluster\.local)$/.test(host)) {
            problem(
                path,
                `${given ? `(${url})` : `defaults to ${url} (${what}), which`} is an in-cluster address: browsers and SDKs cannot resolve the presigned URLs signed for it.`,
                "set `publicEndpoint` to the public https origin of the object store, such as `https://s3.example.com`.",
            );
        } else if (url.startsWith("http://") && profile.tlsRequired) {
            problem(
                path,
                `${given ? `(${url})` : `defaults to ${url} (${what}), which`} is plain http: presigned URLs and uploads would cross the network unencrypted in \`${c.environment}\`.`,
                "set `publicEndpoint` to an https origin, such as `https://s3.example.com`.",
            );
        }
        return url;
    };

    let objectStore: ObjectStoreSettings;
    if (ds.objectStore.mode === "in-cluster") {
        objectStore = {
            mode: "in-cluster",
            size: ds.objectStore.size ?? profile.dataServiceSize,
            storage: ds.objectStore.storage ?? profile.dataServiceStorage,
            nodePort: ds.objectStore.nodePort,
            adminEndpoint:
                ds.objectStore.nodePort !== undefined
                    ? `${ds.objectStore.adminHost ?? "localhost"}:${ds.objectStore.nodePort}`
                    : `${ds.objectStore.adminHost ?? serviceDns("minio")}:${DATA_SERVICE_PORTS.minio}`,
            publicEndpoint: storePublicEndpoint(
                ds.objectStore.publicEndpoint,
                `${c.ingress.tlsIssuer ? "https" : "http"}://s3.${c.baseDomain}`,
                "an Ingress on s3.<baseDomain>",
            ),
        };
    } else {
        objectStore = {
            mode: "external",
            endpoint: ds.objectStore.endpoint,
            ssl: ds.objectStore.ssl ?? true,
            region: ds.objectStore.region ?? "us-east-1",
            adminUser: ds.objectStore.adminUser,
            adminPassword: secret("dataServices.objectStore.adminPasswordKey", ds.objectStore.adminPasswordKey),
            publicEndpoint: storePublicEndpoint(
                ds.objectStore.publicEndpoint,
                `${(ds.objectStore.ssl ?? true) ? "https" : "http"}://${ds.objectStore.endpoint}`,
                "the external endpoint",
            ),
        };
    }

    let redis: RedisSettings;
    if (ds.redis.mode === "in-cluster") {
        redis = {
            mode: "in-cluster",
            size: ds.redis.size ?? profile.dataServiceSize,
            storage: ds.redis.storage ?? profile.dataServiceStorage,
        };
    } else {
        redis = {
            mode: "external",
            host: ds.redis.host,
            port: ds.redis.port ?? DATA_SERVICE_PORTS.redis,
            tls: ds.redis.tls ?? true,
            adminUser: ds.redis.adminUser ?? "default",
            adminPassword: secret("dataServices.redis.adminPasswordKey", ds.redis.adminPasswordKey),
        };
    }

    let sso: SsoSettings = { enabled: false };
    if (!c.sso.enabled && profile.ssoRequired) {
        const optional = ENVIRONMENT_NAMES.filter((e) => !PROFILE_DEFAULTS[e].ssoRequired).map((e) => `\`${e}\``);
        problem(
            "sso.enabled",
            `is false, but only ${optional.join(", ")} may run without single sign-on (this is \`${c.environment}\`).`,
            "configure `sso: { enabled: true, logto: { endpoint, m2mAppId, m2mAppSecretKey } }`.",
        );
    }
    if (c.sso.enabled) {
        const endpoint = c.sso.logto.endpoint.replace(/\/+$/, "");
        if (endpoint.startsWith("http://") && profile.tlsRequired)
            problem(
                "sso.logto.endpoint",
                "is plain http: client secrets and tokens would cross the network unencrypted.",
                "use the https endpoint of Logto.",
            );
        sso = {
            enabled: true,
            endpoint,
            issuer: `${endpoint}/oidc`,
            managementResource: c.sso.logto.managementResource ?? "https://default.logto.app/api",
            m2mAppId: c.sso.logto.m2mAppId,
            m2mAppSecret: secret("sso.logto.m2mAppSecretKey", c.sso.logto.m2mAppSecretKey),
        };
    }
    const forward = c.traceGateway?.forward;
    const traceGateway = {
        replicas: c.traceGateway?.replicas ?? c.webReplicas ?? profile.webReplicas,
        size: c.traceGateway?.size ?? profile.traceGatewaySize,
        queueStorage: c.traceGateway?.queueStorage ?? "5Gi",
        forward: forward
            ? {
                  endpoint: forward.endpoint,
                  authorization: forward.authorizationKey
                      ? secret("traceGateway.forward.authorizationKey", forward.authorizationKey)
                      : undefined,
              }
            : undefined,
    };

    if (c.backups?.bucketVersioning === false && c.backups.noncurrentVersionDays !== undefined) {
        problem(
            "backups.noncurrentVersionDays",
            "is set, but bucketVersioning is false: there are no noncurrent versions to expire.",
            "remove noncurrentVersionDays, or set bucketVersioning: true.",
        );
    }
    (c.network?.podCidrs ?? []).forEach((cidr, i) => {
        if (
            cidr
                .split("/")[0]!
                .split(".")
                .some((o) => Number(o) > 255)
        )
            problem(
                `network.podCidrs[${i}]`,
                `(${cidr}) has an octet above 255.`,
                "write the block as four numbers from 0 to 255 and a prefix, such as `100.64.0.0/10`.",
            );
    });
    const retention = resolveRetention(profile.retention, c.retention, (path, message, fix) => problem(`retention.${path}`, message, fix));

    for (const cls of ["dataServices", "tenantApps", "clickhouse"] as const) {
        (c.placement?.[cls]?.tolerations ?? []).forEach((t, i) => {
            if (t.operator === "Exists" && t.value !== undefined)
                problem(
                    `placement.${cls}.tolerations[${i}].value`,
                    "is set, but operator `Exists` matches any value.",
                    "remove `value`, or use operator `Equal`.",
                );
            if (t.operator !== "Exists" && t.key === undefined)
                problem(
                    `placement.${cls}.tolerations[${i}].key`,
                    "is missing: only operator `Exists` may leave the key out (tolerating every taint).",
                    "name the taint's key.",
                );
        });
    }
    if (c.autoscaling?.enabled === false && c.autoscaling.targetCpuUtilization !== undefined) {
        problem(
            "autoscaling.targetCpuUtilization",
            "is set, but autoscaling is disabled.",
            "remove targetCpuUtilization, or set enabled: true.",
        );
    }
    const targetCpuUtilization = c.autoscaling?.targetCpuUtilization ?? 70;
    for (const app of Object.keys(c.apps ?? {})) {
        if (!ctx.apps.includes(app)) problem(`apps.${app}`, "names no app of the platform.", `use one of ${ctx.apps.join(", ")}.`);
    }
    const appOverrides = Object.fromEntries(
        Object.entries(c.apps ?? {}).map(([app, o]) => [
            app,
            { env: o?.env ?? {}, annotations: o?.annotations ?? {}, source: ctx.source, path: at(`apps.${app}`) },
        ]),
    );

    return {
        stack: ctx.stack,
        name: c.environment,
        baseDomain: c.baseDomain,
        hostPattern: c.hostPattern ?? "{app}.{tenant}.{baseDomain}",
        namespacePrefix,
        bucketPrefix: c.bucketPrefix ?? `${namespacePrefix}-${c.environment}`,
        platformNamespace: platformNamespace(namespacePrefix),
        storageClass: c.storageClass,
        protectState: c.protectState ?? profile.protectState,
        maxTenantSize: c.maxTenantSize ?? profile.maxTenantSize,
        webReplicas: c.webReplicas ?? profile.webReplicas,
        deployerNamespace: c.deployerNamespace ?? "pulumi-kubernetes-operator",
        ingress: {
            className: c.ingress.className,
            controllerNamespace: c.ingress.controllerNamespace,
            tlsIssuer: c.ingress.tlsIssuer
                ? { kind: c.ingress.tlsIssuer.kind ?? "ClusterIssuer", name: c.ingress.tlsIssuer.name }
                : undefined,
        },
        network: { podCidrs: c.network?.podCidrs ?? DEFAULT_POD_CIDRS, dnsResolvers: [...new Set(c.network?.dnsResolvers ?? [])] },
        postgres,
        objectStore,
        redis,
        clickhouse: { size: ds.clickhouse?.size, storage: ds.clickhouse?.storage ?? profile.clickhouseStorage },
        kong: { namespace: c.kong?.namespace ?? "kong", ingressClass: c.kong?.ingressClass ?? "kong" },
        sso,
        traceGateway,
        retention,
        monitoring: c.monitoring?.prometheusOperator
            ? { namespace: c.monitoring.namespace ?? "monitoring", ruleLabels: c.monitoring.ruleLabels ?? {} }
            : undefined,
        backups: {
            retentionDays: c.backups?.retentionDays ?? profile.backups.retentionDays,
            noncurrentVersionDays:
                (c.backups?.bucketVersioning ?? true)
                    ? (c.backups?.noncurrentVersionDays ?? profile.backups.noncurrentVersionDays)
                    : undefined,
            hourUtc: c.backups?.hourUtc ?? 1,
        },
        images: { mirror: c.images?.registry, pullSecrets: c.images?.pullSecrets ?? [] },
        placement: {
            spread: c.placement?.spread ?? profile.highAvailability,
            dataServices: c.placement?.dataServices ?? {},
            tenantApps: c.placement?.tenantApps ?? {},
            clickhouse: c.placement?.clickhouse ?? {},
        },
        autoscaling: (c.autoscaling?.enabled ?? profile.autoscaling) ? { targetCpuUtilization } : undefined,
        appOverrides,
    };
}

type ExternalPostgresConfig = Extract<PlatformConfig["dataServices"]["postgres"], { mode: "external" }>;

/**
 * The CA apps verify the server against. `verify-ca`/`verify-full` without one cannot connect
 * (libpq, asyncpg and JDBC look for ~/.postgresql/root.crt, which no image has), and a CA with a
 * mode that does not verify would read as protection that is not there.
 */
function postgresCa(c: ExternalPostgresConfig, problem: (path: string, message: string, fix: string) => void): PostgresCa | undefined {
    const mode = c.sslMode ?? "require";
    const given = c.caCertificate;
    if (verifies(mode) && !given) {
        problem(
            "caCertificate",
            `is required with \`sslMode: ${mode}\`: without the CA that signed the server's certificate, MLflow, Agenta and SuperTokens refuse to connect, and Langfuse could not verify the server.`,
            "add `caCertificate: { configMap: <name>, key: ca.crt }` (a ConfigMap in every tenant namespace, for example distributed by trust-manager), `{ secret: <name> }`, or `{ pem: <the CA in PEM> }`; or set `sslMode: require` (encrypted, server not verified).",
        );
        return undefined;
    }
    if (!verifies(mode) && given) {
        problem(
            "caCertificate",
            `is set, but \`sslMode: ${mode}\` does not verify the server, so no app would use it.`,
            "set `sslMode: verify-full` (or `verify-ca`), or remove caCertificate.",
        );
        return undefined;
    }
    if (!given) return undefined;
    if ("pem" in given) return { kind: "pem", pem: given.pem };
    if ("configMap" in given) return { kind: "configMap", name: given.configMap, key: given.key ?? "ca.crt" };
    return { kind: "secret", name: given.secret, key: given.key ?? "ca.crt" };
}

function resolveRetention(
    defaults: RetentionBounds,
    given: PlatformConfig["retention"],
    problem: (path: string, message: string, fix: string) => void,
): RetentionBounds {
    const one = (name: keyof RetentionBounds): RetentionBound => {
        const g = given?.[name];
        const b = { min: g?.min ?? defaults[name].min, max: g?.max ?? defaults[name].max, default: g?.default ?? defaults[name].default };
        if (b.min > b.max) problem(`${name}.min`, `(${b.min}) is greater than max (${b.max}).`, `set min at most ${b.max}.`);
        else if (b.default < b.min || b.default > b.max)
            problem(`${name}.default`, `(${b.default}) is outside [${b.min}, ${b.max}].`, `set a default between ${b.min} and ${b.max}.`);
        return b;
    };
    return { traceDays: one("traceDays"), artifactDays: one("artifactDays"), deletedRunsPurgeDays: one("deletedRunsPurgeDays") };
}
