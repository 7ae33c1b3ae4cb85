import type { ResourceValidationPolicy } from "@pulumi/policy";
import { describe, metaOf } from "../lib/values";

export const namespacePodSecurity: ResourceValidationPolicy = {
    name: "namespace-pod-security-restricted",
    description: "Every namespace the platform creates enforces Pod Security `restricted`.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type !== "kubernetes:core/v1:Namespace") return;
        const labels = metaOf(args.props).labels ?? {};
        if (labels["pod-security.kubernetes.io/enforce"] !== "restricted")
            report(
                `${describe(args.type, args.props)}: does not enforce Pod Security restricted (label pod-security.kubernetes.io/enforce).`,
            );
    },
};
