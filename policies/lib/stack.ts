import type { PolicyResource } from "@pulumi/policy";
import { LABELS, TENANT_NAMESPACE_LABEL, TENANT_WORKSPACE_TYPE } from "../../components/naming/labels";
import { metaOf, plain } from "./values";

/** The environment profile of the stack, from the label every namespace carries. */
export function environmentOf(resources: readonly PolicyResource[]): string | undefined {
    for (const r of resources) {
        if (r.type === "kubernetes:core/v1:Namespace") {
            const env = metaOf(r.props).labels?.[LABELS.environment];
            if (env) return env;
        }
    }
    return undefined;
}

/** The tenant a resource belongs to: the name of its tenant workspace ancestor. */
export function tenantOwner(r: PolicyResource): string | undefined {
    for (let p: PolicyResource | undefined = r; p; p = p.parent) if (p.type === TENANT_WORKSPACE_TYPE) return p.name;
    return undefined;
}

export function tenantNamespaces(resources: readonly PolicyResource[]): PolicyResource[] {
    return resources.filter(
        (r) => r.type === "kubernetes:core/v1:Namespace" && metaOf(r.props).labels?.[TENANT_NAMESPACE_LABEL] === "true",
    );
}

export function inNamespace(resources: readonly PolicyResource[], type: string, namespace: string): PolicyResource[] {
    return resources.filter((r) => r.type === type && metaOf(r.props).namespace === namespace);
}

export function json<T>(text: string | undefined): T | undefined {
    if (!text) return undefined;
    try {
        return JSON.parse(plain<string>(text)) as T;
    } catch {
        return undefined;
    }
}
