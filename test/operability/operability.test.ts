import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import type { Capture } from "../../cli/mock-runtime";
import { PROJECT, readStackConfig } from "../../cli/mock-runtime";
import { PROFILE_DEFAULTS } from "../../components/environment/defaults";
import type { Environment } from "../../components/environment/environment";
import { resolveEnvironment } from "../../components/environment/resolve";
import { HOSTNAME_KEY, ZONE_KEY } from "../../components/kube/scheduling";
import { cpuMillis } from "../../components/kube/resources";
import { LABELS, PLATFORM_TENANT } from "../../components/naming/labels";
import { MAX_REPLICAS } from "../../components/sizing/profiles";
import type { Tenant } from "../../components/tenancy/tenant";
import { capture, stackCapture, STACKS } from "../support/capture";
import { stackInputs } from "../support/inputs";
import { k8sSchemaErrors } from "../support/k8s-schema";
import { type K8sObject, ofKind } from "../support/resources";
import { APP_NAMES } from "../../components/apps/registry";

interface Pod {
    readonly owner: K8sObject;
    readonly labels: Record<string, string>;
    readonly spec: any;
}

const WORKLOAD_KINDS = ["Deployment", "StatefulSet", "Job", "CronJob"] as const;

/** Every pod template of the capture, with the object that owns it. */
function pods(cap: Capture): Pod[] {
    return WORKLOAD_KINDS.flatMap((kind) =>
        ofKind(cap, kind).map((owner) => {
            const template = kind === "CronJob" ? owner.spec.jobTemplate.spec.template : owner.spec.template;
            return { owner, labels: template.metadata?.labels ?? {}, spec: template.spec };
        }),
    );
}

const id = (o: K8sObject) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`;

/** The tier a pod belongs in, from what it is: where it runs, its kind, and its app and component labels. */
function expectedTier(pod: Pod, platformNamespace: string): string {
    if (pod.owner.kind === "Job" || pod.owner.kind === "CronJob") return "batch";
    if (pod.owner.metadata.namespace === platformNamespace) return "data-plane";
    const app = pod.labels[LABELS.app];
    const component = pod.labels[LABELS.component];
    if (app === "langfuse" && ["web", "worker", "clickhouse", "redis"].includes(component ?? "")) return "ingestion";
    return "apps";
}

describe.each(STACKS)("operability of %s", (stack) => {
    let cap: Capture;
    let profile: Environment;
    let tenants: Tenant[];
    beforeAll(async () => {
        cap = await stackCapture(stack);
        ({ profile: profile, tenants } = stackInputs(stack));
    });

    it("declares one PriorityClass per tier, named with the stack's prefix, data plane above ingestion above apps above batch", async () => {
        const classes = ofKind(cap, "PriorityClass");
        const prefix = (readStackConfig(stack)[`${PROJECT}:platform`] as { namespacePrefix?: string }).namespacePrefix ?? "llm";
        expect(classes.map((c) => c.metadata.name).sort()).toEqual(
            ["apps", "batch", "data-plane", "ingestion"].map((t) => `${prefix}-${t}`),
        );
        const value = (t: string) => classes.find((c) => c.metadata.name === `${prefix}-${t}`)!["value"] as number;
        expect(value("data-plane")).toBeGreaterThan(value("ingestion"));
        expect(value("ingestion")).toBeGreaterThan(value("apps"));
        expect(value("apps")).toBeGreaterThan(value("batch"));
        expect(classes.find((c) => c.metadata.name === `${prefix}-batch`)!["preemptionPolicy"]).toBe("Never");
        for (const c of classes) {
            expect(c["globalDefault"]).toBe(false);
            expect(await k8sSchemaErrors(c)).toEqual([]);
        }
    });

    it("gives every pod the priority class of what it is", () => {
        const all = pods(cap);
        expect(all.length).toBeGreaterThan(5);
        for (const pod of all)
            expect(pod.spec.priorityClassName, id(pod.owner)).toBe(
                `${profile.namespacePrefix}-${expectedTier(pod, profile.platformNamespace)}`,
            );
    });

    it("spreads every replicated workload across zones (best effort) and nodes (required) exactly where the environment asks for high availability", () => {
        const configured = (readStackConfig(stack)[`${PROJECT}:platform`] as { placement?: { spread?: boolean } }).placement?.spread;
        const ha = configured ?? PROFILE_DEFAULTS[profile.name].highAvailability;
        const hpas = ofKind(cap, "HorizontalPodAutoscaler");
        const replicated = pods(cap).filter((p) => {
            const hpa = hpas.find(
                (h) => h.metadata.namespace === p.owner.metadata.namespace && h.spec.scaleTargetRef.name === p.owner.metadata.name,
            );
            return (hpa?.spec.maxReplicas ?? p.owner.spec.replicas ?? 0) >= 2;
        });
        if (!ha) {
            // Without high availability no pod carries a spread constraint (checked over every pod, so the check is never empty).
            const all = pods(cap);
            expect(all.length).toBeGreaterThan(5);
            expect(all.filter((p) => p.spec.topologySpreadConstraints).map((p) => id(p.owner))).toEqual([]);
            return;
        }
        // High availability runs the web apps on two replicas or more, so there is something to spread.
        expect(replicated.length).toBeGreaterThan(profile.name === "prod" ? 5 : 0);
        for (const pod of replicated) {
            const constraints = pod.spec.topologySpreadConstraints as any[] | undefined;
            const zone = constraints?.find((c) => c.topologyKey === ZONE_KEY);
            const node = constraints?.find((c) => c.topologyKey === HOSTNAME_KEY);
            expect(zone?.whenUnsatisfiable, id(pod.owner)).toBe("ScheduleAnyway");
            expect(node?.whenUnsatisfiable, id(pod.owner)).toBe("DoNotSchedule");
            for (const c of [zone, node]) {
                expect(c.maxSkew).toBe(1);
                // The constraint counts exactly this workload's pods.
                expect(Object.keys(c.labelSelector.matchLabels).length).toBeGreaterThan(0);
                for (const [k, v] of Object.entries(c.labelSelector.matchLabels)) expect(pod.labels[k], `${id(pod.owner)} ${k}`).toBe(v);
                expect(c.labelSelector.matchLabels).toEqual(pod.owner.spec.selector?.matchLabels ?? c.labelSelector.matchLabels);
            }
        }
    });

    it("keeps a PodDisruptionBudget beside every workload spread over nodes, so a drain never takes its last pod", () => {
        const budgets = ofKind(cap, "PodDisruptionBudget");
        const spread = pods(cap).filter(
            (p) =>
                p.spec.topologySpreadConstraints &&
                (p.owner.kind === "Deployment" || p.owner.kind === "StatefulSet") &&
                p.owner.spec.replicas !== 0,
        );
        if (profile.placement.spread) expect(spread.length).toBeGreaterThan(0);
        for (const pod of spread) {
            const covering = budgets.filter(
                (b) =>
                    b.metadata.namespace === pod.owner.metadata.namespace &&
                    Object.entries(b.spec.selector.matchLabels).every(([k, v]) => pod.labels[k] === v),
            );
            // A budget needs replicas to spare: at least two declared, or an autoscaler's minimum of two.
            const hpa = ofKind(cap, "HorizontalPodAutoscaler").find(
                (h) => h.metadata.namespace === pod.owner.metadata.namespace && h.spec.scaleTargetRef.name === pod.owner.metadata.name,
            );
            const least = hpa?.spec.minReplicas ?? pod.owner.spec.replicas;
            expect(covering.length, id(pod.owner)).toBe(least >= 2 ? 1 : 0);
            for (const b of covering) expect(b.spec.minAvailable).toBe(1);
        }
    });

    it("autoscales the scalable workloads from the declared replicas up to the tenant size's bound, and leaves their replicas to the autoscaler", async () => {
        const hpas = ofKind(cap, "HorizontalPodAutoscaler");
        if (!profile.autoscaling) {
            expect(hpas).toEqual([]);
            return;
        }
        const running = tenants.filter((t) => t.lifecycle.state === "active");
        expect(hpas.length).toBeGreaterThan(0);
        const expected: Array<{ ns: string; name: string; kind: string; min: number; max: number }> = [];
        const bound = (min: number, max: number) => (max > min ? [{ min, max }] : []);
        expected.push(
            ...bound(profile.traceGateway.replicas, MAX_REPLICAS[profile.traceGateway.size]).map((b) => ({
                ns: profile.platformNamespace,
                name: "trace-gateway",
                kind: "StatefulSet",
                ...b,
            })),
        );
        for (const t of running) {
            const ns = `${profile.namespacePrefix}-${t.id}`;
            const scalable: Array<[string, number]> = [];
            if (t.apps.langfuse) scalable.push(["langfuse-web", profile.webReplicas], ["langfuse-worker", 1]);
            if (t.apps.mlflow) scalable.push(["mlflow", profile.webReplicas]);
            if (t.apps.agenta) scalable.push(["agenta-api", profile.webReplicas], ["agenta-services", profile.webReplicas]);
            for (const [name, min] of scalable)
                expected.push(...bound(min, MAX_REPLICAS[t.size]).map((b) => ({ ns, name, kind: "Deployment", ...b })));
        }
        const seen = hpas.map((h) => ({
            ns: h.metadata.namespace!,
            name: h.metadata.name!,
            kind: h.spec.scaleTargetRef.kind,
            min: h.spec.minReplicas,
            max: h.spec.maxReplicas,
        }));
        const key = (x: { ns: string; name: string }) => `${x.ns}/${x.name}`;
        expect([...seen].sort((a, b) => key(a).localeCompare(key(b)))).toEqual([...expected].sort((a, b) => key(a).localeCompare(key(b))));
        for (const h of hpas) {
            expect(await k8sSchemaErrors(h)).toEqual([]);
            expect(h.apiVersion).toBe("autoscaling/v2");
            expect(h.spec.metrics).toEqual([
                {
                    type: "Resource",
                    resource: {
                        name: "cpu",
                        target: { type: "Utilization", averageUtilization: profile.autoscaling.targetCpuUtilization },
                    },
                },
            ]);
            const target = ofKind(cap, h.spec.scaleTargetRef.kind).find(
                (o) => o.metadata.namespace === h.metadata.namespace && o.metadata.name === h.spec.scaleTargetRef.name,
            );
            expect(target, `${key({ ns: h.metadata.namespace!, name: h.metadata.name! })} scales nothing`).toBeDefined();
            // Pulumi (server-side apply) would set replicas back on every update if the program declared them.
            expect(target!.spec.replicas, id(target!)).toBeUndefined();
        }
    });

    it("sizes each tenant's ResourceQuota for its autoscalers at their maximum", () => {
        const quotas = ofKind(cap, "ResourceQuota");
        expect(quotas.length).toBeGreaterThan(0);
        const hpas = ofKind(cap, "HorizontalPodAutoscaler");
        for (const q of quotas) {
            const ns = q.metadata.namespace!;
            let atMax = 0;
            for (const kind of ["Deployment", "StatefulSet"]) {
                for (const w of ofKind(cap, kind).filter((o) => o.metadata.namespace === ns)) {
                    const hpa = hpas.find((h) => h.metadata.namespace === ns && h.spec.scaleTargetRef.name === w.metadata.name);
                    const perPod = (w.spec.template.spec.containers as any[]).reduce((s, c) => s + cpuMillis(c.resources.requests.cpu), 0);
                    atMax += perPod * (hpa?.spec.maxReplicas ?? w.spec.replicas ?? 1);
                }
            }
            expect(cpuMillis(q.spec.hard["requests.cpu"]), ns).toBeGreaterThanOrEqual(atMax);
        }
    });

    it("puts each pod on the node pool its stack config names for its class", () => {
        const placement =
            (
                readStackConfig(stack)[`${PROJECT}:platform`] as {
                    placement?: Record<string, { nodeSelector?: object; tolerations?: object[] }>;
                }
            ).placement ?? {};
        const all = pods(cap);
        expect(all.length).toBeGreaterThan(5);
        for (const pod of all) {
            const cls =
                pod.labels[LABELS.tenant] === PLATFORM_TENANT
                    ? "dataServices"
                    : pod.owner.kind === "StatefulSet" && pod.owner.metadata.name === "clickhouse"
                      ? "clickhouse"
                      : "tenantApps";
            expect(pod.spec.nodeSelector, id(pod.owner)).toEqual(placement[cls]?.nodeSelector);
            expect(pod.spec.tolerations, id(pod.owner)).toEqual(placement[cls]?.tolerations);
        }
    });

    it("pulls from the images' own registries, with no pull secret, when the stack names no mirror", () => {
        expect(profile.images.mirror).toBeUndefined();
        for (const pod of pods(cap)) expect(pod.spec.imagePullSecrets, id(pod.owner)).toBeUndefined();
    });
});

describe("stack settings for a team's registry, node pools and app overrides (dev, overridden)", () => {
    const overrides = {
        images: { registry: { host: "registry.example.com:5000", prefix: "mirror/llmops" }, pullSecrets: ["registry-pull"] },
        placement: {
            spread: true,
            dataServices: {
                nodeSelector: { "llmops.io/pool": "data" },
                tolerations: [{ key: "llmops.io/pool", value: "data", effect: "NoSchedule" }],
            },
            clickhouse: { nodeSelector: { "llmops.io/pool": "clickhouse" } },
            tenantApps: { tolerations: [{ key: "spot", operator: "Exists", effect: "NoSchedule" }] },
        },
        autoscaling: { enabled: true, targetCpuUtilization: 60 },
        apps: { langfuse: { env: { HTTPS_PROXY: "http://proxy.internal:3128" }, annotations: { "example.com/team": "tracing" } } },
    };
    let plain: Capture;
    let cap: Capture;
    beforeAll(async () => {
        plain = await stackCapture("dev");
        cap = await capture({ stack: "dev", platformOverrides: overrides });
    });

    it("rewrites every image to the mirror, keeping path, tag and digest, and pulls with the team's secret", async () => {
        const { mirrorImage } = await import("../../components/kube/images");
        const before = pods(plain)
            .flatMap((p) => [...(p.spec.initContainers ?? []), ...p.spec.containers].map((c: any) => `${id(p.owner)}/${c.name}=${c.image}`))
            .sort();
        const after = pods(cap)
            .flatMap((p) => [...(p.spec.initContainers ?? []), ...p.spec.containers].map((c: any) => `${id(p.owner)}/${c.name}=${c.image}`))
            .sort();
        expect(before.length).toBeGreaterThan(10);
        // Job names hash what they run, not where the image is pulled from: the same containers, one for one.
        expect(after.length).toBe(before.length);
        expect(after).toEqual(
            before.map((line) => {
                const [where, image] = line.split("=") as [string, string];
                return `${where}=${mirrorImage(image, overrides.images.registry)}`;
            }),
        );
        for (const line of after) {
            const image = line.split("=")[1]!;
            expect(image.startsWith("registry.example.com:5000/mirror/llmops/")).toBe(true);
        }
        const digested = before.map((l) => l.split("=")[1]!).filter((i) => i.includes("@sha256:"));
        expect(digested.length).toBeGreaterThan(0);
        for (const i of digested)
            expect(
                after.some((l) => l.endsWith(i.slice(i.indexOf(":", i.lastIndexOf("/"))))),
                i,
            ).toBe(true);
        for (const pod of pods(cap)) expect(pod.spec.imagePullSecrets, id(pod.owner)).toEqual([{ name: "registry-pull" }]);
    });

    it("places data services, ClickHouse and tenant apps on their pools", () => {
        const all = pods(cap);
        const platform = all.filter((p) => p.labels[LABELS.tenant] === PLATFORM_TENANT);
        const clickhouse = all.filter((p) => p.owner.kind === "StatefulSet" && p.owner.metadata.name === "clickhouse");
        const tenantApps = all.filter((p) => p.labels[LABELS.tenant] !== PLATFORM_TENANT && !clickhouse.includes(p));
        for (const group of [platform, clickhouse, tenantApps]) expect(group.length).toBeGreaterThan(0);
        for (const p of platform) {
            expect(p.spec.nodeSelector, id(p.owner)).toEqual(overrides.placement.dataServices.nodeSelector);
            expect(p.spec.tolerations, id(p.owner)).toEqual(overrides.placement.dataServices.tolerations);
        }
        for (const p of clickhouse) {
            expect(p.spec.nodeSelector, id(p.owner)).toEqual(overrides.placement.clickhouse.nodeSelector);
            expect(p.spec.tolerations, id(p.owner)).toBeUndefined();
        }
        for (const p of tenantApps) {
            expect(p.spec.nodeSelector, id(p.owner)).toBeUndefined();
            expect(p.spec.tolerations, id(p.owner)).toEqual(overrides.placement.tenantApps.tolerations);
        }
    });

    it("adds the langfuse overrides to every langfuse pod but ClickHouse and Redis, and to no other app", () => {
        const all = pods(cap);
        const langfuse = all.filter((p) => p.labels[LABELS.app] === "langfuse" && p.owner.kind !== "StatefulSet");
        const others = all.filter((p) => p.labels[LABELS.app] !== "langfuse" || p.owner.kind === "StatefulSet");
        expect(langfuse.length).toBeGreaterThan(2);
        for (const p of langfuse) {
            for (const c of p.spec.containers)
                expect(
                    c.env.filter((e: any) => e.name === "HTTPS_PROXY"),
                    `${id(p.owner)}/${c.name}`,
                ).toEqual([{ name: "HTTPS_PROXY", value: "http://proxy.internal:3128" }]);
            const annotations =
                p.owner.kind === "CronJob"
                    ? p.owner.spec.jobTemplate.spec.template.metadata.annotations
                    : p.owner.spec.template.metadata.annotations;
            expect(annotations?.["example.com/team"], id(p.owner)).toBe("tracing");
        }
        for (const p of others)
            for (const c of p.spec.containers)
                expect(
                    (c.env ?? []).some((e: any) => e.name === "HTTPS_PROXY"),
                    `${id(p.owner)}/${c.name}`,
                ).toBe(false);
    });

    it("autoscales where the stack turns it on, at its target", () => {
        const hpas = ofKind(cap, "HorizontalPodAutoscaler");
        expect(hpas.length).toBeGreaterThan(0);
        for (const h of hpas) expect(h.spec.metrics[0].resource.target.averageUtilization).toBe(60);
    });

    it("declares only objects valid against the Kubernetes schema", async () => {
        const objects = WORKLOAD_KINDS.flatMap((k) => ofKind(cap, k));
        expect(objects.length).toBeGreaterThan(10);
        expect((await Promise.all(objects.map(k8sSchemaErrors))).flat()).toEqual([]);
    });
});

describe("refused stack settings", () => {
    it("refuses an app override that collides with what the platform sets, naming file, field and variable", async () => {
        const { runCapture } = await import("../support/capture");
        const result = await runCapture({
            stack: "dev",
            platformOverrides: { apps: { langfuse: { env: { NODE_OPTIONS: "--max-old-space-size=99999" } } } },
        });
        expect(result.ok).toBe(false);
        if (result.ok) return;
        expect(result.error).toContain(
            "stacks/Pulumi.dev.yaml: llmops-platform:platform.apps.langfuse.env.NODE_OPTIONS: collides with `NODE_OPTIONS`, which the platform sets on",
        );
    });

    it("reports every bad operability setting at once, with file, field and fix", () => {
        const raw = {
            ...(readStackConfig("dev")[`${PROJECT}:platform`] as object),
            images: { registry: { host: "https://registry.example.com" }, pullSecrets: ["Not_A_Name"] },
            placement: {
                clickhouse: { tolerations: [{ key: "pool", operator: "Exists", value: "ch" }] },
                tenantApps: { tolerations: [{ value: "x" }] },
            },
            autoscaling: { enabled: false, targetCpuUtilization: 60 },
            apps: { grafana: { env: {} } },
        };
        const run = () =>
            resolveEnvironment(raw, {
                stack: "dev",
                project: PROJECT,
                source: "stacks/Pulumi.dev.yaml",
                apps: APP_NAMES,
                secrets: { has: () => true, get: (k) => pulumi.secret(k) },
            });
        expect(run).toThrow();
        let message = "";
        try {
            run();
        } catch (e) {
            message = (e as Error).message;
        }
        // Shape errors first (zod), all of them in one message.
        for (const path of ["images.registry.host", "images.pullSecrets[0]"])
            expect(message).toContain(`stacks/Pulumi.dev.yaml: llmops-platform:platform.${path}`);
        // Then the settings the shape allows but the platform does not: an override for an app it does not have among them.
        const fixed = { ...raw, images: { registry: { host: "registry.example.com" } } };
        let second = "";
        try {
            resolveEnvironment(fixed, {
                stack: "dev",
                project: PROJECT,
                source: "stacks/Pulumi.dev.yaml",
                apps: APP_NAMES,
                secrets: { has: () => true, get: (k) => pulumi.secret(k) },
            });
        } catch (e) {
            second = (e as Error).message;
        }
        expect(second).toContain("4 problems");
        expect(second).toContain(
            `llmops-platform:platform.apps.grafana: names no app of the platform. Fix: use one of ${APP_NAMES.join(", ")}.`,
        );
        expect(second).toContain(
            "llmops-platform:platform.placement.clickhouse.tolerations[0].value: is set, but operator `Exists` matches any value. Fix:",
        );
        expect(second).toContain("llmops-platform:platform.placement.tenantApps.tolerations[0].key: is missing");
        expect(second).toContain("llmops-platform:platform.autoscaling.targetCpuUtilization: is set, but autoscaling is disabled. Fix:");
    });
});

describe("the synth summary", () => {
    it("shows each tenant's priorities, autoscaling bounds and placement", async () => {
        const { summary } = await import("../../cli/render");
        const cap = await stackCapture("prod");
        const text = summary(cap);
        const section = text.slice(text.indexOf("## Scheduling: priorities, autoscaling and placement"));
        expect(section.length).toBeGreaterThan(100);
        const hpas = ofKind(cap, "HorizontalPodAutoscaler");
        expect(hpas.length).toBeGreaterThan(0);
        for (const pod of pods(cap).filter((p) => p.owner.kind === "Deployment" || p.owner.kind === "StatefulSet")) {
            const tenant = pod.owner.metadata.labels?.[LABELS.tenant];
            const hpa = hpas.find(
                (h) => h.metadata.namespace === pod.owner.metadata.namespace && h.spec.scaleTargetRef.name === pod.owner.metadata.name,
            );
            const replicas = hpa ? `${hpa.spec.minReplicas}-${hpa.spec.maxReplicas} (autoscaled)` : String(pod.owner.spec.replicas);
            const row = section
                .split("\n")
                .find((l) =>
                    l.startsWith(
                        `| ${tenant} | ${pod.owner.kind} ${pod.owner.metadata.name} | ${pod.spec.priorityClassName} | ${replicas} |`,
                    ),
                );
            expect(row, `${id(pod.owner)} in summary`).toBeDefined();
            if (pod.spec.topologySpreadConstraints) expect(row).toContain("spread over zones (ScheduleAnyway), nodes (DoNotSchedule)");
            for (const [k, v] of Object.entries(pod.spec.nodeSelector ?? {})) expect(row).toContain(`nodes ${k}=${String(v)}`);
        }
    });
});
