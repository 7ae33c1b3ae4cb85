import type { Capture } from "../../cli/mock-runtime";
import { containerEnv, containersOf, find, type K8sObject, ofKind } from "./resources";

/**
 * What a container would run, read from a captured plan: its command and args, its environment
 * with Secrets resolved to their generated values, and every file mounted from a ConfigMap or a
 * Secret, by the path the container sees. Real-server tests start the real program from this,
 * never from a hand-written copy.
 */
export interface ContainerRun {
    readonly namespace: string;
    readonly workload: string;
    readonly container: string;
    readonly image: string;
    readonly command: string[];
    readonly args: string[];
    readonly env: Record<string, string>;
    /** Mounted files by the absolute path the container sees, with their content. */
    readonly files: Record<string, string>;
    readonly ports: Array<{ name?: string; containerPort: number }>;
    readonly raw: any;
}

function podSpecOf(workload: K8sObject): any {
    return workload.kind === "CronJob" ? workload.spec.jobTemplate.spec.template.spec : workload.spec.template.spec;
}

function dataOf(obj: K8sObject): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(obj.data ?? {})) out[k] = obj.kind === "Secret" ? Buffer.from(v, "base64").toString("utf8") : v;
    Object.assign(out, obj.stringData ?? {});
    return out;
}

/**
 * Sources a pod mounts that the operator provides, not the program: ConfigMaps the stack config
 * names (a CA bundle). Their contents are unknown here, so their files are left out; any other
 * undeclared source is an error.
 */
export interface OperatorProvided {
    readonly configMaps?: readonly string[];
}

/** Files a container sees from its ConfigMap and Secret volumes (items, subPath and whole volumes). */
export function mountedFiles(
    capture: Capture,
    namespace: string,
    podSpec: any,
    container: any,
    claimTemplates: readonly string[] = [],
    provided: OperatorProvided = {},
): Record<string, string> {
    const files: Record<string, string> = {};
    const volumes = new Map<string, any>((podSpec.volumes ?? []).map((v: any) => [v.name, v]));
    // A StatefulSet's volumeClaimTemplates are volumes too (a PVC each: nothing declared to read).
    for (const name of claimTemplates) volumes.set(name, { name, persistentVolumeClaim: { claimName: name } });
    for (const mount of container.volumeMounts ?? []) {
        const volume = volumes.get(mount.name);
        if (!volume) throw new Error(`${container.name} mounts volume ${mount.name}, which the pod does not declare`);
        if (
            volume.configMap &&
            provided.configMaps?.includes(volume.configMap.name) &&
            !ofKind(capture, "ConfigMap").some((o) => o.metadata.name === volume.configMap.name && o.metadata.namespace === namespace)
        )
            continue;
        const source = volume.configMap
            ? find(capture, "ConfigMap", namespace, volume.configMap.name)
            : volume.secret
              ? find(capture, "Secret", namespace, volume.secret.secretName)
              : undefined;
        if (!source) continue; // emptyDir, PVC, projected token: nothing declared to read
        const data = dataOf(source);
        const items: Array<{ key: string; path: string }> =
            (volume.configMap ?? volume.secret).items ?? Object.keys(data).map((k) => ({ key: k, path: k }));
        for (const item of items) {
            if (!(item.key in data))
                throw new Error(
                    `${container.name} mounts key ${item.key} of ${source.kind} ${namespace}/${source.metadata.name}, which it does not hold`,
                );
            if (mount.subPath) {
                if (mount.subPath === item.path) files[mount.mountPath] = data[item.key]!;
            } else files[`${mount.mountPath.replace(/\/$/, "")}/${item.path}`] = data[item.key]!;
        }
    }
    return files;
}

/** The run of one container of a declared workload (Deployment, StatefulSet, Job, CronJob). */
export function containerRun(
    capture: Capture,
    kind: string,
    namespace: string,
    workload: string,
    container: string,
    provided: OperatorProvided = {},
): ContainerRun {
    const obj = find(capture, kind, namespace, workload);
    const spec = podSpecOf(obj);
    const c = containersOf(obj)[container];
    if (!c)
        throw new Error(
            `${kind} ${namespace}/${workload} has no container ${container}; it has ${Object.keys(containersOf(obj)).join(", ")}`,
        );
    return {
        namespace,
        workload,
        container,
        image: c.image,
        command: c.command ?? [],
        args: c.args ?? [],
        env: containerEnv(capture, namespace, c),
        files: mountedFiles(
            capture,
            namespace,
            spec,
            c,
            (obj.spec?.volumeClaimTemplates ?? []).map((t: any) => t.metadata.name),
            provided,
        ),
        ports: c.ports ?? [],
        raw: c,
    };
}

/** Workloads of a kind in a namespace whose name matches. */
export function workloadsNamed(capture: Capture, kind: string, namespace: string, pattern: RegExp): K8sObject[] {
    return ofKind(capture, kind).filter((o) => o.metadata.namespace === namespace && pattern.test(o.metadata.name ?? ""));
}

/**
 * Rewrites a container path to one under `root` (files are written there for the real program);
 * the same mapping is applied to args that name a mounted file.
 */
export function rootedPath(root: string, containerPath: string): string {
    return `${root.replace(/\/$/, "")}${containerPath}`;
}
