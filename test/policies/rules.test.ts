import * as policyProxy from "@pulumi/policy/proxy";
import { beforeAll, describe, expect, it } from "vitest";
import { rules } from "../../policies/rules";
import { capabilitiesDropped } from "../../policies/rules/capabilities-dropped";
import { imagesPinned } from "../../policies/rules/images-pinned";
import { ingressTlsOutsideLocal } from "../../policies/rules/ingress-tls-outside-local";
import { kongPluginWithoutCredentials } from "../../policies/rules/kong-plugin-without-credentials";
import { namespacePodSecurity } from "../../policies/rules/namespace-pod-security";
import { noHostNamespaces } from "../../policies/rules/no-host-namespaces";
import { noLiteralSecretEnv } from "../../policies/rules/no-literal-secret-env";
import { noNodeExposureOutsideLocal } from "../../policies/rules/no-node-exposure-outside-local";
import { noPrivilegeEscalation } from "../../policies/rules/no-privilege-escalation";
import { noSecretsInConfigMaps } from "../../policies/rules/no-secrets-in-configmaps";
import { objectStorePolicyOwnBuckets } from "../../policies/rules/object-store-policies";
import { postgresConnectRevoked } from "../../policies/rules/postgres-connect-revoked";
import { postgresRoleLeastPrivilege } from "../../policies/rules/postgres-role-least-privilege";
import { prodReplicasAndDisruptionBudgets } from "../../policies/rules/prod-replicas-and-disruption-budgets";
import { readOnlyRootFilesystem } from "../../policies/rules/read-only-root-filesystem";
import { resourcesRequestsAndLimits } from "../../policies/rules/resources-requests-and-limits";
import { retentionWithinBounds } from "../../policies/rules/retention-within-bounds";
import { runAsNonRoot } from "../../policies/rules/run-as-non-root";
import { seccompRuntimeDefault } from "../../policies/rules/seccomp-runtime-default";
import { standardLabelsRule } from "../../policies/rules/standard-labels";
import { stateProtected } from "../../policies/rules/state-protected";
import { tenantNamespaceDefaultDeny, tenantNamespaceQuota } from "../../policies/rules/tenant-namespace-isolation";
import { workloadProbes } from "../../policies/rules/workload-probes";
import { evaluate } from "../../cli/policy-eval";
import type { Capture } from "../../cli/mock-runtime";
import { stackCapture, STACKS } from "../support/capture";
import { container, goodDeployment, labels, namespace, resource, runResourceRule, runStackRule } from "./fixtures";
import { plain } from "../../policies/lib/values";
import { PROFILE_DEFAULTS } from "../../components/environment/defaults";
import { ENVIRONMENT_NAMES } from "../../components/environment/defaults";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const mutate = (f: (d: Record<string, any>) => void) => {
    const d = goodDeployment();
    f(d);
    return d;
};

describe.each(STACKS)("every rule over the declared resources of %s", (stack) => {
    let cap: Capture;
    beforeAll(async () => {
        cap = await stackCapture(stack);
    });
    it("passes", async () => {
        expect(cap.resources.length).toBeGreaterThan(50);
        const results = await evaluate(cap);
        expect(results).toHaveLength(rules.length);
        expect(results.filter((r) => r.violations.length)).toEqual([]);
    });
});

describe("the pack", () => {
    it("has at least 15 rules, each named, described and mandatory", () => {
        expect(rules.length).toBeGreaterThanOrEqual(15);
        expect(new Set(rules.map((r) => r.name)).size).toBe(rules.length);
        for (const r of rules) {
            expect(r.name).toMatch(/^[a-z0-9-]+$/);
            expect(r.description.length).toBeGreaterThan(30);
            expect(r.enforcementLevel).toBe("mandatory");
        }
    });
});

describe("resource rules: a good fixture passes, each mutation reports its violation", () => {
    const cases: Array<[string, Parameters<typeof runResourceRule>[0], string, () => Record<string, any>, string | undefined]> = [
        [
            "images-pinned / latest",
            imagesPinned,
            DEPLOYMENT,
            () => mutate((d) => (container(d).image = "ghcr.io/example/app:latest")),
            "Deployment llm-acme/web: container `app` uses image `ghcr.io/example/app:latest`, which is not pinned to a version or digest.",
        ],
        [
            "images-pinned / no tag",
            imagesPinned,
            DEPLOYMENT,
            () => mutate((d) => (container(d).image = "ghcr.io/example/app")),
            "Deployment llm-acme/web: container `app` uses image `ghcr.io/example/app`, which is not pinned to a version or digest.",
        ],
        [
            "images-pinned / digest only",
            imagesPinned,
            DEPLOYMENT,
            () => mutate((d) => (container(d).image = `ghcr.io/example/app@sha256:${"a".repeat(64)}`)),
            undefined,
        ],
        [
            "non-root / runAsNonRoot missing",
            runAsNonRoot,
            DEPLOYMENT,
            () =>
                mutate((d) => {
                    delete container(d).securityContext.runAsNonRoot;
                    delete d["spec"].template.spec.securityContext.runAsNonRoot;
                }),
            "Deployment llm-acme/web: container `app` does not set runAsNonRoot: true.",
        ],
        [
            "non-root / uid 0",
            runAsNonRoot,
            DEPLOYMENT,
            () => mutate((d) => (container(d).securityContext.runAsUser = 0)),
            "Deployment llm-acme/web: container `app` runs as user 0; use a numeric non-root uid.",
        ],
        [
            "non-root / no uid",
            runAsNonRoot,
            DEPLOYMENT,
            () =>
                mutate((d) => {
                    delete container(d).securityContext.runAsUser;
                    delete d["spec"].template.spec.securityContext.runAsUser;
                }),
            "Deployment llm-acme/web: container `app` sets no numeric runAsUser, so runAsNonRoot cannot be verified for images that name their user.",
        ],
        [
            "escalation / allowed",
            noPrivilegeEscalation,
            DEPLOYMENT,
            () => mutate((d) => (container(d).securityContext.allowPrivilegeEscalation = true)),
            "Deployment llm-acme/web: container `app` does not set allowPrivilegeEscalation: false.",
        ],
        [
            "escalation / privileged",
            noPrivilegeEscalation,
            DEPLOYMENT,
            () => mutate((d) => (container(d).securityContext.privileged = true)),
            "Deployment llm-acme/web: container `app` is privileged.",
        ],
        [
            "capabilities / not dropped",
            capabilitiesDropped,
            DEPLOYMENT,
            () => mutate((d) => (container(d).securityContext.capabilities = { drop: ["NET_RAW"] })),
            "Deployment llm-acme/web: container `app` does not drop ALL capabilities.",
        ],
        [
            "capabilities / added",
            capabilitiesDropped,
            DEPLOYMENT,
            () => mutate((d) => (container(d).securityContext.capabilities.add = ["SYS_ADMIN"])),
            "Deployment llm-acme/web: container `app` adds capabilities SYS_ADMIN.",
        ],
        [
            "read-only root / writable",
            readOnlyRootFilesystem,
            DEPLOYMENT,
            () => mutate((d) => (container(d).securityContext.readOnlyRootFilesystem = false)),
            "Deployment llm-acme/web: container `app` has a writable root filesystem and its pod does not say why in llmops.io/writable-root-filesystem.",
        ],
        [
            "read-only root / explained",
            readOnlyRootFilesystem,
            DEPLOYMENT,
            () =>
                mutate((d) => {
                    container(d).securityContext.readOnlyRootFilesystem = false;
                    d["spec"].template.metadata.annotations = { "llmops.io/writable-root-filesystem": "app: writes its config at start" };
                }),
            undefined,
        ],
        [
            "seccomp / unconfined",
            seccompRuntimeDefault,
            DEPLOYMENT,
            () =>
                mutate((d) => {
                    container(d).securityContext.seccompProfile = { type: "Unconfined" };
                }),
            "Deployment llm-acme/web: container `app` has no RuntimeDefault seccomp profile.",
        ],
        [
            "host namespaces / hostNetwork",
            noHostNamespaces,
            DEPLOYMENT,
            () => mutate((d) => (d["spec"].template.spec.hostNetwork = true)),
            "Deployment llm-acme/web: sets hostNetwork: true.",
        ],
        [
            "resources / no limits",
            resourcesRequestsAndLimits,
            DEPLOYMENT,
            () => mutate((d) => delete container(d).resources.limits),
            "Deployment llm-acme/web: container `app` has no limits.cpu, limits.memory.",
        ],
        [
            "probes / no liveness",
            workloadProbes,
            DEPLOYMENT,
            () => mutate((d) => delete container(d).livenessProbe),
            "Deployment llm-acme/web: container `app` has no liveness probe.",
        ],
        [
            "probes / port without readiness",
            workloadProbes,
            DEPLOYMENT,
            () => mutate((d) => delete container(d).readinessProbe),
            "Deployment llm-acme/web: container `app` serves a port but has no readiness probe.",
        ],
        [
            "literal secret env / by name",
            noLiteralSecretEnv,
            DEPLOYMENT,
            () => mutate((d) => container(d).env.push({ name: "API_TOKEN", value: "abc123" })),
            "Deployment llm-acme/web: container `app` sets API_TOKEN as a literal value; read it from a Secret.",
        ],
        [
            "literal secret env / by value",
            noLiteralSecretEnv,
            DEPLOYMENT,
            () => mutate((d) => container(d).env.push({ name: "DB_URL", value: "postgresql://u:hunter2@db:5432/x" })),
            "Deployment llm-acme/web: container `app` has a secret in the literal value of DB_URL; read it from a Secret.",
        ],
        [
            "literal secret env / public names pass",
            noLiteralSecretEnv,
            DEPLOYMENT,
            () =>
                mutate((d) =>
                    container(d).env.push(
                        { name: "OAUTH2_PROXY_CLIENT_ID", value: "abc" },
                        { name: "REDIS_KEY_PREFIX", value: "acme:" },
                        { name: "POSTHOG_API_KEY", value: "" },
                    ),
                ),
            undefined,
        ],
        [
            "labels / missing tenant",
            standardLabelsRule,
            DEPLOYMENT,
            () => mutate((d) => delete d["metadata"].labels["llmops.io/tenant"]),
            "Deployment llm-acme/web: missing label(s) llmops.io/tenant.",
        ],
    ];

    it("accepts the good fixture under every resource rule", async () => {
        for (const rule of rules)
            if ("validateResource" in rule && rule.validateResource)
                expect(await runResourceRule(rule, DEPLOYMENT, goodDeployment()), rule.name).toEqual([]);
    });

    it.each(cases)("%s", async (_name, rule, type, props, expected) => {
        expect(await runResourceRule(rule, type, props())).toEqual(expected ? [expected] : []);
    });

    it("unwraps CrossGuard secret values", async () => {
        class Secret {
            constructor(readonly value: unknown) {}
        }
        const d = goodDeployment();
        container(d).image = new Secret("ghcr.io/example/app:latest");
        expect(await runResourceRule(imagesPinned, DEPLOYMENT, d)).toHaveLength(1);
    });

    it("namespace-pod-security-restricted", async () => {
        expect(await runResourceRule(namespacePodSecurity, "kubernetes:core/v1:Namespace", namespace("x", "dev").props)).toEqual([]);
        expect(
            await runResourceRule(
                namespacePodSecurity,
                "kubernetes:core/v1:Namespace",
                namespace("x", "dev", { enforce: "baseline" }).props,
            ),
        ).toEqual(["Namespace x: does not enforce Pod Security restricted (label pod-security.kubernetes.io/enforce)."]);
    });

    it("no-loadbalancer-or-nodeport-outside-local", async () => {
        const svc = (env: string, type: string) => ({
            apiVersion: "v1",
            kind: "Service",
            metadata: { name: "pg", namespace: "llm-platform", labels: labels(env) },
            spec: { type },
        });
        expect(await runResourceRule(noNodeExposureOutsideLocal, "kubernetes:core/v1:Service", svc("local", "NodePort"))).toEqual([]);
        expect(await runResourceRule(noNodeExposureOutsideLocal, "kubernetes:core/v1:Service", svc("prod", "ClusterIP"))).toEqual([]);
        expect(await runResourceRule(noNodeExposureOutsideLocal, "kubernetes:core/v1:Service", svc("prod", "NodePort"))).toEqual([
            "Service llm-platform/pg: is of type NodePort in `prod`.",
        ]);
        expect(await runResourceRule(noNodeExposureOutsideLocal, "kubernetes:core/v1:Service", svc("dev", "LoadBalancer"))).toEqual([
            "Service llm-platform/pg: is of type LoadBalancer in `dev`.",
        ]);
        expect(await runResourceRule(noNodeExposureOutsideLocal, "kubernetes:core/v1:Service", svc("qa", "NodePort"))).toEqual([
            "Service llm-platform/pg: is of type NodePort in `qa`, which has no environment profile.",
        ]);
        const unlabelled = {
            apiVersion: "v1",
            kind: "Service",
            metadata: { name: "pg", namespace: "llm-platform" },
            spec: { type: "NodePort" },
        };
        expect(await runResourceRule(noNodeExposureOutsideLocal, "kubernetes:core/v1:Service", unlabelled)).toEqual([
            "Service llm-platform/pg: is of type NodePort without the `llmops.io/environment` label (no environment profile).",
        ]);
        expect(ENVIRONMENT_NAMES.length).toBeGreaterThan(0);
        for (const env of ENVIRONMENT_NAMES) {
            const reported = await runResourceRule(noNodeExposureOutsideLocal, "kubernetes:core/v1:Service", svc(env, "NodePort"));
            expect(reported.length, env).toBe(PROFILE_DEFAULTS[env].nodePortsAllowed ? 0 : 1);
        }
    });

    it("ingress-tls-outside-local", async () => {
        const ing = (env: string, tls?: unknown) => ({
            apiVersion: "networking.k8s.io/v1",
            kind: "Ingress",
            metadata: { name: "lf", namespace: "llm-acme", labels: labels(env) },
            spec: { tls, rules: [{ host: "lf.example.com" }, { host: "b.example.com" }] },
        });
        const type = "kubernetes:networking.k8s.io/v1:Ingress";
        expect(await runResourceRule(ingressTlsOutsideLocal, type, ing("local"))).toEqual([]);
        expect(await runResourceRule(ingressTlsOutsideLocal, type, ing("prod", [{ hosts: ["lf.example.com", "b.example.com"] }]))).toEqual(
            [],
        );
        expect(await runResourceRule(ingressTlsOutsideLocal, type, ing("prod"))).toEqual(["Ingress llm-acme/lf: has no TLS in `prod`."]);
        expect(await runResourceRule(ingressTlsOutsideLocal, type, ing("prod", [{ hosts: ["lf.example.com"] }]))).toEqual([
            "Ingress llm-acme/lf: serves b.example.com without TLS.",
        ]);
        expect(await runResourceRule(ingressTlsOutsideLocal, type, ing("qa"))).toEqual([
            "Ingress llm-acme/lf: has no TLS in `qa`, which has no environment profile.",
        ]);
        expect(ENVIRONMENT_NAMES.length).toBeGreaterThan(0);
        for (const env of ENVIRONMENT_NAMES)
            expect((await runResourceRule(ingressTlsOutsideLocal, type, ing(env))).length, env).toBe(
                PROFILE_DEFAULTS[env].tlsRequired ? 1 : 0,
            );
    });

    it("no-secrets-in-configmaps", async () => {
        const cm = (data: Record<string, string>) => ({
            apiVersion: "v1",
            kind: "ConfigMap",
            metadata: { name: "c", namespace: "n", labels: labels("dev") },
            data,
        });
        const type = "kubernetes:core/v1:ConfigMap";
        expect(await runResourceRule(noSecretsInConfigMaps, type, cm({ "nginx.conf": "proxy_pass http://api:8000;" }))).toEqual([]);
        expect(await runResourceRule(noSecretsInConfigMaps, type, cm({ DB_PASSWORD: "x" }))).toEqual([
            "ConfigMap n/c: key `DB_PASSWORD` is named like a secret.",
        ]);
        expect(await runResourceRule(noSecretsInConfigMaps, type, cm({ "key.pem": "-----BEGIN RSA PRIVATE KEY-----\nabc" }))).toEqual([
            "ConfigMap n/c: key `key.pem` contains a secret value.",
        ]);
    });

    it("postgres-role-least-privilege", async () => {
        const type = "postgresql:index/role:Role";
        expect(await runResourceRule(postgresRoleLeastPrivilege, type, { name: "acme_langfuse", login: true, superuser: false })).toEqual(
            [],
        );
        expect(await runResourceRule(postgresRoleLeastPrivilege, type, { name: "acme_langfuse", superuser: true })).toEqual([
            "Postgres role acme_langfuse: superuser is true.",
        ]);
        expect(await runResourceRule(postgresRoleLeastPrivilege, type, { name: "acme_langfuse", createDatabase: true })).toEqual([
            "Postgres role acme_langfuse: createDatabase is true.",
        ]);
        expect(await runResourceRule(postgresRoleLeastPrivilege, type, { name: "acme_langfuse", createRole: true })).toEqual([
            "Postgres role acme_langfuse: createRole is true.",
        ]);
    });

    it("kong-plugin-without-credentials", async () => {
        const type = "kubernetes:configuration.konghq.com/v1:KongPlugin";
        const plugin = (config: object, extra: object = {}) => ({
            apiVersion: "configuration.konghq.com/v1",
            kind: "KongPlugin",
            metadata: { name: "p", namespace: "kong", labels: labels("dev") },
            plugin: "opentelemetry",
            config,
            ...extra,
        });
        expect(await runResourceRule(kongPluginWithoutCredentials, type, plugin({ traces_endpoint: "http://gw/v1/traces" }))).toEqual([]);
        expect(await runResourceRule(kongPluginWithoutCredentials, type, plugin({ headers: { Authorization: "Basic x" } }))).toEqual([
            "KongPlugin kong/p: sets headers (Authorization) in its config.",
        ]);
        expect(
            await runResourceRule(
                kongPluginWithoutCredentials,
                type,
                plugin({}, { configFrom: { secretKeyRef: { name: "s", key: "k" } } }),
            ),
        ).toEqual(["KongPlugin kong/p: reads config from a Secret, which Kong's Admin API would then show."]);
    });
});

describe("stack rules: a good fixture passes, each mutation reports its violation", () => {
    const ws = (tenant: string) => resource("llmops:tenant:Workspace", tenant, {});

    it("tenant-namespace-default-deny and tenant-namespace-quota", async () => {
        const ns = namespace("llm-acme", "dev", { tenant: "acme" });
        const deny = resource("kubernetes:networking.k8s.io/v1:NetworkPolicy", "deny", {
            metadata: { name: "default-deny", namespace: "llm-acme" },
            spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
        });
        const allowDns = resource("kubernetes:networking.k8s.io/v1:NetworkPolicy", "dns", {
            metadata: { name: "allow-dns", namespace: "llm-acme" },
            spec: { podSelector: {}, policyTypes: ["Egress"], egress: [{}] },
        });
        const quota = resource("kubernetes:core/v1:ResourceQuota", "q", {
            metadata: { name: "tenant-quota", namespace: "llm-acme" },
            spec: { hard: { "requests.cpu": "1", "requests.memory": "1Gi", "limits.cpu": "2", "limits.memory": "2Gi" } },
        });
        const limits = resource("kubernetes:core/v1:LimitRange", "l", {
            metadata: { name: "tenant-limits", namespace: "llm-acme" },
            spec: {},
        });
        expect(await runStackRule(tenantNamespaceDefaultDeny, [ns, deny, allowDns])).toEqual([]);
        expect(await runStackRule(tenantNamespaceDefaultDeny, [ns, allowDns])).toEqual([
            "tenant namespace llm-acme has no default-deny NetworkPolicy.",
        ]);
        expect(await runStackRule(tenantNamespaceQuota, [ns, quota, limits])).toEqual([]);
        expect(await runStackRule(tenantNamespaceQuota, [ns, limits])).toEqual([
            "tenant namespace llm-acme has no ResourceQuota on CPU and memory.",
        ]);
        expect(await runStackRule(tenantNamespaceQuota, [ns, quota])).toEqual(["tenant namespace llm-acme has no LimitRange."]);
    });

    it("state-protected-in-staging-and-prod", async () => {
        const db = (protect: boolean) => resource("postgresql:index/database:Database", "db", { name: "acme_langfuse" }, { protect });
        const set = (protect: boolean, annotations?: Record<string, string>) =>
            resource(
                "kubernetes:apps/v1:StatefulSet",
                "ss",
                { metadata: { name: "clickhouse", namespace: "llm-acme", annotations }, spec: { volumeClaimTemplates: [{}] } },
                { protect },
            );
        const prod = namespace("llm-platform", "prod");
        expect(await runStackRule(stateProtected, [prod, db(true), set(true)])).toEqual([]);
        expect(await runStackRule(stateProtected, [namespace("llm-platform", "dev"), db(false)])).toEqual([]);
        expect(await runStackRule(stateProtected, [prod, db(false)])).toEqual([
            "Database acme_langfuse is not protected in `prod`, whose profile protects state; set protectState (or protect it) so pulumi up cannot delete it.",
        ]);
        expect(await runStackRule(stateProtected, [prod, set(false)])).toEqual([
            "StatefulSet llm-acme/clickhouse is not protected in `prod`, whose profile protects state; set protectState (or protect it) so pulumi up cannot delete it.",
        ]);
        expect(await runStackRule(stateProtected, [prod, set(false, { "llmops.io/ephemeral-state": "true" })])).toEqual([]);
        // The profile decides, environment by environment; none is named by the rule.
        expect(ENVIRONMENT_NAMES.length).toBeGreaterThan(0);
        for (const env of ENVIRONMENT_NAMES) {
            const reported = await runStackRule(stateProtected, [namespace("llm-platform", env), db(false)]);
            expect(reported.length, env).toBe(PROFILE_DEFAULTS[env].protectState ? 1 : 0);
        }
    });

    it("state-protected-in-staging-and-prod reports a stack whose environment has no profile, rather than pass it", async () => {
        const db = resource("postgresql:index/database:Database", "db", { name: "acme_langfuse" });
        expect(await runStackRule(stateProtected, [namespace("llm-platform", "qa"), db])).toEqual([
            `the environment \`qa\` (label \`llmops.io/environment\`) has no profile; use one of ${ENVIRONMENT_NAMES.join(", ")}. Cannot tell whether the stack's 1 databases, buckets and volumes must be protected.`,
        ]);
        const unlabelled = resource("kubernetes:core/v1:Namespace", "ns", { metadata: { name: "llm-platform", labels: {} } });
        expect(await runStackRule(stateProtected, [unlabelled, db])).toEqual([
            `no Namespace carries the \`llmops.io/environment\` label, so the environment profile is unknown; label every namespace with its environment (one of ${ENVIRONMENT_NAMES.join(", ")}). Cannot tell whether the stack's 1 databases, buckets and volumes must be protected.`,
        ]);
        // Nothing stateful: nothing to protect, whatever the environment.
        expect(await runStackRule(stateProtected, [unlabelled])).toEqual([]);
    });

    it("prod-web-apps-highly-available", async () => {
        const prod = namespace("llm-platform", "prod");
        const dep = (replicas: number) =>
            resource("kubernetes:apps/v1:Deployment", "web", {
                ...goodDeployment({ env: "prod" }),
                spec: { ...goodDeployment({ env: "prod" })["spec"], replicas },
            });
        const pdb = resource("kubernetes:policy/v1:PodDisruptionBudget", "pdb", {
            metadata: { name: "web", namespace: "llm-acme" },
            spec: { selector: { matchLabels: { "app.kubernetes.io/name": "web" } } },
        });
        expect(await runStackRule(prodReplicasAndDisruptionBudgets, [prod, dep(2), pdb])).toEqual([]);
        expect(await runStackRule(prodReplicasAndDisruptionBudgets, [prod, dep(1), pdb])).toEqual([
            "Deployment llm-acme/web is web-facing with 1 replica(s) in `prod`, whose profile is highly available; run at least 2.",
        ]);
        expect(await runStackRule(prodReplicasAndDisruptionBudgets, [prod, dep(2)])).toEqual([
            "Deployment llm-acme/web is web-facing in `prod`, whose profile is highly available, but no PodDisruptionBudget selects its pods.",
        ]);
        expect(await runStackRule(prodReplicasAndDisruptionBudgets, [namespace("llm-platform", "dev"), dep(1)])).toEqual([]);
        expect(ENVIRONMENT_NAMES.length).toBeGreaterThan(0);
        for (const env of ENVIRONMENT_NAMES) {
            const reported = await runStackRule(prodReplicasAndDisruptionBudgets, [namespace("llm-platform", env), dep(1)]);
            expect(reported.length, env).toBe(PROFILE_DEFAULTS[env].highAvailability ? 2 : 0);
        }
        expect(await runStackRule(prodReplicasAndDisruptionBudgets, [namespace("llm-platform", "qa"), dep(1)])).toEqual([
            `the environment \`qa\` (label \`llmops.io/environment\`) has no profile; use one of ${ENVIRONMENT_NAMES.join(", ")}. Cannot tell whether the stack's 1 Deployments must be highly available.`,
        ]);
    });

    it("retention-within-bounds", async () => {
        const bounds = JSON.stringify({
            traceDays: { min: 7, max: 730, default: 90 },
            artifactDays: { min: 7, max: 365, default: 30 },
            deletedRunsPurgeDays: { min: 7, max: 365, default: 30 },
        });
        const platform = namespace("llm-platform", "prod", { annotations: { "llmops.io/retention-bounds": bounds } });
        const tenantNs = (traceDays: number) =>
            namespace("llm-acme", "prod", {
                tenant: "acme",
                annotations: { "llmops.io/retention": JSON.stringify({ traceDays, artifactDays: 30, deletedRunsPurgeDays: 30 }) },
            });
        const workspace = ws("acme");
        const ilm = (days: number) =>
            resource(
                "minio:index/ilmPolicy:IlmPolicy",
                "ilm",
                { bucket: "llm-prod-acme-lf-events", rules: [{ expiration: `${days}d` }] },
                { parent: workspace },
            );
        expect(await runStackRule(retentionWithinBounds, [platform, tenantNs(90), workspace, ilm(90)])).toEqual([]);
        expect(await runStackRule(retentionWithinBounds, [platform, tenantNs(1000), workspace, ilm(1000)])).toEqual([
            "tenant acme: traceDays is 1000, outside the environment's bounds 7 to 730.",
        ]);
        expect(await runStackRule(retentionWithinBounds, [platform, tenantNs(90), workspace, ilm(3650)])).toEqual([
            "tenant acme: lifecycle rule of bucket llm-prod-acme-lf-events keeps data 3650 days, but its traceDays is 90.",
        ]);
    });

    it("object-store-policy-own-buckets", async () => {
        const acme = ws("acme");
        const globex = ws("globex");
        const bucket = (name: string, parent: ReturnType<typeof ws>) =>
            resource("minio:index/s3Bucket:S3Bucket", name, { bucket: name }, { parent });
        const policy = (buckets: string[]) =>
            resource(
                "minio:index/iamPolicy:IamPolicy",
                "acme-langfuse-buckets",
                { policy: JSON.stringify({ Statement: [{ Resource: buckets.map((b) => `arn:aws:s3:::${b}/*`) }] }) },
                { parent: acme },
            );
        const buckets = [bucket("llm-prod-acme-lf-events", acme), bucket("llm-prod-globex-lf-events", globex)];
        expect(await runStackRule(objectStorePolicyOwnBuckets, [...buckets, policy(["llm-prod-acme-lf-events"])])).toEqual([]);
        expect(await runStackRule(objectStorePolicyOwnBuckets, [...buckets, policy(["llm-prod-globex-lf-events"])])).toEqual([
            "object-store policy acme-langfuse-buckets of tenant acme grants arn:aws:s3:::llm-prod-globex-lf-events/*, which is not one of that tenant's buckets.",
        ]);
        expect(await runStackRule(objectStorePolicyOwnBuckets, [...buckets, policy(["*"])])).toEqual([
            "object-store policy acme-langfuse-buckets of tenant acme grants arn:aws:s3:::*/*, which is not one of that tenant's buckets.",
        ]);
    });

    it("postgres-connect-revoked-from-public", async () => {
        const db = resource("postgresql:index/database:Database", "db", { name: "acme_mlflow" });
        const revoke = resource("postgresql:index/grant:Grant", "g", {
            database: "acme_mlflow",
            role: "public",
            objectType: "database",
            privileges: [],
        });
        expect(await runStackRule(postgresConnectRevoked, [db, revoke])).toEqual([]);
        expect(await runStackRule(postgresConnectRevoked, [db])).toEqual([
            "Postgres database acme_mlflow does not revoke CONNECT from PUBLIC.",
        ]);
    });
});

describe("rules during a preview, when some values are not known yet", () => {
    // CrossGuard hands rules a proxy that throws on reading an unknown output. Its typings leave
    // these two out, so the module's shape is stated here.
    const { unknownCheckingProxy, unknownStringValue } = policyProxy as unknown as {
        unknownCheckingProxy: <T>(v: T) => T;
        unknownStringValue: unknown;
    };

    it("still check every known value instead of giving the rule up", async () => {
        const props = unknownCheckingProxy({
            metadata: { name: "tenant-backup", namespace: "llm-acme" },
            data: { "notes.txt": "postgresql://user:hunter2@db:5432/x", generated: unknownStringValue },
        });
        expect(plain(props)).toEqual({
            metadata: { name: "tenant-backup", namespace: "llm-acme" },
            data: { "notes.txt": "postgresql://user:hunter2@db:5432/x", generated: undefined },
        });
        expect(await runResourceRule(noSecretsInConfigMaps, "kubernetes:core/v1:ConfigMap", props as Record<string, unknown>)).toEqual([
            "ConfigMap llm-acme/tenant-backup: key `notes.txt` contains a secret value.",
        ]);
    });
});
