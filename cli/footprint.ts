import { cpuMillis, formatCpu, formatMemory, memoryBytes } from "../components/kube/resources";
import { LABELS } from "../components/naming/labels";
import { type CapturedResource, reveal } from "./mock-runtime";

/** CPU (millicores) and memory (bytes) of requests and limits. */
export interface Footprint {
    cpuRequest: number;
    memoryRequest: number;
    cpuLimit: number;
    memoryLimit: number;
}

export const ZERO: Footprint = { cpuRequest: 0, memoryRequest: 0, cpuLimit: 0, memoryLimit: 0 };

export function add(a: Footprint, b: Footprint, times = 1): Footprint {
    return {
        cpuRequest: a.cpuRequest + b.cpuRequest * times,
        memoryRequest: a.memoryRequest + b.memoryRequest * times,
        cpuLimit: a.cpuLimit + b.cpuLimit * times,
        memoryLimit: a.memoryLimit + b.memoryLimit * times,
    };
}

export function formatFootprint(f: Footprint): string {
    return `requests ${formatCpu(f.cpuRequest)} CPU / ${formatMemory(f.memoryRequest)}, limits ${formatCpu(f.cpuLimit)} CPU / ${formatMemory(f.memoryLimit)}`;
}

interface Container {
    image?: string;
    resources?: { requests?: { cpu?: string; memory?: string }; limits?: { cpu?: string; memory?: string } };
}
interface PodTemplate {
    metadata?: { labels?: Record<string, string> };
    spec?: {
        containers?: Container[];
        initContainers?: Container[];
        priorityClassName?: string;
        nodeSelector?: Record<string, string>;
        tolerations?: Array<{ key?: string; operator?: string; value?: string; effect?: string }>;
        topologySpreadConstraints?: Array<{ topologyKey?: string; whenUnsatisfiable?: string }>;
    };
}

/** A long-running workload: its pod template and replica count. */
export interface Workload {
    readonly kind: string;
    readonly namespace: string;
    readonly name: string;
    readonly tenant: string;
    /** Declared replicas, or the autoscaler's minimum when one owns them. */
    readonly replicas: number;
    /** The most replicas it may run: its autoscaler's maximum, else its replicas. */
    readonly maxReplicas: number;
    readonly autoscaled: boolean;
    readonly template: PodTemplate;
}

interface Hpa {
    kind?: string;
    metadata?: { namespace?: string };
    spec?: { scaleTargetRef?: { kind?: string; name?: string }; minReplicas?: number; maxReplicas?: number };
}

function manifestOf(r: CapturedResource): Record<string, unknown> | undefined {
    if (!r.type.startsWith("kubernetes:") || !("kind" in r.inputs)) return undefined;
    return reveal(r.inputs) as Record<string, unknown>;
}

/** Deployments and StatefulSets (what runs all the time), with their replica counts and autoscaling bounds. */
export function workloads(resources: readonly CapturedResource[]): Workload[] {
    const out: Workload[] = [];
    const hpas = new Map<string, Hpa>();
    for (const r of resources) {
        const h = manifestOf(r) as Hpa | undefined;
        if (h?.kind === "HorizontalPodAutoscaler")
            hpas.set(`${h.metadata?.namespace}/${h.spec?.scaleTargetRef?.kind}/${h.spec?.scaleTargetRef?.name}`, h);
    }
    for (const r of resources) {
        const m = manifestOf(r) as
            | {
                  kind?: string;
                  metadata?: { name?: string; namespace?: string; labels?: Record<string, string> };
                  spec?: { replicas?: number; template?: PodTemplate };
              }
            | undefined;
        if (!m || (m.kind !== "Deployment" && m.kind !== "StatefulSet")) continue;
        const namespace = m.metadata?.namespace ?? "";
        const name = m.metadata?.name ?? r.name;
        const hpa = hpas.get(`${namespace}/${m.kind}/${name}`);
        const replicas = hpa ? (hpa.spec?.minReplicas ?? 1) : (m.spec?.replicas ?? 1);
        out.push({
            kind: m.kind,
            namespace,
            name,
            tenant: m.metadata?.labels?.[LABELS.tenant] ?? "",
            replicas,
            maxReplicas: hpa ? (hpa.spec?.maxReplicas ?? replicas) : replicas,
            autoscaled: hpa !== undefined,
            template: m.spec?.template ?? {},
        });
    }
    return out;
}

/** Requests and limits of one pod's long-running containers (init containers run before, not beside). */
export function podFootprint(template: PodTemplate): Footprint {
    let f = ZERO;
    for (const c of template.spec?.containers ?? []) {
        const r = c.resources ?? {};
        f = add(f, {
            cpuRequest: r.requests?.cpu ? cpuMillis(r.requests.cpu) : 0,
            memoryRequest: r.requests?.memory ? memoryBytes(r.requests.memory) : 0,
            cpuLimit: r.limits?.cpu ? cpuMillis(r.limits.cpu) : 0,
            memoryLimit: r.limits?.memory ? memoryBytes(r.limits.memory) : 0,
        });
    }
    return f;
}

/**
 * Total footprint of the workloads, optionally of one tenant (`platform` for shared services):
 * at the declared replicas, or (`atMax`) with every autoscaler at its maximum.
 */
export function totalFootprint(resources: readonly CapturedResource[], tenant?: string, atMax = false): Footprint {
    return workloads(resources)
        .filter((w) => tenant === undefined || w.tenant === tenant)
        .reduce((acc, w) => add(acc, podFootprint(w.template), atMax ? w.maxReplicas : w.replicas), ZERO);
}

/** Every image referenced by any pod template (workloads, Jobs, CronJobs). */
export function images(resources: readonly CapturedResource[]): Map<string, number> {
    const counts = new Map<string, number>();
    const visit = (v: unknown): void => {
        if (Array.isArray(v)) v.forEach(visit);
        else if (v && typeof v === "object") {
            const o = v as Record<string, unknown>;
            if (Array.isArray(o["containers"])) {
                for (const c of [...(o["containers"] as Container[]), ...((o["initContainers"] as Container[] | undefined) ?? [])]) {
                    if (c.image) counts.set(c.image, (counts.get(c.image) ?? 0) + 1);
                }
            }
            Object.values(o).forEach(visit);
        }
    };
    for (const r of resources) if (r.type.startsWith("kubernetes:")) visit(reveal(r.inputs));
    return new Map([...counts].sort(([a], [b]) => a.localeCompare(b)));
}
