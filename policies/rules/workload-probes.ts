import type { ResourceValidationPolicy } from "@pulumi/policy";
import { describe, podOf } from "../lib/values";

export const workloadProbes: ResourceValidationPolicy = {
    name: "workload-probes",
    description: "Every container of a Deployment or StatefulSet has a liveness probe, and those that serve a port also a readiness probe.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type !== "kubernetes:apps/v1:Deployment" && args.type !== "kubernetes:apps/v1:StatefulSet") return;
        const pod = podOf(args.type, args.props);
        for (const c of pod?.spec.containers ?? []) {
            if (!c.livenessProbe) report(`${describe(args.type, args.props)}: container \`${c.name}\` has no liveness probe.`);
            if (c.ports?.length && !c.readinessProbe)
                report(`${describe(args.type, args.props)}: container \`${c.name}\` serves a port but has no readiness probe.`);
        }
    },
};
