import { describe, expect, it } from "vitest";
import { podsPriorityClass } from "../../policies/rules/pods-priority-class";
import { prodReplicasAndDisruptionBudgets } from "../../policies/rules/prod-replicas-and-disruption-budgets";
import { prodReplicatedWorkloadsSpread } from "../../policies/rules/prod-replicated-workloads-spread";
import { PROFILE_DEFAULTS } from "../../components/environment/defaults";
import { ENVIRONMENT_NAMES } from "../../components/environment/defaults";
import { goodDeployment, namespace, resource, runStackRule } from "./fixtures";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const SELECTOR = { "app.kubernetes.io/name": "web", "llmops.io/tenant": "acme" };

/** The good fixture, spread and prioritized as the platform declares it in prod. */
function scheduled(env = "prod"): Record<string, any> {
    const d = goodDeployment({ env });
    d["metadata"].labels["llmops.io/tenant"] = "acme";
    d["spec"].selector.matchLabels = { ...SELECTOR };
    d["spec"].template.spec.priorityClassName = "llm-apps";
    d["spec"].template.spec.topologySpreadConstraints = [
        {
            maxSkew: 1,
            topologyKey: "topology.kubernetes.io/zone",
            whenUnsatisfiable: "ScheduleAnyway",
            labelSelector: { matchLabels: { ...SELECTOR } },
        },
        {
            maxSkew: 1,
            topologyKey: "kubernetes.io/hostname",
            whenUnsatisfiable: "DoNotSchedule",
            labelSelector: { matchLabels: { ...SELECTOR } },
        },
    ];
    return d;
}

const mutated = (f: (d: Record<string, any>) => void, env = "prod") => {
    const d = scheduled(env);
    f(d);
    return resource(DEPLOYMENT, "web", d);
};

const priorityClass = (name: string) =>
    resource("kubernetes:scheduling.k8s.io/v1:PriorityClass", name, {
        apiVersion: "scheduling.k8s.io/v1",
        kind: "PriorityClass",
        metadata: { name },
        value: 1000,
    });
const hpa = (max: number) =>
    resource("kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "web-hpa", {
        apiVersion: "autoscaling/v2",
        kind: "HorizontalPodAutoscaler",
        metadata: { name: "web", namespace: "llm-acme" },
        spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" }, minReplicas: 1, maxReplicas: max },
    });

describe("prod-replicated-workloads-spread: a good fixture passes, each mutation reports its violation", () => {
    const prod = namespace("llm-platform", "prod");
    it("accepts the good fixture", async () => {
        expect(await runStackRule(prodReplicatedWorkloadsSpread, [prod, resource(DEPLOYMENT, "web", scheduled())])).toEqual([]);
    });
    it.each([
        [
            "no zone spread",
            (d: Record<string, any>) => d["spec"].template.spec.topologySpreadConstraints.splice(0, 1),
            "Deployment llm-acme/web may run 2 replicas in `prod`, whose profile is highly available, but does not spread them over `topology.kubernetes.io/zone`.",
        ],
        [
            "no node spread",
            (d: Record<string, any>) => d["spec"].template.spec.topologySpreadConstraints.splice(1, 1),
            "Deployment llm-acme/web may run 2 replicas in `prod`, whose profile is highly available, but does not spread them over `kubernetes.io/hostname`.",
        ],
        [
            "node spread only preferred",
            (d: Record<string, any>) => (d["spec"].template.spec.topologySpreadConstraints[1].whenUnsatisfiable = "ScheduleAnyway"),
            "Deployment llm-acme/web spreads over `kubernetes.io/hostname` with ScheduleAnyway; use DoNotSchedule.",
        ],
        [
            "counts other pods",
            (d: Record<string, any>) =>
                (d["spec"].template.spec.topologySpreadConstraints[0].labelSelector.matchLabels = { "llmops.io/tenant": "globex" }),
            "Deployment llm-acme/web spreads over `topology.kubernetes.io/zone` counting pods other than its own; select its pod labels.",
        ],
    ])("%s", async (_name, f, expected) => {
        expect(await runStackRule(prodReplicatedWorkloadsSpread, [prod, mutated(f)])).toEqual([expected]);
    });
    it("counts an autoscaler's maximum as replicas, and leaves single replicas and other environments alone", async () => {
        const single = mutated((d) => {
            d["spec"].replicas = 1;
            delete d["spec"].template.spec.topologySpreadConstraints;
        });
        expect(await runStackRule(prodReplicatedWorkloadsSpread, [prod, single])).toEqual([]);
        expect(await runStackRule(prodReplicatedWorkloadsSpread, [prod, single, hpa(4)])).toEqual([
            "Deployment llm-acme/web may run 4 replicas in `prod`, whose profile is highly available, but does not spread them over `topology.kubernetes.io/zone`.",
            "Deployment llm-acme/web may run 4 replicas in `prod`, whose profile is highly available, but does not spread them over `kubernetes.io/hostname`.",
        ]);
        const devUnspread = mutated((d) => delete d["spec"].template.spec.topologySpreadConstraints, "dev");
        expect(await runStackRule(prodReplicatedWorkloadsSpread, [namespace("llm-platform", "dev"), devUnspread])).toEqual([]);
        expect(ENVIRONMENT_NAMES.length).toBeGreaterThan(0);
        for (const env of ENVIRONMENT_NAMES) {
            const unspread = mutated((d) => delete d["spec"].template.spec.topologySpreadConstraints, env);
            expect((await runStackRule(prodReplicatedWorkloadsSpread, [namespace("llm-platform", env), unspread])).length, env).toBe(
                PROFILE_DEFAULTS[env].highAvailability ? 2 : 0,
            );
        }
    });
    it("reports a stack whose environment has no profile, rather than pass it", async () => {
        expect(
            await runStackRule(prodReplicatedWorkloadsSpread, [namespace("llm-platform", "qa"), mutated(() => undefined, "qa")]),
        ).toEqual([
            `the environment \`qa\` (label \`llmops.io/environment\`) has no profile; use one of ${ENVIRONMENT_NAMES.join(", ")}. Cannot tell whether the stack's 1 Deployments and StatefulSets must spread their replicas.`,
        ]);
    });
});

describe("pods-priority-class: a good fixture passes, each mutation reports its violation", () => {
    it("accepts the good fixture", async () => {
        expect(await runStackRule(podsPriorityClass, [priorityClass("llm-apps"), resource(DEPLOYMENT, "web", scheduled("dev"))])).toEqual(
            [],
        );
    });
    it("reports a pod without a priority class", async () => {
        expect(
            await runStackRule(podsPriorityClass, [
                priorityClass("llm-apps"),
                mutated((d) => delete d["spec"].template.spec.priorityClassName, "dev"),
            ]),
        ).toEqual(["Deployment llm-acme/web: its pods name no priorityClassName."]);
    });
    it("reports a priority class the stack does not declare", async () => {
        expect(await runStackRule(podsPriorityClass, [priorityClass("llm-batch"), resource(DEPLOYMENT, "web", scheduled("dev"))])).toEqual([
            "Deployment llm-acme/web: its pods name the PriorityClass `llm-apps`, which the stack does not declare.",
        ]);
    });
    it("checks CronJob pods too", async () => {
        const cron = resource("kubernetes:batch/v1:CronJob", "gc", {
            apiVersion: "batch/v1",
            kind: "CronJob",
            metadata: { name: "gc", namespace: "llm-acme" },
            spec: { jobTemplate: { spec: { template: { spec: { containers: [] } } } } },
        });
        expect(await runStackRule(podsPriorityClass, [priorityClass("llm-batch"), cron])).toEqual([
            "CronJob llm-acme/gc: its pods name no priorityClassName.",
        ]);
    });
});

describe("prod-web-apps-highly-available under an autoscaler", () => {
    const prod = namespace("llm-platform", "prod");
    const pdb = resource("kubernetes:policy/v1:PodDisruptionBudget", "pdb", {
        apiVersion: "policy/v1",
        kind: "PodDisruptionBudget",
        metadata: { name: "web", namespace: "llm-acme" },
        spec: { minAvailable: 1, selector: { matchLabels: { ...SELECTOR } } },
    });
    const owned = (min: number) => {
        const h = hpa(4);
        (h.props as any).spec.minReplicas = min;
        return h;
    };
    const unreplicated = () => mutated((d) => delete d["spec"].replicas);
    it("counts the autoscaler's minimum as the replicas of a Deployment that declares none", async () => {
        expect(await runStackRule(prodReplicasAndDisruptionBudgets, [prod, unreplicated(), owned(2), pdb])).toEqual([]);
        expect(await runStackRule(prodReplicasAndDisruptionBudgets, [prod, unreplicated(), owned(1), pdb])).toEqual([
            "Deployment llm-acme/web is web-facing with 1 replica(s) in `prod`, whose profile is highly available; run at least 2.",
        ]);
    });
});
