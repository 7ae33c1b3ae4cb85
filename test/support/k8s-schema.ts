import type { K8sObject } from "./resources";

/**
 * Validates Kubernetes objects against the Kubernetes OpenAPI schema, through the models of the
 * `kubernetes-models` package (one class per apiVersion and kind), and Prometheus Operator objects
 * against its CRD schemas (`@kubernetes-models/prometheus-operator`).
 */
type Model = new (data: unknown) => { validate(): void };
const modules = new Map<string, Record<string, Model>>();

async function modelFor(apiVersion: string, kind: string): Promise<Model | undefined> {
    const modulePath = apiVersion.startsWith("monitoring.coreos.com/")
        ? `@kubernetes-models/prometheus-operator/${apiVersion}`
        : `kubernetes-models/${apiVersion}`;
    if (!modules.has(modulePath)) {
        try {
            modules.set(modulePath, (await import(modulePath)) as Record<string, Model>);
        } catch {
            modules.set(modulePath, {});
        }
    }
    return modules.get(modulePath)![kind];
}

/** Validation errors of an object, or an empty list; throws for kinds the schema does not know. */
export async function k8sSchemaErrors(object: K8sObject): Promise<string[]> {
    const Model = await modelFor(object.apiVersion, object.kind);
    if (!Model) throw new Error(`no Kubernetes schema for ${object.apiVersion} ${object.kind}`);
    try {
        new Model(object).validate();
        return [];
    } catch (e) {
        return [`${object.kind} ${object.metadata.namespace ?? ""}/${object.metadata.name}: ${(e as Error).message}`];
    }
}
