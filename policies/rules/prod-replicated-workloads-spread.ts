import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { environmentsWhere, stackProfile } from "../lib/profile";
import { describe, metaOf, plain, podOf } from "../lib/values";

const ZONE = "topology.kubernetes.io/zone";
const HOSTNAME = "kubernetes.io/hostname";
type Constraint = { topologyKey?: string; whenUnsatisfiable?: string; labelSelector?: { matchLabels?: Record<string, string> } };

/** The most replicas a workload may run: its autoscaler's maximum, else its declared replicas. */
function maxReplicas(r: PolicyResource, all: readonly PolicyResource[]): number | undefined {
    const m = metaOf(r.props);
    const kind = r.type.split(":").pop();
    const hpa = all.find((h) => {
        if (h.type !== "kubernetes:autoscaling/v2:HorizontalPodAutoscaler" || metaOf(h.props).namespace !== m.namespace) return false;
        const ref = plain<{ spec?: { scaleTargetRef?: { kind?: string; name?: string } } }>(h.props).spec?.scaleTargetRef;
        return ref?.kind === kind && ref?.name === m.name;
    });
    if (hpa) return plain<{ spec?: { maxReplicas?: number } }>(hpa.props).spec?.maxReplicas;
    return plain<{ spec?: { replicas?: number } }>(r.props).spec?.replicas ?? 1;
}

export const prodReplicatedWorkloadsSpread: StackValidationPolicy = {
    name: "prod-replicated-workloads-spread",
    description: `In environments whose profile is highly available (${environmentsWhere("highAvailability")}), every Deployment and StatefulSet that may run two or more replicas (declared, or its autoscaler's maximum) spreads them across zones (\`${ZONE}\`, ScheduleAnyway) and nodes (\`${HOSTNAME}\`, DoNotSchedule), counting its own pods, so one node or zone lost never takes them all.`,
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const workloads = args.resources.filter(
            (x) => x.type === "kubernetes:apps/v1:Deployment" || x.type === "kubernetes:apps/v1:StatefulSet",
        );
        if (workloads.length === 0) return;
        const stack = stackProfile(args.resources);
        if ("problem" in stack)
            return report(
                `${stack.problem} Cannot tell whether the stack's ${workloads.length} Deployments and StatefulSets must spread their replicas.`,
            );
        if (!stack.profile.highAvailability) return;
        for (const r of workloads) {
            const max = maxReplicas(r, args.resources);
            if (max === undefined || max < 2) continue;
            const pod = podOf(r.type, r.props);
            const labels = pod?.meta.labels ?? {};
            const constraints = (pod?.spec as { topologySpreadConstraints?: Constraint[] } | undefined)?.topologySpreadConstraints ?? [];
            for (const [key, when] of [
                [ZONE, "ScheduleAnyway"],
                [HOSTNAME, "DoNotSchedule"],
            ] as const) {
                const c = constraints.find((x) => x.topologyKey === key);
                const selector = c?.labelSelector?.matchLabels ?? {};
                const own = Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);
                if (!c)
                    report(
                        `${describe(r.type, r.props)} may run ${max} replicas in \`${stack.env}\`, whose profile is highly available, but does not spread them over \`${key}\`.`,
                        r.urn,
                    );
                else if (c.whenUnsatisfiable !== when)
                    report(`${describe(r.type, r.props)} spreads over \`${key}\` with ${c.whenUnsatisfiable}; use ${when}.`, r.urn);
                else if (!own)
                    report(
                        `${describe(r.type, r.props)} spreads over \`${key}\` counting pods other than its own; select its pod labels.`,
                        r.urn,
                    );
            }
        }
    },
};
