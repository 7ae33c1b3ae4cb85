import type { ResourceValidationPolicy } from "@pulumi/policy";
import { containersOf, describe, podOf } from "../lib/values";

export const resourcesRequestsAndLimits: ResourceValidationPolicy = {
    name: "resources-requests-and-limits",
    description:
        "Every container states CPU and memory requests and limits, so tenants cannot starve each other and quotas can be enforced.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        const pod = podOf(args.type, args.props);
        for (const c of pod ? containersOf(pod.spec) : []) {
            const missing = [
                ["requests.cpu", c.resources?.requests?.cpu],
                ["requests.memory", c.resources?.requests?.memory],
                ["limits.cpu", c.resources?.limits?.cpu],
                ["limits.memory", c.resources?.limits?.memory],
            ]
                .filter(([, v]) => v === undefined || v === "")
                .map(([k]) => k);
            if (missing.length) report(`${describe(args.type, args.props)}: container \`${c.name}\` has no ${missing.join(", ")}.`);
        }
    },
};
