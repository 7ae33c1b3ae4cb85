import type { ResourceValidationPolicy } from "@pulumi/policy";
import { containersOf, describe, podOf } from "../lib/values";

export const seccompRuntimeDefault: ResourceValidationPolicy = {
    name: "seccomp-runtime-default",
    description: "Every pod (or each of its containers) uses the RuntimeDefault seccomp profile.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        const pod = podOf(args.type, args.props);
        if (!pod) return;
        const podProfile = pod.spec.securityContext?.seccompProfile?.type;
        for (const c of containersOf(pod.spec)) {
            const type = c.securityContext?.seccompProfile?.type ?? podProfile;
            if (type !== "RuntimeDefault" && type !== "Localhost")
                report(`${describe(args.type, args.props)}: container \`${c.name}\` has no RuntimeDefault seccomp profile.`);
        }
    },
};
