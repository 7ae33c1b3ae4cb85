import type { ResourceValidationPolicy } from "@pulumi/policy";
import { ANNOTATIONS } from "../../components/naming/labels";
import { containersOf, describe, podOf } from "../lib/values";

export const readOnlyRootFilesystem: ResourceValidationPolicy = {
    name: "read-only-root-filesystem",
    description: `Every container has a read-only root filesystem, unless its pod explains why not in the \`${ANNOTATIONS.writableRoot}\` annotation (a reviewed exception).`,
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        const pod = podOf(args.type, args.props);
        if (!pod) return;
        const explained = pod.meta.annotations?.[ANNOTATIONS.writableRoot] ?? "";
        for (const c of containersOf(pod.spec)) {
            if (c.securityContext?.readOnlyRootFilesystem === true) continue;
            if (new RegExp(`(^|; )${c.name}: .+`).test(explained)) continue;
            report(
                `${describe(args.type, args.props)}: container \`${c.name}\` has a writable root filesystem and its pod does not say why in ${ANNOTATIONS.writableRoot}.`,
            );
        }
    },
};
