import { createHash } from "node:crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { type Size } from "../../sizing/size";
import type { NamespaceRef } from "../../kube/namespace";
import type { WorkloadRole } from "../../kube/scheduling";
import { execProbe, startupWindow } from "../../kube/probes";
import type { Footprint, Resources } from "../../kube/resources";
import { type ContainerArgs, fromSecret } from "../../kube/workload";
import { type LabelArgs, standardLabels } from "../../naming/labels";
import { DATA_SERVICES, redisMaxMemory } from "../../sizing/profiles";
import { IMAGES } from "../../versions/images";
import { statefulService } from "../stateful-service";
import { type AclUser, renderAclFile } from "./acl";
import { DATA_SERVICE_PORTS } from "../ports";

/** An application user of a Redis, with a password generated elsewhere (by the tenant that owns it). */
export interface RedisUser {
    readonly name: string;
    readonly password: pulumi.Input<string>;
    readonly access: AclUser["access"];
}

export interface RedisArgs {
    /** Object name of the StatefulSet and Service. */
    readonly serviceName: string;
    readonly namespace: NamespaceRef;
    readonly labels: LabelArgs;
    readonly size: Size;
    /** Requests and limits. @default the environment's data-service table for `size` (`DATA_SERVICES.redis`) */
    readonly resources?: Resources;
    /**
     * Persistent volume size; without it the instance keeps no data across restarts (a cache).
     * @default none: an emptyDir, no append-only file or snapshots, and the StatefulSet is not protected
     */
    readonly storage?: string;
    /** StorageClass of the volume. @default the cluster's default class */
    readonly storageClass?: string;
    /** `noeviction` for queues (BullMQ loses jobs otherwise); an LRU policy for caches. */
    readonly evictionPolicy: "noeviction" | "allkeys-lru" | "volatile-lru";
    readonly users: readonly RedisUser[];
    /**
     * Reload the users file in place when it changes (a sidecar runs `ACL LOAD`), instead of
     * restarting the server. For the shared Redis, whose users change with every tenant.
     */
    readonly hotReloadUsers: boolean;
    readonly protect: boolean;
    /** 0 to stop it (its volume stays). @default 1 */
    readonly replicas?: number;
    /** Node pool and priority, when not the namespace's default. @default the namespace's default role */
    readonly role?: Partial<WorkloadRole>;
    /**
     * Passwords of the admin and probe users; generated here when not given.
     * @default two 32-character passwords generated here (`RandomPassword`, no special characters)
     */
    readonly credentials?: { readonly admin: pulumi.Output<string>; readonly probe: pulumi.Output<string> };
}

const CONFIG_DIR = "/etc/valkey";
const ACL_DIR = "/etc/valkey/acl";

/** The server configuration file. */
export function redisConfig(maxmemory: string, evictionPolicy: string, persistent: boolean): string {
    return [
        "bind 0.0.0.0 -::*",
        `port ${DATA_SERVICE_PORTS.redis}`,
        "protected-mode no",
        "dir /data",
        `aclfile ${ACL_DIR}/users.acl`,
        `maxmemory ${maxmemory}`,
        `maxmemory-policy ${evictionPolicy}`,
        persistent ? "appendonly yes" : "appendonly no",
        persistent ? "appendfsync everysec" : 'save ""',
        "",
    ].join("\n");
}

/**
 * A Redis-compatible server (Valkey) with ACL users from a generated users file: the default user
 * is off, an admin and a probe user exist, and each application user is confined as its access
 * says. Apps connect with their own user; no password is shared between two users.
 */
export class Redis extends pulumi.ComponentResource {
    readonly host: string;
    readonly port = DATA_SERVICE_PORTS.redis;
    /** What the server asks for and may use, sidecars included, times its replicas. */
    readonly footprint: Footprint;

    constructor(name: string, args: RedisArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("llmops:data:Redis", name, {}, opts);
        const labels = standardLabels(args.labels);
        // Rotatable: the users file and the Secret change together, and the server reloads them.
        const admin = args.credentials
            ? { result: args.credentials.admin }
            : new random.RandomPassword(`${name}-admin-credential`, { length: 32, special: false }, { parent: this });
        const probe = args.credentials
            ? { result: args.credentials.probe }
            : new random.RandomPassword(`${name}-probe-credential`, { length: 32, special: false }, { parent: this });

        const usersFile = pulumi
            .all([admin.result, probe.result, ...args.users.map((u) => pulumi.output(u.password))])
            .apply(([adminPw, probePw, ...passwords]) =>
                renderAclFile([
                    { name: "platform-admin", password: adminPw!, access: { kind: "admin" } },
                    { name: "healthcheck", password: probePw!, access: { kind: "probe" } },
                    ...args.users.map((u, i) => ({ name: u.name, password: passwords[i]!, access: u.access })),
                ]),
            );
        const aclSecret = new k8s.core.v1.Secret(
            `${name}-acl`,
            {
                metadata: { name: `${args.serviceName}-acl`, namespace: args.namespace.output, labels },
                type: "Opaque",
                stringData: { "users.acl": pulumi.secret(usersFile), ADMIN_PASSWORD: admin.result, PROBE_PASSWORD: probe.result },
            },
            { parent: this },
        );
        const resources = args.resources ?? DATA_SERVICES.redis[args.size];
        const configText = redisConfig(redisMaxMemory(resources.limits.memory), args.evictionPolicy, args.storage !== undefined);
        const config = new k8s.core.v1.ConfigMap(
            `${name}-config`,
            {
                metadata: { name: `${args.serviceName}-config`, namespace: args.namespace.output, labels },
                data: { "valkey.conf": configText },
            },
            { parent: this },
        );

        const cli = (user: string, passwordVar: string, command: string) =>
            `valkey-cli --no-auth-warning --user ${user} --pass "$${passwordVar}" ${command}`;
        const probeCommand = ["sh", "-c", `${cli("healthcheck", "PROBE_PASSWORD", "ping")} | grep -q PONG`];
        const secretEnv = {
            PROBE_PASSWORD: fromSecret(aclSecret.metadata.name, "PROBE_PASSWORD"),
        };
        const mounts = [
            { name: "config", mountPath: CONFIG_DIR + "/valkey.conf", subPath: "valkey.conf", readOnly: true },
            { name: "acl", mountPath: ACL_DIR, readOnly: true },
        ];
        const sidecars: ContainerArgs[] = args.hotReloadUsers
            ? [
                  {
                      name: "acl-reloader",
                      image: IMAGES.redis,
                      command: ["sh", "-c"],
                      args: [
                          // Secret volumes are updated in place (an atomic symlink swap); reload when the file's hash changes.
                          `last=""; while true; do cur=$(sha256sum ${ACL_DIR}/users.acl | cut -d" " -f1); ` +
                              `if [ "$cur" != "$last" ] && ${cli("platform-admin", "ADMIN_PASSWORD", "ACL LOAD")} | grep -q OK; then last="$cur"; echo "users reloaded"; fi; sleep 10; done`,
                      ],
                      env: {
                          ADMIN_PASSWORD: fromSecret(aclSecret.metadata.name, "ADMIN_PASSWORD"),
                          PROBE_PASSWORD: fromSecret(aclSecret.metadata.name, "PROBE_PASSWORD"),
                      },
                      resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { cpu: "100m", memory: "32Mi" } },
                      // Alive while it can read the users file it reloads and reach the server.
                      livenessProbe: execProbe(
                          ["sh", "-c", `test -r ${ACL_DIR}/users.acl && ${cli("healthcheck", "PROBE_PASSWORD", "ping")} | grep -q PONG`],
                          { periodSeconds: 30 },
                      ),
                      volumeMounts: [{ name: "acl", mountPath: ACL_DIR, readOnly: true }],
                  },
              ]
            : [];

        const service = statefulService(
            name,
            {
                serviceName: args.serviceName,
                replicas: args.replicas,
                role: args.role,
                namespace: args.namespace,
                labels: args.labels,
                container: {
                    name: "valkey",
                    image: IMAGES.redis,
                    command: ["valkey-server", `${CONFIG_DIR}/valkey.conf`],
                    env: secretEnv,
                    startupProbe: startupWindow(execProbe(probeCommand), 120, 5),
                    readinessProbe: execProbe(probeCommand, { periodSeconds: 5 }),
                    livenessProbe: execProbe(probeCommand, { periodSeconds: 15, failureThreshold: 4 }),
                    volumeMounts: mounts,
                },
                sidecars,
                extraVolumes: [
                    { name: "config", configMap: { name: config.metadata.name } },
                    { name: "acl", secret: { secretName: aclSecret.metadata.name, defaultMode: 0o440 } },
                ],
                resources,
                ports: [{ name: "redis", port: DATA_SERVICE_PORTS.redis }],
                dataPath: "/data",
                storage: args.storage,
                storageClass: args.storageClass,
                protect: args.protect && args.storage !== undefined,
                // Without hot reload, a change of users or config rolls the pod.
                podAnnotations: args.hotReloadUsers
                    ? { "llmops.io/config-hash": hash(configText) }
                    : pulumi.unsecret(usersFile.apply((f) => ({ "llmops.io/config-hash": hash(configText + f) }))),
            },
            { parent: this },
        );
        this.host = service.host;
        this.footprint = service.footprint;
        this.registerOutputs({ host: this.host, port: this.port });
    }
}

function hash(text: string): string {
    return createHash("sha256").update(text).digest("hex").slice(0, 16);
}
