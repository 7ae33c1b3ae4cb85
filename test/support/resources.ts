import type { Capture, CapturedResource } from "../../cli/mock-runtime";
import { reveal } from "../../cli/mock-runtime";

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
    const hit = ofKind(capture, kind).find((o) => o.metadata.name === name && (namespace === undefined || o.metadata.namespace === namespace));
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
