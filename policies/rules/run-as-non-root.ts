import type { ResourceValidationPolicy } from "@pulumi/policy";
import { containersOf, describe, podOf } from "../lib/values";

export const runAsNonRoot: ResourceValidationPolicy = {
    name: "containers-run-as-non-root",
    description: "Every container runs as a non-root, numeric user (Pod Security `restricted` needs the number to verify it).",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        const pod = podOf(args.type, args.props);
        if (!pod) return;
        const podSc = pod.spec.securityContext ?? {};
        for (const c of containersOf(pod.spec)) {
            const nonRoot = c.securityContext?.runAsNonRoot ?? podSc.runAsNonRoot;
            const user = c.securityContext?.runAsUser ?? podSc.runAsUser;
            if (nonRoot !== true) report(`${describe(args.type, args.props)}: container \`${c.name}\` does not set runAsNonRoot: true.`);
            else if (user === 0 || (user !== undefined && typeof user !== "number"))
                report(
                    `${describe(args.type, args.props)}: container \`${c.name}\` runs as user ${String(user)}; use a numeric non-root uid.`,
                );
            else if (user === undefined)
                report(
                    `${describe(args.type, args.props)}: container \`${c.name}\` sets no numeric runAsUser, so runAsNonRoot cannot be verified for images that name their user.`,
                );
        }
    },
};
