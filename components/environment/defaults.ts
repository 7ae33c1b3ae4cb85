import { type Size } from "../sizing/size";

/**
 * Address blocks pods get their IPs from when the stack config names none: the private ranges of
 * RFC 1918 and the shared address space of RFC 6598 (100.64.0.0/10), which several managed
 * clusters and CNIs hand to pods.
 */
export const DEFAULT_POD_CIDRS: readonly string[] = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"];

/** A retention setting's bounds and default, in days. */
export interface RetentionBound {
    readonly min: number;
    readonly max: number;
    readonly default: number;
}

export interface RetentionBounds {
    /** Langfuse traces, observations and scores (ClickHouse TTL, event bucket lifecycle). */
    readonly traceDays: RetentionBound;
    /** Short-lived working files: Agenta's files bucket and Langfuse batch exports. Never MLflow artifacts. */
    readonly artifactDays: RetentionBound;
    /** Days after which MLflow runs already deleted by users are purged (`mlflow gc`). */
    readonly deletedRunsPurgeDays: RetentionBound;
}

/** What each environment profile decides when the stack config is silent. */
export interface ProfileDefaults {
    readonly protectState: boolean;
    readonly maxTenantSize: Size;
    readonly webReplicas: number;
    readonly dataServiceSize: Size;
    /** Resource profile of each trace gateway replica. */
    readonly traceGatewaySize: Size;
    readonly dataServiceStorage: string;
    readonly clickhouseStorage: string;
    readonly tlsRequired: boolean;
    /** Browser users sign in through the identity provider; only a laptop cluster may run without it. */
    readonly ssoRequired: boolean;
    readonly nodePortsAllowed: boolean;
    readonly retention: RetentionBounds;
    readonly backups: BackupDefaults;
    /** Spread replicated workloads across zones and nodes, so one node or zone lost never takes all replicas. */
    readonly highAvailability: boolean;
    /** HorizontalPodAutoscalers on the scalable apps and the trace gateway (needs metrics-server). */
    readonly autoscaling: boolean;
}

export interface BackupDefaults {
    /** Days scheduled backups are kept in each tenant's backup bucket. */
    readonly retentionDays: number;
    /** Days overwritten or deleted objects stay recoverable in versioned buckets. */
    readonly noncurrentVersionDays: number;
}

const devRetention: RetentionBounds = {
    traceDays: { min: 1, max: 180, default: 14 },
    artifactDays: { min: 1, max: 90, default: 14 },
    deletedRunsPurgeDays: { min: 1, max: 90, default: 7 },
};

const prodRetention: RetentionBounds = {
    traceDays: { min: 7, max: 730, default: 90 },
    artifactDays: { min: 7, max: 365, default: 30 },
    deletedRunsPurgeDays: { min: 7, max: 365, default: 30 },
};

/**
 * The environment profiles, by name: the one list of environments. A stack config names one
 * (`environment`); adding an environment is adding its profile here.
 */
const PROFILES = {
    local: {
        highAvailability: false,
        autoscaling: false,
        protectState: false,
        maxTenantSize: "small",
        webReplicas: 1,
        dataServiceSize: "small",
        traceGatewaySize: "small",
        dataServiceStorage: "5Gi",
        clickhouseStorage: "5Gi",
        tlsRequired: false,
        ssoRequired: false,
        nodePortsAllowed: true,
        backups: { retentionDays: 3, noncurrentVersionDays: 1 },
        retention: {
            traceDays: { min: 1, max: 90, default: 7 },
            artifactDays: { min: 1, max: 90, default: 7 },
            deletedRunsPurgeDays: { min: 1, max: 90, default: 1 },
        },
    },
    dev: {
        highAvailability: false,
        autoscaling: false,
        protectState: false,
        maxTenantSize: "small",
        webReplicas: 1,
        dataServiceSize: "small",
        traceGatewaySize: "small",
        dataServiceStorage: "20Gi",
        clickhouseStorage: "20Gi",
        tlsRequired: true,
        ssoRequired: true,
        nodePortsAllowed: false,
        backups: { retentionDays: 7, noncurrentVersionDays: 3 },
        retention: devRetention,
    },
    staging: {
        highAvailability: false,
        autoscaling: true,
        protectState: true,
        maxTenantSize: "standard",
        webReplicas: 1,
        dataServiceSize: "standard",
        traceGatewaySize: "small",
        dataServiceStorage: "50Gi",
        clickhouseStorage: "50Gi",
        tlsRequired: true,
        ssoRequired: true,
        nodePortsAllowed: false,
        backups: { retentionDays: 14, noncurrentVersionDays: 7 },
        retention: devRetention,
    },
    prod: {
        highAvailability: true,
        autoscaling: true,
        protectState: true,
        maxTenantSize: "large",
        webReplicas: 2,
        dataServiceSize: "standard",
        traceGatewaySize: "standard",
        dataServiceStorage: "100Gi",
        clickhouseStorage: "100Gi",
        tlsRequired: true,
        ssoRequired: true,
        nodePortsAllowed: false,
        backups: { retentionDays: 35, noncurrentVersionDays: 30 },
        retention: prodRetention,
    },
} satisfies Readonly<Record<string, ProfileDefaults>>;

export type EnvironmentName = keyof typeof PROFILES;
export const PROFILE_DEFAULTS: Readonly<Record<EnvironmentName, ProfileDefaults>> = PROFILES;
/** The environments, in the order of their profiles. */
export const ENVIRONMENT_NAMES = Object.keys(PROFILES) as [EnvironmentName, ...EnvironmentName[]];

export const SIZE_ORDER: Readonly<Record<Size, number>> = { small: 0, standard: 1, large: 2 };

/** The smaller of two sizes. */
export function capSize(requested: Size, max: Size): Size {
    return SIZE_ORDER[requested] <= SIZE_ORDER[max] ? requested : max;
}
