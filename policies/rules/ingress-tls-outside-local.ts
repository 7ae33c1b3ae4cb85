import type { ResourceValidationPolicy } from "@pulumi/policy";
import { LABELS } from "../../components/naming/labels";
import { environmentsWhere, profileNamed, withoutProfile } from "../lib/profile";
import { describe, metaOf, plain } from "../lib/values";

export const ingressTlsOutsideLocal: ResourceValidationPolicy = {
    name: "ingress-tls-outside-local",
    description: `In environments whose profile requires TLS (${environmentsWhere("tlsRequired")}), and in any without a known profile, every Ingress serves TLS for each of its hosts.`,
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type !== "kubernetes:networking.k8s.io/v1:Ingress") return;
        const env = metaOf(args.props).labels?.[LABELS.environment];
        const profile = profileNamed(env);
        if (profile?.tlsRequired === false) return;
        // An Ingress whose environment is unknown is held to TLS: a missing label must not open it up.
        const where = profile ? `in \`${env}\`` : withoutProfile(env);
        const spec = plain<{ spec?: { tls?: Array<{ hosts?: string[] }>; rules?: Array<{ host?: string }> } }>(args.props).spec ?? {};
        const covered = new Set((spec.tls ?? []).flatMap((t) => t.hosts ?? []));
        const uncovered = (spec.rules ?? []).map((r) => r.host ?? "*").filter((h) => !covered.has(h));
        if (!spec.tls?.length) report(`${describe(args.type, args.props)}: has no TLS ${where}.`);
        else if (uncovered.length) report(`${describe(args.type, args.props)}: serves ${uncovered.join(", ")} without TLS.`);
    },
};
