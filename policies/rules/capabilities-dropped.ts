import type { ResourceValidationPolicy } from "@pulumi/policy";
import { containersOf, describe, podOf } from "../lib/values";

export const capabilitiesDropped: ResourceValidationPolicy = {
    name: "capabilities-dropped",
    description:
        "Every container drops ALL Linux capabilities and adds none back (NET_BIND_SERVICE excepted, as Pod Security `restricted` allows).",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        const pod = podOf(args.type, args.props);
        for (const c of pod ? containersOf(pod.spec) : []) {
            const caps = c.securityContext?.capabilities;
            if (!caps?.drop?.includes("ALL"))
                report(`${describe(args.type, args.props)}: container \`${c.name}\` does not drop ALL capabilities.`);
            const added = (caps?.add ?? []).filter((a) => a !== "NET_BIND_SERVICE");
            if (added.length) report(`${describe(args.type, args.props)}: container \`${c.name}\` adds capabilities ${added.join(", ")}.`);
        }
    },
};
