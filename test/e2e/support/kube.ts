import { spawnSync } from "node:child_process";
import type { StateResource } from "./pulumi";

/** A Kubernetes object as the state records it, and where it lives. */
export interface DeclaredObject {
    readonly urn: string;
    readonly type: string;
    /** `kind.version.group` (core: `kind`), as kubectl takes it. */
    readonly resource: string;
    readonly namespace?: string;
    readonly name: string;
    readonly uid: string;
    readonly labels: Record<string, string>;
}

/** `kubernetes:apps/v1:Deployment` -> `Deployment.v1.apps`; `kubernetes:core/v1:Secret` -> `Secret` (kubectl reads `a.b` as resource.group). */
export function kubectlResource(type: string): string {
    const m = /^kubernetes:([^:]+):([A-Za-z0-9]+)$/.exec(type);
    if (!m) throw new Error(`not a Kubernetes resource type: ${type}`);
    const [group, version] = m[1]!.includes("/") ? m[1]!.split("/") : ["core", m[1]!];
    return group === "core" ? m[2]! : `${m[2]}.${version}.${group}`;
}

/** The Kubernetes objects in a stack's state (providers excluded). */
export function declaredObjects(state: StateResource[]): DeclaredObject[] {
    return state
        .filter((r) => r.type.startsWith("kubernetes:") && r.custom !== false)
        .map((r) => {
            const meta = (r.outputs?.["metadata"] ?? {}) as {
                name?: string;
                namespace?: string;
                uid?: string;
                labels?: Record<string, string>;
            };
            if (!meta.name || !meta.uid) throw new Error(`${r.urn}: the state has no metadata.name/uid for it`);
            return {
                urn: r.urn,
                type: r.type,
                resource: kubectlResource(r.type),
                namespace: meta.namespace,
                name: meta.name,
                uid: meta.uid,
                labels: meta.labels ?? {},
            };
        });
}

export interface Kubectl {
    (args: string[], input?: string): { code: number; stdout: string; stderr: string };
}

export function kubectlFor(binary: string, kubeconfig: string): Kubectl {
    return (args, input) => {
        const r = spawnSync(binary, [`--kubeconfig=${kubeconfig}`, ...args], { encoding: "utf8", input, maxBuffer: 256 * 1024 * 1024 });
        return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
    };
}

export function kubectlJson<T>(kubectl: Kubectl, args: string[]): T {
    const r = kubectl([...args, "-o", "json"]);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")} failed: ${r.stderr}`);
    return JSON.parse(r.stdout) as T;
}

/** Live objects of the given kubectl resources, across namespaces, keyed `resource/namespace/name` -> uid. */
export function liveObjects(kubectl: Kubectl, resources: Iterable<string>): Map<string, string> {
    const live = new Map<string, string>();
    for (const resource of new Set(resources)) {
        const list = kubectlJson<{ items: { metadata: { name: string; namespace?: string; uid: string } }[] }>(kubectl, [
            "get",
            resource,
            "--all-namespaces",
        ]);
        for (const o of list.items) live.set(objectKey(resource, o.metadata.namespace, o.metadata.name), o.metadata.uid);
    }
    return live;
}

export function objectKey(resource: string, namespace: string | undefined, name: string): string {
    return `${resource}/${namespace ?? ""}/${name}`;
}
