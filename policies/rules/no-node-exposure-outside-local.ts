import type { ResourceValidationPolicy } from "@pulumi/policy";
import { LABELS } from "../../components/naming/labels";
import { describe, metaOf, plain } from "../lib/values";

export const noNodeExposureOutsideLocal: ResourceValidationPolicy = {
    name: "no-loadbalancer-or-nodeport-outside-local",
    description: "Outside `local`, no Service is of type LoadBalancer or NodePort: traffic enters through the ingress controller and Kong only.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type !== "kubernetes:core/v1:Service") return;
        const env = metaOf(args.props).labels?.[LABELS.environment];
        const type = plain<{ spec?: { type?: string } }>(args.props).spec?.type;
        if (env !== "local" && (type === "LoadBalancer" || type === "NodePort")) report(`${describe(args.type, args.props)}: is of type ${type} in \`${env}\`.`);
    },
};
