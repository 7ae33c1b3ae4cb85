import type * as k8s from "@pulumi/kubernetes";
import type { RunAs } from "../versions/images";

type Input<T> = k8s.types.input.core.v1.Container extends infer _ ? T : never;

/**
 * A container security context that Pod Security `restricted` admits: non-root numeric user, no
 * privilege escalation, every capability dropped, RuntimeDefault seccomp. The root filesystem is
 * read-only unless the image cannot run that way (say why beside the call).
 */
export function restrictedContainer(
    runAs: RunAs,
    opts: { readOnlyRootFilesystem?: boolean } = {},
): Input<k8s.types.input.core.v1.SecurityContext> {
    return {
        runAsNonRoot: true,
        runAsUser: runAs.uid,
        runAsGroup: runAs.gid,
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: opts.readOnlyRootFilesystem ?? true,
        capabilities: { drop: ["ALL"] },
        seccompProfile: { type: "RuntimeDefault" },
    };
}

/** A pod security context matching {@link restrictedContainer}; `fsGroup` makes volumes writable. */
export function restrictedPod(runAs: RunAs, opts: { fsGroup?: number } = {}): k8s.types.input.core.v1.PodSecurityContext {
    return {
        runAsNonRoot: true,
        runAsUser: runAs.uid,
        runAsGroup: runAs.gid,
        fsGroup: opts.fsGroup,
        fsGroupChangePolicy: opts.fsGroup !== undefined ? "OnRootMismatch" : undefined,
        seccompProfile: { type: "RuntimeDefault" },
    };
}

/** Labels that make a namespace enforce Pod Security `restricted`. */
export function podSecurityLabels(level: "restricted" | "baseline" = "restricted"): Record<string, string> {
    return {
        "pod-security.kubernetes.io/enforce": level,
        "pod-security.kubernetes.io/enforce-version": "latest",
        "pod-security.kubernetes.io/audit": "restricted",
        "pod-security.kubernetes.io/warn": "restricted",
    };
}
