import type { ResourceValidationPolicy } from "@pulumi/policy";
import { LABELS } from "../../components/naming/labels";
import { environmentsWhere, profileNamed, withoutProfile } from "../lib/profile";
import { describe, metaOf, plain } from "../lib/values";

export const noNodeExposureOutsideLocal: ResourceValidationPolicy = {
    name: "no-loadbalancer-or-nodeport-outside-local",
    description: `Outside environments whose profile allows node ports (${environmentsWhere("nodePortsAllowed")}), no Service is of type LoadBalancer or NodePort: traffic enters through the ingress controller and Kong only.`,
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type !== "kubernetes:core/v1:Service") return;
        const env = metaOf(args.props).labels?.[LABELS.environment];
        const type = plain<{ spec?: { type?: string } }>(args.props).spec?.type;
        if (type !== "LoadBalancer" && type !== "NodePort") return;
        const profile = profileNamed(env);
        // A Service whose environment is unknown is held to the strict rule: a missing label must not expose it.
        if (!profile) report(`${describe(args.type, args.props)}: is of type ${type} ${withoutProfile(env)}.`);
        else if (!profile.nodePortsAllowed) report(`${describe(args.type, args.props)}: is of type ${type} in \`${env}\`.`);
    },
};
