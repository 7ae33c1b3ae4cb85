import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { ANNOTATIONS } from "../../components/naming/labels";
import { environmentsWhere, stackProfile } from "../lib/profile";
import { describe, metaOf, plain } from "../lib/values";

const ALWAYS_STATEFUL = ["postgresql:index/database:Database", "postgresql:index/role:Role", "minio:index/s3Bucket:S3Bucket"];

/** What a resource holding data of record is, for the report; undefined when it holds none. */
function statefulThing(r: PolicyResource): string | undefined {
    if (ALWAYS_STATEFUL.includes(r.type)) {
        const props = plain<Record<string, unknown>>(r.props);
        const name = [props["name"], props["bucket"]].find((v): v is string => typeof v === "string") ?? r.name;
        return `${r.type.split(":").pop()} ${name}`;
    }
    if (r.type !== "kubernetes:apps/v1:StatefulSet") return undefined;
    const hasVolume = Boolean(plain<{ spec?: { volumeClaimTemplates?: unknown[] } }>(r.props).spec?.volumeClaimTemplates?.length);
    return hasVolume && metaOf(r.props).annotations?.[ANNOTATIONS.ephemeralState] !== "true" ? describe(r.type, r.props) : undefined;
}

export const stateProtected: StackValidationPolicy = {
    name: "state-protected-in-staging-and-prod",
    description: `In environments whose profile protects state (${environmentsWhere("protectState")}), databases, database roles, buckets and StatefulSets with volumes are protected, so no \`pulumi up\` can delete them (a StatefulSet whose volume holds no data of record says so with \`${ANNOTATIONS.ephemeralState}\`).`,
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const stateful = args.resources.flatMap((r) => {
            const what = statefulThing(r);
            return what ? [{ r, what }] : [];
        });
        if (stateful.length === 0) return;
        const stack = stackProfile(args.resources);
        if ("problem" in stack)
            return report(
                `${stack.problem} Cannot tell whether the stack's ${stateful.length} databases, buckets and volumes must be protected.`,
            );
        if (!stack.profile.protectState) return;
        for (const { r, what } of stateful) {
            if (!r.opts.protect)
                report(
                    `${what} is not protected in \`${stack.env}\`, whose profile protects state; set protectState (or protect it) so pulumi up cannot delete it.`,
                    r.urn,
                );
        }
    },
};
