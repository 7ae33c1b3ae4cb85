import type { ResourceValidationPolicy } from "@pulumi/policy";
import { describe, podOf } from "../lib/values";

export const noHostNamespaces: ResourceValidationPolicy = {
    name: "no-host-namespaces",
    description: "No pod shares the node's network, PID or IPC namespace.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        const pod = podOf(args.type, args.props);
        if (!pod) return;
        for (const field of ["hostNetwork", "hostPID", "hostIPC"] as const) {
            if (pod.spec[field] === true) report(`${describe(args.type, args.props)}: sets ${field}: true.`);
        }
    },
};
