import type { Capture, CapturedResource } from "../../cli/mock-runtime";
import { reveal } from "../../cli/mock-runtime";
import { LABELS, TENANT_NAMESPACE_LABEL } from "../../components/naming/labels";
import { tenantIdsOf } from "./inputs";

/** A Kubernetes object as declared, secrets unwrapped to their mock values. */
export interface K8sObject {
    apiVersion: string;
    kind: string;
    metadata: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
    spec?: any;
    data?: Record<string, string>;
    stringData?: Record<string, string>;
    [key: string]: any;
}

export function k8sObjects(capture: Capture): Array<{ resource: CapturedResource; object: K8sObject }> {
    return capture.resources
        .filter((r) => r.type.startsWith("kubernetes:") && "kind" in r.inputs)
        .map((resource) => ({ resource, object: reveal(resource.inputs) as K8sObject }));
}

export function ofKind(capture: Capture, kind: string): K8sObject[] {
    return k8sObjects(capture)
        .map((o) => o.object)
        .filter((o) => o.kind === kind);
}

export function find(capture: Capture, kind: string, namespace: string | undefined, name: string): K8sObject {
    const hit = ofKind(capture, kind).find(
        (o) => o.metadata.name === name && (namespace === undefined || o.metadata.namespace === namespace),
    );
    if (!hit) throw new Error(`no ${kind} ${namespace ?? "*"}/${name} declared`);
    return hit;
}

export function ofType(capture: Capture, type: string): CapturedResource[] {
    return capture.resources.filter((r) => r.type === type);
}

/** Asserts the basic health of a capture and returns its custom resources. */
export function customResources(capture: Capture): CapturedResource[] {
    return capture.resources.filter((r) => r.custom);
}

/** The environment of a container, as it would see it: literal values, Secret keys and whole Secrets. */
export function containerEnv(
    capture: Capture,
    namespace: string,
    container: { env?: Array<{ name: string; value?: string; valueFrom?: any }>; envFrom?: Array<{ secretRef?: { name: string } }> },
): Record<string, string> {
    const secrets = new Map(
        ofKind(capture, "Secret")
            .filter((s) => s.metadata.namespace === namespace)
            .map((s) => [s.metadata.name!, s.stringData ?? {}]),
    );
    const out: Record<string, string> = {};
    for (const from of container.envFrom ?? []) {
        const data = from.secretRef ? secrets.get(from.secretRef.name) : undefined;
        if (from.secretRef && !data) throw new Error(`envFrom names Secret ${namespace}/${from.secretRef.name}, which is not declared`);
        Object.assign(out, data);
    }
    for (const e of container.env ?? []) {
        if (e.value !== undefined) out[e.name] = e.value;
        else if (e.valueFrom?.secretKeyRef) {
            const ref = e.valueFrom.secretKeyRef as { name: string; key: string };
            const v = secrets.get(ref.name)?.[ref.key];
            if (v === undefined) throw new Error(`env ${e.name} reads ${namespace}/${ref.name}[${ref.key}], which is not declared`);
            out[e.name] = v;
        }
    }
    return out;
}

/** A workload's containers by name. */
export function containersOf(workload: K8sObject): Record<string, any> {
    const spec = workload.kind === "CronJob" ? workload.spec.jobTemplate.spec.template.spec : workload.spec.template.spec;
    return Object.fromEntries([...(spec.initContainers ?? []), ...spec.containers].map((c: { name: string }) => [c.name, c]));
}

/**
 * The tenant namespaces of a plan, checked against the tenant files first: the loader must put at
 * least one tenant on the stack (a test looping over none passes vacuously), and the plan must
 * declare one workspace namespace for each of them and for no one else. Pass `tenantsDir` when
 * the capture was made from another tenants directory.
 */
export function tenantNamespaces(capture: Capture, tenantsDir?: string): string[] {
    const expected = tenantIdsOf(capture.stack, tenantsDir);
    if (expected.length === 0)
        throw new Error(`the tenant files put no tenant on ${capture.stack}: a test over its tenant namespaces would check nothing`);
    const declared = ofKind(capture, "Namespace").filter((n) => n.metadata.labels?.[TENANT_NAMESPACE_LABEL] === "true");
    const ids = declared.map((n) => n.metadata.labels?.[LABELS.tenant] ?? `(unlabelled ${n.metadata.name})`).sort();
    if (ids.join() !== expected.join())
        throw new Error(
            `${capture.stack} declares workspace namespaces for [${ids.join(", ")}], but its tenant files name [${expected.join(", ")}]`,
        );
    return declared.map((n) => n.metadata.name!).sort();
}

/** An alerting rule of a PrometheusRule, as declared. */
export interface AlertRule {
    alert: string;
    expr: string;
    for: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
}

/** Every alerting rule of a PrometheusRule, over its groups. */
export const alertRulesOf = (rule: K8sObject): AlertRule[] => (rule.spec.groups as Array<{ rules: AlertRule[] }>).flatMap((g) => g.rules);
