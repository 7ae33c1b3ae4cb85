import type { StackValidationPolicy } from "@pulumi/policy";
import { ANNOTATIONS } from "../../components/naming/labels";
import { environmentOf } from "../lib/stack";
import { describe, metaOf, plain } from "../lib/values";

const PROTECTED_ENVIRONMENTS = ["staging", "prod"];
const ALWAYS_STATEFUL = ["postgresql:index/database:Database", "postgresql:index/role:Role", "minio:index/s3Bucket:S3Bucket"];

export const stateProtected: StackValidationPolicy = {
    name: "state-protected-in-staging-and-prod",
    description: `In \`staging\` and \`prod\`, databases, database roles, buckets and StatefulSets with volumes are protected, so no \`pulumi up\` can delete them (a StatefulSet whose volume holds no data of record says so with \`${ANNOTATIONS.ephemeralState}\`).`,
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const env = environmentOf(args.resources);
        if (!env || !PROTECTED_ENVIRONMENTS.includes(env)) return;
        for (const r of args.resources) {
            let what: string | undefined;
            if (ALWAYS_STATEFUL.includes(r.type)) what = `${r.type.split(":").pop()} ${String(plain<Record<string, unknown>>(r.props)["name"] ?? plain<Record<string, unknown>>(r.props)["bucket"] ?? r.name)}`;
            else if (r.type === "kubernetes:apps/v1:StatefulSet") {
                const hasVolume = Boolean(plain<{ spec?: { volumeClaimTemplates?: unknown[] } }>(r.props).spec?.volumeClaimTemplates?.length);
                if (hasVolume && metaOf(r.props).annotations?.[ANNOTATIONS.ephemeralState] !== "true") what = describe(r.type, r.props);
            }
            if (what && !r.opts.protect) report(`${what} is not protected in \`${env}\`; set protectState (or protect it) so pulumi up cannot delete it.`, r.urn);
        }
    },
};
