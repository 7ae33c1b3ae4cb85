import type { StackValidationPolicy } from "@pulumi/policy";
import { inNamespace, tenantNamespaces } from "../lib/stack";
import { metaOf, plain } from "../lib/values";

export const tenantNamespaceDefaultDeny: StackValidationPolicy = {
    name: "tenant-namespace-default-deny",
    description: "Every tenant namespace has a NetworkPolicy that denies all ingress and egress of every pod by default.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        for (const ns of tenantNamespaces(args.resources)) {
            const name = metaOf(ns.props).name!;
            const denies = inNamespace(args.resources, "kubernetes:networking.k8s.io/v1:NetworkPolicy", name).some((p) => {
                const spec =
                    plain<{
                        spec?: {
                            podSelector?: { matchLabels?: object; matchExpressions?: unknown[] };
                            policyTypes?: string[];
                            ingress?: unknown[];
                            egress?: unknown[];
                        };
                    }>(p.props).spec ?? {};
                const allPods =
                    !spec.podSelector ||
                    (Object.keys(spec.podSelector.matchLabels ?? {}).length === 0 && !(spec.podSelector.matchExpressions ?? []).length);
                return (
                    allPods &&
                    spec.policyTypes?.includes("Ingress") &&
                    spec.policyTypes.includes("Egress") &&
                    !spec.ingress?.length &&
                    !spec.egress?.length
                );
            });
            if (!denies) report(`tenant namespace ${name} has no default-deny NetworkPolicy.`, ns.urn);
        }
    },
};

export const tenantNamespaceQuota: StackValidationPolicy = {
    name: "tenant-namespace-quota",
    description: "Every tenant namespace has a ResourceQuota limiting CPU and memory requests and limits, and a LimitRange.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        for (const ns of tenantNamespaces(args.resources)) {
            const name = metaOf(ns.props).name!;
            const quota = inNamespace(args.resources, "kubernetes:core/v1:ResourceQuota", name).find((q) => {
                const hard = plain<{ spec?: { hard?: Record<string, string> } }>(q.props).spec?.hard ?? {};
                return ["requests.cpu", "requests.memory", "limits.cpu", "limits.memory"].every((k) => hard[k]);
            });
            if (!quota) report(`tenant namespace ${name} has no ResourceQuota on CPU and memory.`, ns.urn);
            if (!inNamespace(args.resources, "kubernetes:core/v1:LimitRange", name).length)
                report(`tenant namespace ${name} has no LimitRange.`, ns.urn);
        }
    },
};
