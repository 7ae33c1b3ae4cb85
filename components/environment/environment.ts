import type { ObjectStoreSettings } from "../data/objectstore/settings";
import type { PostgresSettings } from "../data/postgres/settings";
import type { RedisSettings } from "../data/redis/settings";
import type { IngressSettings } from "../kube/ingress";
import type { ConfigSecret } from "../secrets/config-secret";
import type { NodePlacement } from "../kube/scheduling";
import type { RetentionBounds } from "./defaults";
import { type EnvironmentName } from "./defaults";
import { type Size } from "../sizing/size";

export type SsoSettings =
    | { readonly enabled: false }
    | {
          readonly enabled: true;
          /** `<endpoint>/oidc`. */
          readonly issuer: string;
          readonly endpoint: string;
          readonly managementResource: string;
          readonly m2mAppId: string;
          readonly m2mAppSecret: ConfigSecret;
      };

/**
 * The resolved environment profile: every default decided, every name derived. The only input of
 * components besides the tenants; built by {@link resolveEnvironment}.
 */
export interface Environment {
    /** The Pulumi stack name, e.g. `prod` or `prod-eu-2`. Tenants list the stacks they exist in. */
    readonly stack: string;
    /** The environment profile. */
    readonly name: EnvironmentName;
    readonly baseDomain: string;
    readonly hostPattern: string;
    readonly namespacePrefix: string;
    readonly bucketPrefix: string;
    readonly platformNamespace: string;
    /**
     * StorageClass of every persistent volume.
     * Absent: volume claims name no class, so the cluster's default StorageClass provisions them.
     */
    readonly storageClass?: string;
    readonly protectState: boolean;
    readonly maxTenantSize: Size;
    readonly webReplicas: number;
    /** Namespace Pulumi runs in when it reaches in-cluster data services by cluster DNS. */
    readonly deployerNamespace: string;
    readonly ingress: IngressSettings;
    readonly network: {
        /** Address blocks pod IPs come from (IPv4, prefix 1 to 24). */
        readonly podCidrs: readonly string[];
        /** Extra DNS resolver address blocks (a node-local DNS cache) tenant pods may query. */
        readonly dnsResolvers: readonly string[];
    };
    readonly postgres: PostgresSettings;
    readonly objectStore: ObjectStoreSettings;
    readonly redis: RedisSettings;
    readonly clickhouse: { readonly size?: Size; readonly storage: string };
    readonly kong: { readonly namespace: string; readonly ingressClass: string };
    readonly sso: SsoSettings;
    readonly traceGateway: {
        readonly replicas: number;
        readonly size: Size;
        readonly queueStorage: string;
        /** A copy of every span goes to this backend too. Absent: spans go only to the tenants' Langfuse. */
        readonly forward?: { readonly endpoint: string; readonly authorization?: ConfigSecret };
    };
    readonly retention: RetentionBounds;
    /** Set when the cluster runs the Prometheus Operator. Absent: no ServiceMonitors, PrometheusRules or metrics endpoints are declared. */
    readonly monitoring?: {
        readonly namespace: string;
        /** Labels Prometheus selects ServiceMonitors and PrometheusRules by. */
        readonly ruleLabels: Readonly<Record<string, string>>;
    };
    readonly backups: {
        readonly retentionDays: number;
        /**
         * Days overwritten or deleted backup objects are kept.
         * Absent exactly when bucket versioning is off: backup buckets are not versioned.
         */
        readonly noncurrentVersionDays?: number;
        readonly hourUtc: number;
    };
    /** Where images come from: a mirror of every image, and the pull secrets every pod uses. */
    readonly images: {
        /** Absent: every image is pulled from its own registry. */
        readonly mirror?: { readonly host: string; readonly prefix?: string };
        readonly pullSecrets: readonly string[];
    };
    /** Where pods run. */
    readonly placement: {
        /** Spread replicated workloads across zones (best effort) and nodes (required). */
        readonly spread: boolean;
        readonly dataServices: NodePlacement;
        readonly tenantApps: NodePlacement;
        readonly clickhouse: NodePlacement;
    };
    /** Set when HorizontalPodAutoscalers are declared. Absent: no HorizontalPodAutoscalers; every workload runs its declared replicas. */
    readonly autoscaling?: { readonly targetCpuUtilization: number };
    /** Extra env vars and pod annotations per app, with where they were configured (for errors). */
    readonly appOverrides: Readonly<Record<string, AppOverride>>;
}

export interface AppOverride {
    readonly env: Readonly<Record<string, string>>;
    readonly annotations: Readonly<Record<string, string>>;
    /** The file and config path they came from, e.g. `stacks/Pulumi.prod.yaml` and `llmops-platform:platform.apps.langfuse`. */
    readonly source: string;
    readonly path: string;
}
