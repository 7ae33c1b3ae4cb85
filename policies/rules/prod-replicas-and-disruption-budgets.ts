import type { StackValidationPolicy } from "@pulumi/policy";
import { EXPOSED_LABEL } from "../../components/naming/labels";
import { environmentsWhere, stackProfile } from "../lib/profile";
import { describe, metaOf, plain } from "../lib/values";

type Selector = { matchLabels?: Record<string, string> };

/** Fewest replicas that survive losing one pod; a PodDisruptionBudget over one replica would block every drain. */
const MIN_REPLICAS = 2;

export const prodReplicasAndDisruptionBudgets: StackValidationPolicy = {
    name: "prod-web-apps-highly-available",
    description: `In environments whose profile is highly available (${environmentsWhere("highAvailability")}), every web-facing Deployment (pods labelled \`${EXPOSED_LABEL}\`) runs at least ${MIN_REPLICAS} replicas (or its autoscaler's minimum is ${MIN_REPLICAS}) and has a PodDisruptionBudget, unless it is scaled to zero (an offboarded tenant).`,
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const deployments = args.resources.filter((x) => x.type === "kubernetes:apps/v1:Deployment");
        if (deployments.length === 0) return;
        const stack = stackProfile(args.resources);
        if ("problem" in stack)
            return report(`${stack.problem} Cannot tell whether the stack's ${deployments.length} Deployments must be highly available.`);
        if (!stack.profile.highAvailability) return;
        const budgets = args.resources
            .filter((r) => r.type === "kubernetes:policy/v1:PodDisruptionBudget")
            .map((r) => ({
                ns: metaOf(r.props).namespace,
                selector: plain<{ spec?: { selector?: Selector } }>(r.props).spec?.selector?.matchLabels ?? {},
            }));
        // A Deployment under an autoscaler declares no replicas: the autoscaler's minimum is what it runs at least.
        const autoscaledMin = new Map<string, number | undefined>();
        for (const h of args.resources.filter((x) => x.type === "kubernetes:autoscaling/v2:HorizontalPodAutoscaler")) {
            const spec = plain<{ spec?: { scaleTargetRef?: { kind?: string; name?: string }; minReplicas?: number } }>(h.props).spec;
            if (spec?.scaleTargetRef?.kind === "Deployment")
                autoscaledMin.set(`${metaOf(h.props).namespace}/${spec.scaleTargetRef.name}`, spec.minReplicas ?? 1);
        }
        for (const r of deployments) {
            const p = plain<{ spec?: { replicas?: number; template?: { metadata?: { labels?: Record<string, string> } } } }>(r.props);
            const labels = p.spec?.template?.metadata?.labels ?? {};
            const key = `${metaOf(r.props).namespace}/${metaOf(r.props).name}`;
            const replicas = autoscaledMin.has(key) ? autoscaledMin.get(key) : p.spec?.replicas;
            // Scaled to zero (a tenant being offboarded): nothing serves, so nothing can be disrupted.
            if (!labels[EXPOSED_LABEL] || replicas === 0) continue;
            if ((replicas ?? 1) < MIN_REPLICAS)
                report(
                    `${describe(r.type, r.props)} is web-facing with ${replicas ?? 1} replica(s) in \`${stack.env}\`, whose profile is highly available; run at least ${MIN_REPLICAS}.`,
                    r.urn,
                );
            const ns = metaOf(r.props).namespace;
            const covered = budgets.some(
                (b) => b.ns === ns && Object.keys(b.selector).length > 0 && Object.entries(b.selector).every(([k, v]) => labels[k] === v),
            );
            if (!covered)
                report(
                    `${describe(r.type, r.props)} is web-facing in \`${stack.env}\`, whose profile is highly available, but no PodDisruptionBudget selects its pods.`,
                    r.urn,
                );
        }
    },
};
