import type { ResourceValidationPolicy } from "@pulumi/policy";
import { describe, plain } from "../lib/values";

export const kongPluginWithoutCredentials: ResourceValidationPolicy = {
    name: "kong-plugin-without-credentials",
    description:
        "No KongPlugin carries credentials (headers, secret references): Kong's Admin API shows plugin config to anyone who can read it; the trace gateway adds them instead.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type !== "kubernetes:configuration.konghq.com/v1:KongPlugin") return;
        const p = plain<{ config?: { headers?: Record<string, string> }; configFrom?: unknown; configPatches?: unknown }>(args.props);
        if (p.config?.headers && Object.keys(p.config.headers).length)
            report(`${describe(args.type, args.props)}: sets headers (${Object.keys(p.config.headers).join(", ")}) in its config.`);
        if (p.configFrom || p.configPatches)
            report(`${describe(args.type, args.props)}: reads config from a Secret, which Kong's Admin API would then show.`);
    },
};
