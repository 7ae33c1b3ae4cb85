import type { ResourceValidationPolicy } from "@pulumi/policy";
import { containersOf, describe, podOf } from "../lib/values";

/** An image reference is pinned when it has a version tag other than `latest`, or a digest. */
export function isPinned(image: string): boolean {
    if (/@sha256:[0-9a-f]{64}$/.test(image)) return true;
    const tag = /:([^:/@]+)$/.exec(image)?.[1];
    return tag !== undefined && tag !== "latest";
}

export const imagesPinned: ResourceValidationPolicy = {
    name: "images-pinned",
    description: "Every container image is pinned to a version tag (never `latest`) or a digest, so a deploy runs what was reviewed.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        const pod = podOf(args.type, args.props);
        for (const c of pod ? containersOf(pod.spec) : []) {
            if (c.image !== undefined && !isPinned(c.image))
                report(
                    `${describe(args.type, args.props)}: container \`${c.name}\` uses image \`${c.image}\`, which is not pinned to a version or digest.`,
                );
        }
    },
};
