import type { ResourceValidationPolicy } from "@pulumi/policy";
import { containersOf, describe, podOf } from "../lib/values";

export const noPrivilegeEscalation: ResourceValidationPolicy = {
    name: "no-privilege-escalation",
    description: "No container may gain privileges: allowPrivilegeEscalation is false and none is privileged.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        const pod = podOf(args.type, args.props);
        for (const c of pod ? containersOf(pod.spec) : []) {
            if (c.securityContext?.allowPrivilegeEscalation !== false)
                report(`${describe(args.type, args.props)}: container \`${c.name}\` does not set allowPrivilegeEscalation: false.`);
            if (c.securityContext?.privileged === true)
                report(`${describe(args.type, args.props)}: container \`${c.name}\` is privileged.`);
        }
    },
};
