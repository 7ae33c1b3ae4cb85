import type { ResourceValidationPolicy } from "@pulumi/policy";
import { LABELS } from "../../components/naming/labels";
import { describe, isKubernetes, metaOf } from "../lib/values";

export const REQUIRED_LABELS = [LABELS.app, LABELS.tenant, LABELS.environment, LABELS.managedBy] as const;

export const standardLabelsRule: ResourceValidationPolicy = {
    name: "standard-labels",
    description: `Every Kubernetes object carries the standard labels (${REQUIRED_LABELS.join(", ")}), so cost, ownership and alerts can be traced to a tenant and environment.`,
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (!isKubernetes(args.type) || !("metadata" in args.props)) return;
        const labels = metaOf(args.props).labels ?? {};
        const missing = REQUIRED_LABELS.filter((l) => !labels[l]);
        if (missing.length) report(`${describe(args.type, args.props)}: missing label(s) ${missing.join(", ")}.`);
    },
};
