/** The label keys every object the platform declares carries (a CrossGuard rule checks them). */
export const LABELS = {
    app: "app.kubernetes.io/name",
    component: "app.kubernetes.io/component",
    partOf: "app.kubernetes.io/part-of",
    managedBy: "app.kubernetes.io/managed-by",
    tenant: "llmops.io/tenant",
    environment: "llmops.io/environment",
} as const;

/** Annotations the platform sets and its CrossGuard rules read. */
export const ANNOTATIONS = {
    /** On a pod: why a container keeps a writable root filesystem (a reviewed exception). */
    writableRoot: "llmops.io/writable-root-filesystem",
    /** On a StatefulSet: its volume is not data of record (a queue, a cache), so it need not be protected. */
    ephemeralState: "llmops.io/ephemeral-state",
    /** On a tenant namespace: the tenant's effective retention, as JSON. */
    retention: "llmops.io/retention",
    /** On the platform namespace: the environment's retention bounds, as JSON. */
    retentionBounds: "llmops.io/retention-bounds",
} as const;

/** Label on the pods that take traffic from outside their namespace (ingress controller, Kong). */
export const EXPOSED_LABEL = "llmops.io/exposed";

/** Label that marks a namespace as a tenant workspace. */
export const TENANT_NAMESPACE_LABEL = "llmops.io/workspace";

export const PART_OF = "llmops-platform";
/** The `app.kubernetes.io/managed-by` value of every object the program declares. */
export const MANAGED_BY_LABEL_VALUE = "pulumi";
/** The tenant label value of shared, per-environment objects. */
export const PLATFORM_TENANT = "platform";

export interface LabelArgs {
    /** The application or service, e.g. `langfuse`, `postgres`. */
    readonly app: string;
    /** The part of the app, e.g. `web`, `worker`. @default none: no component label, in the labels or the selector */
    readonly component?: string;
    /** The tenant id; absent for shared platform objects. @default `platform` ({@link PLATFORM_TENANT}) */
    readonly tenant?: string;
    /** The environment (stack profile) name. */
    readonly environment: string;
}

/** The standard labels of an object. */
export function standardLabels(args: LabelArgs): Record<string, string> {
    const labels: Record<string, string> = {
        [LABELS.app]: args.app,
        [LABELS.partOf]: PART_OF,
        [LABELS.managedBy]: MANAGED_BY_LABEL_VALUE,
        [LABELS.tenant]: args.tenant ?? PLATFORM_TENANT,
        [LABELS.environment]: args.environment,
    };
    if (args.component) labels[LABELS.component] = args.component;
    return labels;
}

/** The subset of labels that selects a workload's pods (stable across upgrades). */
export function selectorLabels(args: LabelArgs): Record<string, string> {
    const labels: Record<string, string> = {
        [LABELS.app]: args.app,
        [LABELS.tenant]: args.tenant ?? PLATFORM_TENANT,
    };
    if (args.component) labels[LABELS.component] = args.component;
    return labels;
}

/** The component type of a tenant's workspace: every resource of a tenant has it as an ancestor. */
export const TENANT_WORKSPACE_TYPE = "llmops:tenant:Workspace";
