import { UnknownValueError } from "@pulumi/policy";

/**
 * Helpers shared by the rules. Values may arrive wrapped (CrossGuard hands secrets over as
 * `Secret` objects with a `value`) or unknown: during a preview CrossGuard's proxy throws
 * `UnknownValueError` on reading an output not computed yet, and turns the whole rule into a
 * "cannot run during preview" advisory. `plain()` reads every property on its own and makes an
 * unknown one `undefined`, so a rule still checks everything that is known; rules treat
 * `undefined` as "not known yet", never as a violation on its own.
 */

/** Reads `o[k]`, or undefined when CrossGuard does not know it yet. */
function read(o: Record<string | number, unknown>, k: string | number): unknown {
    try {
        return o[k];
    } catch (e) {
        // By class name as well: the pack may load its own copy of @pulumi/policy (policies/node_modules)
        // while the engine or the offline harness throws from another, where instanceof fails.
        if (e instanceof UnknownValueError || (e as Error | undefined)?.constructor?.name === "UnknownValueError") return undefined;
        throw e;
    }
}

/** Unwraps CrossGuard `Secret` values, recursively; unknown values become undefined. */
export function plain<T = unknown>(v: unknown): T {
    if (Array.isArray(v)) return Array.from({ length: v.length }, (_, i) => plain(read(v as unknown as Record<number, unknown>, i))) as T;
    if (v && typeof v === "object") {
        const o = v as Record<string, unknown>;
        if (o.constructor?.name === "Secret" && "value" in o) return plain(read(o, "value"));
        return Object.fromEntries(Object.keys(o).map((k) => [k, plain(read(o, k))])) as T;
    }
    return v as T;
}

export interface K8sMeta {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
}

export interface Container {
    name: string;
    image?: string;
    command?: string[];
    args?: string[];
    ports?: unknown[];
    env?: Array<{ name: string; value?: string; valueFrom?: unknown }>;
    resources?: { requests?: { cpu?: string; memory?: string }; limits?: { cpu?: string; memory?: string } };
    readinessProbe?: unknown;
    livenessProbe?: unknown;
    securityContext?: {
        runAsNonRoot?: boolean;
        runAsUser?: number;
        allowPrivilegeEscalation?: boolean;
        readOnlyRootFilesystem?: boolean;
        privileged?: boolean;
        capabilities?: { drop?: string[]; add?: string[] };
        seccompProfile?: { type?: string };
    };
}

export interface PodSpec {
    containers?: Container[];
    initContainers?: Container[];
    hostNetwork?: boolean;
    hostPID?: boolean;
    hostIPC?: boolean;
    securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; seccompProfile?: { type?: string } };
}

export const WORKLOAD_TYPES: Record<string, "template" | "cron" | "pod"> = {
    "kubernetes:apps/v1:Deployment": "template",
    "kubernetes:apps/v1:StatefulSet": "template",
    "kubernetes:apps/v1:DaemonSet": "template",
    "kubernetes:batch/v1:Job": "template",
    "kubernetes:batch/v1:CronJob": "cron",
    "kubernetes:core/v1:Pod": "pod",
};

/** A pod, or the pod template of a workload. */
type Template = { metadata?: K8sMeta; spec?: PodSpec };

/** The pod template of a workload resource, with its metadata, or undefined for other types. */
export function podOf(type: string, props: Record<string, unknown>): { meta: K8sMeta; spec: PodSpec } | undefined {
    const kind = WORKLOAD_TYPES[type];
    if (!kind) return undefined;
    const p = plain<Template & { spec?: { template?: Template; jobTemplate?: { spec?: { template?: Template } } } }>(props);
    const template: Template | undefined = kind === "pod" ? p : kind === "cron" ? p.spec?.jobTemplate?.spec?.template : p.spec?.template;
    if (!template) return undefined;
    return { meta: template.metadata ?? {}, spec: template.spec ?? {} };
}

/** Every container of a pod, init containers included. */
export function containersOf(spec: PodSpec): Container[] {
    return [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
}

export function isKubernetes(type: string): boolean {
    return type.startsWith("kubernetes:") && !type.startsWith("kubernetes:helm") && type !== "kubernetes:yaml:ConfigFile";
}

export function metaOf(props: Record<string, unknown>): K8sMeta {
    return plain<{ metadata?: K8sMeta }>(props).metadata ?? {};
}

/** `kind namespace/name`, for messages. */
export function describe(type: string, props: Record<string, unknown>): string {
    const m = metaOf(props);
    const kind = type.split(":").pop();
    return `${kind} ${m.namespace ? `${m.namespace}/` : ""}${m.name ?? "(unnamed)"}`;
}
