import { beforeAll, describe, expect, it } from "vitest";
import type { Capture } from "../../cli/mock-runtime";
import { LABELS } from "../../components/naming/labels";
import { STACKS, stackCapture } from "../support/capture";
import { platformConfigOf, profileOf } from "../support/stacks";
import { k8sSchemaErrors } from "../support/k8s-schema";
import { customResources, k8sObjects, ofKind, ofType } from "../support/resources";

describe.each(STACKS)("stack %s under the mock runtime", (stack) => {
    let cap: Capture;
    beforeAll(async () => {
        cap = await stackCapture(stack);
    });

    it("registers resources, with unique URNs", () => {
        expect(customResources(cap).length).toBeGreaterThan(10);
        expect(cap.errors).toEqual([]);
        expect(new Set(cap.resources.map((r) => r.urn)).size).toBe(cap.resources.length);
    });

    it("declares only Kubernetes objects that validate against the Kubernetes schema", async () => {
        const objects = k8sObjects(cap).filter((o) => !o.resource.type.includes("konghq"));
        expect(objects.length).toBeGreaterThan(5);
        const errors = (await Promise.all(objects.map((o) => k8sSchemaErrors(o.object)))).flat();
        expect(errors).toEqual([]);
    });

    it("labels every Kubernetes object with app, tenant, environment and managed-by", () => {
        for (const { object } of k8sObjects(cap)) {
            const labels = object.metadata.labels ?? {};
            for (const key of [LABELS.app, LABELS.tenant, LABELS.environment, LABELS.managedBy]) {
                expect(labels[key], `${object.kind} ${object.metadata.namespace}/${object.metadata.name} lacks ${key}`).toBeTruthy();
            }
            expect(labels[LABELS.environment]).toBe(platformConfigOf(stack).environment);
        }
    });

    it("gives every Kubernetes object an explicit name", () => {
        for (const { object, resource } of k8sObjects(cap)) expect(object.metadata.name, resource.urn).toBeTruthy();
    });

    it("puts the shared data plane in a restricted platform namespace with a default-deny policy", () => {
        const ns = ofKind(cap, "Namespace").find((n) => n.metadata.name === "llm-platform");
        expect(ns?.metadata.labels?.["pod-security.kubernetes.io/enforce"]).toBe("restricted");
        const deny = ofKind(cap, "NetworkPolicy").find(
            (p) => p.metadata.namespace === "llm-platform" && p.metadata.name === "default-deny",
        );
        expect(deny?.spec).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    });
});

describe("data services follow each stack's config", () => {
    const dataServices = (stack: string) => platformConfigOf(stack).dataServices;
    const inCluster = STACKS.filter(
        (s) => dataServices(s).postgres.mode === "in-cluster" && dataServices(s).objectStore.mode === "in-cluster",
    );
    const external = STACKS.filter((s) => dataServices(s).postgres.mode === "external" && dataServices(s).objectStore.mode === "external");

    it("runs Postgres and MinIO in-cluster where the stack says so, behind NodePorts only where it names one", async () => {
        expect(inCluster.length).toBeGreaterThan(0);
        for (const stack of inCluster) {
            const cap = await stackCapture(stack);
            const sets = ofKind(cap, "StatefulSet")
                .filter((s) => s.metadata.namespace === "llm-platform")
                .map((s) => s.metadata.name)
                .sort();
            expect(sets, stack).toEqual(["minio", "postgres", "redis", "trace-gateway"]);
            const nodePorts = ofKind(cap, "Service").filter((s) => s.spec.type === "NodePort");
            const { postgres, objectStore } = dataServices(stack);
            const expected = [
                ...(postgres.mode === "in-cluster" && postgres.nodePort !== undefined ? ["postgres-nodeport"] : []),
                ...(objectStore.mode === "in-cluster" && objectStore.nodePort !== undefined ? ["minio-nodeport"] : []),
            ];
            expect(nodePorts.map((s) => s.metadata.name).sort(), stack).toEqual(expected.sort());
        }
    });

    it("points stacks with external Postgres and object storage at them, deploying neither", async () => {
        expect(external.length).toBeGreaterThan(0);
        for (const stack of external) {
            const cap = await stackCapture(stack);
            const sets = ofKind(cap, "StatefulSet")
                .filter((s) => s.metadata.namespace === "llm-platform")
                .map((s) => s.metadata.name);
            expect(sets).not.toContain("postgres");
            expect(sets).not.toContain("minio");
            const pg = ofType(cap, "pulumi:providers:postgresql")[0]!;
            const postgres = dataServices(stack).postgres;
            expect(pg.inputs["host"]).toBe(postgres.mode === "external" ? postgres.host : undefined);
            expect(JSON.stringify(pg.inputs["password"])).toContain("@secret");
        }
    });

    it("makes the admin providers wait for the in-cluster servers", async () => {
        const cap = await stackCapture("dev");
        for (const [provider, statefulSet] of [
            ["pulumi:providers:postgresql", "llmops-postgres-statefulset"],
            ["pulumi:providers:minio", "llmops-object-store-statefulset"],
        ] as const) {
            const p = ofType(cap, provider)[0]!;
            expect(
                p.options.dependencies.some((d) => d.endsWith(`::${statefulSet}`)),
                `${provider} does not wait for ${statefulSet}`,
            ).toBe(true);
        }
    });

    it("runs Redis with noeviction and the default user off", async () => {
        const cap = await stackCapture("dev");
        const conf = ofKind(cap, "ConfigMap").find((c) => c.metadata.name === "redis-config")!;
        expect(conf.data!["valkey.conf"]).toContain("maxmemory-policy noeviction");
        const acl = ofKind(cap, "Secret").find((s) => s.metadata.name === "redis-acl")!;
        expect(acl.stringData!["users.acl"]).toMatch(/^user default off /);
    });
});

describe("state protection", () => {
    /** Generated values that must never change once data exists (rotating them loses data or access). */
    const NEVER_ROTATE = /-(secrets|admin-password|root-password)$/;
    const isStateful = (r: { type: string; name: string; inputs: Record<string, unknown> }) =>
        r.type === "postgresql:index/database:Database" ||
        r.type === "postgresql:index/role:Role" ||
        r.type === "minio:index/s3Bucket:S3Bucket" ||
        // Every volume but the trace gateway's queue (spans in flight, not data of record).
        (r.type === "kubernetes:apps/v1:StatefulSet" &&
            Boolean((r.inputs["spec"] as { volumeClaimTemplates?: unknown[] }).volumeClaimTemplates?.length) &&
            !r.name.includes("trace-gateway")) ||
        (r.type.startsWith("random:") && NEVER_ROTATE.test(r.name));

    it.each(STACKS)(
        "protects and retains databases, buckets, volumes and never-rotating keys only where the environment says so (%s)",
        async (stack) => {
            const cap = await stackCapture(stack);
            const shouldProtect = platformConfigOf(stack).protectState ?? profileOf(stack).protectState;
            const stateful = cap.resources.filter(isStateful);
            expect(stateful.length).toBeGreaterThan(10);
            for (const r of stateful) {
                expect(r.options.protect, r.urn).toBe(shouldProtect);
                expect(r.options.retainOnDelete, r.urn).toBe(shouldProtect);
            }
            // Nothing else is protected: rotatable passwords and stateless workloads stay replaceable.
            for (const r of cap.resources.filter((x) => !isStateful(x))) expect(r.options.protect, r.urn).toBe(false);
        },
    );

    it("keeps data services the same resources across the refactor that flattened their component (aliases)", async () => {
        const cap = await stackCapture("dev");
        const sets = cap.resources.filter((r) => r.type === "kubernetes:apps/v1:StatefulSet");
        expect(sets.length).toBeGreaterThan(3);
        for (const s of sets) {
            const aliases = JSON.stringify(s.options.aliases);
            expect(aliases, s.urn).toContain("llmops:data:StatefulService");
        }
    });

    it("keeps volumes when a StatefulSet is deleted or scaled down", async () => {
        const cap = await stackCapture("prod");
        const sets = ofKind(cap, "StatefulSet");
        expect(sets.length).toBeGreaterThan(0);
        for (const s of sets) expect(s.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: "Retain", whenScaled: "Retain" });
    });
});
