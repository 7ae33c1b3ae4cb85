import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { Problem } from "../validation/problems";
import { mirrorImage, type ImageMirror } from "./images";

type PodSpec = k8s.types.input.core.v1.PodSpec;
type Container = k8s.types.input.core.v1.Container;
type EnvVar = k8s.types.input.core.v1.EnvVar;

/**
 * Priority tiers, highest first: the shared data plane and the trace gateway outrank every tenant;
 * within a tenant the ingestion path (Langfuse web and worker, its ClickHouse and Redis) outranks
 * the other apps, and batch work (backups, exports, gc, migrations) comes last.
 */
export const PRIORITY_TIERS = ["dataPlane", "ingestion", "apps", "batch"] as const;
export type PriorityTier = (typeof PRIORITY_TIERS)[number];

/** Classes of workloads that may get their own node pool. */
export const PLACEMENT_CLASSES = ["dataServices", "tenantApps", "clickhouse"] as const;
export type PlacementClass = (typeof PLACEMENT_CLASSES)[number];

export interface NodePlacement {
    /** Node labels the pods require. @default none: any node */
    readonly nodeSelector?: Readonly<Record<string, string>>;
    /** Taints the pods tolerate. @default none */
    readonly tolerations?: readonly {
        readonly key?: string;
        readonly operator?: "Exists" | "Equal";
        readonly value?: string;
        readonly effect?: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
    }[];
}

/** What a workload is, for scheduling: its node pool and its priority. */
export interface WorkloadRole {
    readonly placement: PlacementClass;
    readonly priority: PriorityTier;
}

/** Extra env vars and pod annotations an environment gives one app, and where they were configured. */
export interface PodOverride {
    readonly env: Readonly<Record<string, string>>;
    readonly annotations: Readonly<Record<string, string>>;
    readonly source: string;
    readonly path: string;
}

/**
 * How the pods of one namespace are scheduled and pulled: carried by its {@link NamespaceRef}, so
 * every workload helper applies it without each app passing it on.
 */
export interface PodScheduling {
    /** PriorityClass name of each tier (outputs of the PriorityClasses, so pods wait for them). */
    readonly priorityClassNames: Readonly<Record<PriorityTier, pulumi.Input<string>>>;
    readonly placement: Readonly<Record<PlacementClass, NodePlacement>>;
    /** Spread replicated workloads across zones (best effort) and nodes (required). */
    readonly spread: boolean;
    readonly imagePullSecrets: readonly string[];
    /** The registry that mirrors every image. @default none: every image is pulled from its own registry */
    readonly mirror?: ImageMirror;
    /** The role of a workload of this namespace that names none. */
    readonly defaultRole: WorkloadRole;
    /**
     * Set when the scalable workloads of this namespace get HorizontalPodAutoscalers.
     * @default none: no HorizontalPodAutoscalers in the namespace
     */
    readonly autoscaling?: { readonly targetCpuUtilization: number; readonly maxReplicas: number };
    /** Extra env vars and annotations, by app label. */
    readonly overrides: Readonly<Record<string, PodOverride>>;
    /**
     * Overrides refused while declaring (a name the platform sets), gathered so the program reports
     * them all at once when it has declared everything, instead of failing at the first workload.
     */
    readonly problems: Problem[];
}

/** What a workload helper tells {@link schedulePod} about the pods it declares. */
export interface PodScheduleArgs {
    /** The namespace's scheduling. @default none: {@link schedulePod} returns the spec unchanged */
    readonly policy?: PodScheduling;
    /** Overrides the namespace's default role (ClickHouse, the ingestion path). @default the namespace's `defaultRole` */
    readonly role?: Partial<WorkloadRole>;
    /** Jobs and CronJobs: always the batch tier. @default false */
    readonly batch?: boolean;
    /** Labels selecting exactly this workload's pods (what spread constraints count). */
    readonly selector: Readonly<Record<string, string>>;
    /** The most replicas the workload may run (its replicas, or its autoscaler's maximum). */
    readonly maxReplicas: number;
    /** The app label, which picks the environment's overrides. @default none: no environment overrides apply */
    readonly app?: string;
}

export const ZONE_KEY = "topology.kubernetes.io/zone";
export const HOSTNAME_KEY = "kubernetes.io/hostname";

/** The role a workload gets: its own, else the namespace's; Jobs are always batch. */
export function roleOf(args: PodScheduleArgs): WorkloadRole | undefined {
    if (!args.policy) return undefined;
    const role = { ...args.policy.defaultRole, ...args.role };
    return args.batch ? { ...role, priority: "batch" } : role;
}

/**
 * Topology spread of a replicated workload: across zones as far as the cluster has them
 * (ScheduleAnyway: a single-zone cluster still schedules), and strictly across nodes
 * (DoNotSchedule: two replicas never share a node, so one node lost never takes them all).
 */
export function spreadConstraints(selector: Readonly<Record<string, string>>): k8s.types.input.core.v1.TopologySpreadConstraint[] {
    return [
        { maxSkew: 1, topologyKey: ZONE_KEY, whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: { ...selector } } },
        { maxSkew: 1, topologyKey: HOSTNAME_KEY, whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels: { ...selector } } },
    ];
}

/** Names an environment may not override: every env var some container of the pod already sets. */
function envNames(containers: readonly Container[]): Set<string> {
    const names = new Set<string>();
    for (const c of containers) for (const e of (c.env as EnvVar[] | undefined) ?? []) names.add(e.name as string);
    return names;
}

/** Overrides that collide with what the program sets, each naming the file, the field and the name. */
export function overrideCollisions(
    override: PodOverride,
    workload: string,
    setEnv: ReadonlySet<string>,
    setAnnotations: ReadonlySet<string>,
): Problem[] {
    return [
        ...Object.keys(override.env)
            .filter((n) => setEnv.has(n))
            .map((n) => ({
                source: override.source,
                path: `${override.path}.env.${n}`,
                message: `collides with \`${n}\`, which the platform sets on ${workload}.`,
                fix: "remove it: the platform's value stays; change the program to change it.",
            })),
        ...Object.keys(override.annotations)
            .filter((n) => setAnnotations.has(n))
            .map((n) => ({
                source: override.source,
                path: `${override.path}.annotations.${n}`,
                message: `collides with \`${n}\`, which the platform sets on the pods of ${workload}.`,
                fix: "remove it, or pick another key.",
            })),
    ];
}

/** One problem per refused field, naming every workload it collides on (the same override applies to every tenant). */
export function mergeCollisions(problems: readonly Problem[]): Problem[] {
    const byField = new Map<string, { first: Problem; workloads: string[] }>();
    for (const p of problems) {
        const key = `${p.source}\u0000${p.path}`;
        const workload = /on (?:the pods of )?(.*)\.$/.exec(p.message)?.[1] ?? "";
        const hit = byField.get(key);
        if (hit) hit.workloads.push(workload);
        else byField.set(key, { first: p, workloads: [workload] });
    }
    return [...byField.values()].map(({ first, workloads }) =>
        workloads.length === 1
            ? first
            : {
                  ...first,
                  message: first.message.replace(
                      / on (?:the pods of )?.*\.$/,
                      ` on ${workloads.length} workloads: ${[...new Set(workloads)].sort().join(", ")}.`,
                  ),
              },
    );
}

/** Pod annotations with the environment's overrides for the app added (collisions refused). */
export function podAnnotations(
    args: PodScheduleArgs,
    workload: string,
    own: Readonly<Record<string, pulumi.Input<string>>>,
): Record<string, pulumi.Input<string>> | undefined {
    const override = args.app ? args.policy?.overrides[args.app] : undefined;
    if (override)
        args.policy!.problems.push(...overrideCollisions({ ...override, env: {} }, workload, new Set(), new Set(Object.keys(own))));
    // A colliding key keeps the platform's value (the program fails anyway, listing the collision).
    const all = { ...override?.annotations, ...own };
    return Object.keys(all).length ? all : undefined;
}

/**
 * Applies the namespace's scheduling to a pod spec: priority class, node pool, spread when the
 * workload is replicated, pull secrets, mirrored images and the environment's extra env vars.
 */
export function schedulePod(spec: PodSpec, args: PodScheduleArgs | undefined, workload: string): PodSpec {
    const policy = args?.policy;
    const role = args && roleOf(args);
    if (!policy || !role || !args) return spec;
    const placement = policy.placement[role.placement];
    const override = args.app ? policy.overrides[args.app] : undefined;
    const containers = spec.containers as Container[];
    const init = (spec.initContainers as Container[] | undefined) ?? [];
    const taken = envNames([...init, ...containers]);
    if (override) policy.problems.push(...overrideCollisions({ ...override, annotations: {} }, workload, taken, new Set()));
    const extraEnv: EnvVar[] = Object.entries(override?.env ?? {})
        .filter(([name]) => !taken.has(name))
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, value]) => ({ name, value }));
    const rewrite = (c: Container): Container => ({
        ...c,
        image: policy.mirror ? mirrorImage(c.image as string, policy.mirror) : c.image,
        env: extraEnv.length ? [...((c.env as EnvVar[] | undefined) ?? []), ...extraEnv] : c.env,
    });
    return {
        ...spec,
        priorityClassName: policy.priorityClassNames[role.priority],
        nodeSelector: placement.nodeSelector && Object.keys(placement.nodeSelector).length ? { ...placement.nodeSelector } : undefined,
        tolerations: placement.tolerations?.length ? placement.tolerations.map((t) => ({ ...t })) : undefined,
        topologySpreadConstraints: policy.spread && args.maxReplicas >= 2 ? spreadConstraints(args.selector) : undefined,
        imagePullSecrets: policy.imagePullSecrets.length ? policy.imagePullSecrets.map((name) => ({ name })) : undefined,
        initContainers: spec.initContainers ? init.map(rewrite) : undefined,
        containers: containers.map(rewrite),
    };
}
