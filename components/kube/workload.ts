import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { Image } from "../versions/images";
import { imageRef } from "../versions/images";
import type { Resources } from "./resources";
import { type PodScheduleArgs, schedulePod } from "./scheduling";
import { restrictedContainer, restrictedPod } from "./security";

type Container = k8s.types.input.core.v1.Container;
type EnvVar = k8s.types.input.core.v1.EnvVar;
type Probe = k8s.types.input.core.v1.Probe;
type Volume = k8s.types.input.core.v1.Volume;
type VolumeMount = k8s.types.input.core.v1.VolumeMount;
type PodSpec = k8s.types.input.core.v1.PodSpec;
type EnvFromSource = k8s.types.input.core.v1.EnvFromSource;

/** One container, described by intent; {@link podSpec} turns it into a hardened Kubernetes spec. */
export interface ContainerArgs {
    readonly name: string;
    readonly image: Image;
    /** The entrypoint. @default the image's entrypoint */
    readonly command?: pulumi.Input<string>[];
    /** Arguments of the entrypoint. @default the image's command (`CMD`) */
    readonly args?: pulumi.Input<pulumi.Input<string>[]>;
    /** Named TCP ports the container listens on. @default none */
    readonly ports?: readonly { readonly name: string; readonly port: number }[];
    /** Plain settings. Anything sensitive goes through {@link fromSecret} or `envFromSecrets`. @default none */
    readonly env?: Readonly<Record<string, pulumi.Input<string> | EnvVar["valueFrom"]>>;
    /** Secrets whose every key becomes an environment variable. @default none */
    readonly envFromSecrets?: readonly string[];
    readonly resources: Resources;
    /** Holds off the other probes until the container has started. @default none: the liveness and readiness probes start at once */
    readonly startupProbe?: Probe;
    /** Whether the container takes traffic. @default none: ready as soon as it runs */
    readonly readinessProbe?: Probe;
    /** Whether the container must be restarted. @default none: never restarted for being unresponsive */
    readonly livenessProbe?: Probe;
    /** Mounts besides the emptyDirs of the image's writable paths. @default none */
    readonly volumeMounts?: readonly VolumeMount[];
}

/** An environment variable read from a key of a Secret. */
export function fromSecret(secretName: pulumi.Input<string>, key: string): EnvVar["valueFrom"] {
    return { secretKeyRef: { name: secretName, key } };
}

function isValueFrom(v: unknown): v is NonNullable<EnvVar["valueFrom"]> {
    return typeof v === "object" && v !== null && ("secretKeyRef" in v || "configMapKeyRef" in v || "fieldRef" in v);
}

function volumeNameFor(path: string): string {
    return `tmp${path.replace(/[^a-z0-9]+/gi, "-").toLowerCase()}`.replace(/-+$/, "").slice(0, 63);
}

function container(c: ContainerArgs): Container {
    const env: EnvVar[] = Object.entries(c.env ?? {})
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, value]) => (isValueFrom(value) ? { name, valueFrom: value } : { name, value: value as pulumi.Input<string> }));
    const envFrom: EnvFromSource[] = (c.envFromSecrets ?? []).map((name) => ({ secretRef: { name } }));
    const scratch: VolumeMount[] = c.image.writablePaths.map((p) => ({ name: volumeNameFor(p), mountPath: p }));
    return {
        name: c.name,
        image: imageRef(c.image),
        imagePullPolicy: "IfNotPresent",
        command: c.command,
        args: c.args,
        ports: c.ports?.map((p) => ({ name: p.name, containerPort: p.port, protocol: "TCP" })),
        env: env.length ? env : undefined,
        envFrom: envFrom.length ? envFrom : undefined,
        resources: c.resources,
        startupProbe: c.startupProbe,
        readinessProbe: c.readinessProbe,
        livenessProbe: c.livenessProbe,
        securityContext: restrictedContainer(c.image.runAs, { readOnlyRootFilesystem: c.image.readOnlyRootFilesystem }),
        volumeMounts: [...scratch, ...(c.volumeMounts ?? [])],
    };
}

export interface PodArgs {
    readonly containers: readonly ContainerArgs[];
    /** Containers that run to completion, in order, before the others. @default none */
    readonly initContainers?: readonly ContainerArgs[];
    /** Volumes besides the emptyDirs of the images' writable paths. @default none */
    readonly volumes?: readonly Volume[];
    /** Group that owns mounted volumes; needed when a container writes to a persistent volume. @default none: volumes keep their owner */
    readonly fsGroup?: number;
    /** What the kubelet does when a container exits. @default unset: Kubernetes' `Always` */
    readonly restartPolicy?: "Always" | "OnFailure" | "Never";
    /** Seconds a pod gets to stop after SIGTERM. @default unset: Kubernetes' 30 seconds */
    readonly terminationGracePeriodSeconds?: number;
    /**
     * The service account; only with one is its token mounted.
     * @default none: the namespace's `default` account, and no token is mounted
     */
    readonly serviceAccountName?: pulumi.Input<string>;
    /** The namespace's scheduling and what this workload is; see {@link schedulePod}. @default none: the spec is left as declared */
    readonly schedule?: PodScheduleArgs;
    /** The workload, for error messages, e.g. `Deployment llm-acme/langfuse-web`. @default the first container's name */
    readonly workload?: string;
}

/**
 * A pod spec hardened for Pod Security `restricted`: every container non-root with its image's
 * numeric uid, no service account token, and an emptyDir for each path its image must write.
 */
export function podSpec(args: PodArgs): PodSpec {
    const all = [...(args.initContainers ?? []), ...args.containers];
    const first = args.containers[0];
    if (!first) throw new Error("podSpec needs at least one container");
    const scratchPaths = [...new Set(all.flatMap((c) => c.image.writablePaths))].sort();
    const spec: PodSpec = {
        automountServiceAccountToken: args.serviceAccountName !== undefined,
        serviceAccountName: args.serviceAccountName,
        enableServiceLinks: false,
        securityContext: restrictedPod(first.image.runAs, { fsGroup: args.fsGroup }),
        restartPolicy: args.restartPolicy,
        terminationGracePeriodSeconds: args.terminationGracePeriodSeconds,
        initContainers: args.initContainers?.map(container),
        containers: args.containers.map(container),
        volumes: [...scratchPaths.map((p) => ({ name: volumeNameFor(p), emptyDir: {} })), ...(args.volumes ?? [])],
    };
    return schedulePod(spec, args.schedule, args.workload ?? first.name);
}
