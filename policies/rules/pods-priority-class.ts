import type { StackValidationPolicy } from "@pulumi/policy";
import { describe, metaOf, podOf } from "../lib/values";

export const podsPriorityClass: StackValidationPolicy = {
    name: "pods-priority-class",
    description:
        "Every pod names a priorityClassName, and it is a PriorityClass the stack declares, so under pressure the shared data plane and each tenant's ingestion path keep running before batch work.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const declared = new Set(
            args.resources.filter((r) => r.type === "kubernetes:scheduling.k8s.io/v1:PriorityClass").map((r) => metaOf(r.props).name),
        );
        for (const r of args.resources) {
            const pod = podOf(r.type, r.props);
            if (!pod) continue;
            const name = (pod.spec as { priorityClassName?: string }).priorityClassName;
            if (name === undefined) report(`${describe(r.type, r.props)}: its pods name no priorityClassName.`, r.urn);
            else if (!declared.has(name))
                report(
                    `${describe(r.type, r.props)}: its pods name the PriorityClass \`${name}\`, which the stack does not declare.`,
                    r.urn,
                );
        }
    },
};
