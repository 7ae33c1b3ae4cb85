import { createHash } from "node:crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { type RedisSettings } from "./settings";
import type { NamespaceRef } from "../../kube/namespace";
import { REPLACE_UNREADY } from "../../kube/options";
import { podSpec, fromSecret } from "../../kube/workload";
import { type LabelArgs, standardLabels } from "../../naming/labels";
import { IMAGES } from "../../versions/images";
import { type AclUser, aclSetUserCommands } from "./acl";
import type { RedisUser } from "./redis";

export interface ExternalRedisUsersArgs {
    readonly settings: Extract<RedisSettings, { mode: "external" }>;
    readonly namespace: NamespaceRef;
    readonly labels: LabelArgs;
    readonly users: readonly RedisUser[];
}

/**
 * Applies tenant ACL users to a Redis run outside the cluster, with `ACL SETUSER` as the admin
 * user. The Job is named from a hash of the rules, so it runs again whenever a user changes.
 * Managed services that forbid ACL commands need the same users created through their own API.
 */
export class ExternalRedisUsers extends pulumi.ComponentResource {
    constructor(name: string, args: ExternalRedisUsersArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("llmops:data:ExternalRedisUsers", name, {}, opts);
        const labels = standardLabels(args.labels);
        const s = args.settings;
        const commands = pulumi.all(args.users.map((u) => pulumi.output(u.password))).apply((passwords) => {
            const users: AclUser[] = args.users.map((u, i) => ({ name: u.name, password: passwords[i]!, access: u.access }));
            return (
                aclSetUserCommands(users)
                    .map((c) => c.join(" "))
                    .join("\n") + "\n"
            );
        });
        const secret = new k8s.core.v1.Secret(
            `${name}-commands`,
            {
                metadata: { name: "redis-acl-commands", namespace: args.namespace.output, labels },
                type: "Opaque",
                stringData: { "commands.txt": pulumi.secret(commands), ADMIN_PASSWORD: s.adminPassword.value },
            },
            { parent: this },
        );
        const digest = pulumi.unsecret(commands.apply((c) => createHash("sha256").update(c).digest("hex").slice(0, 10)));
        const tls = s.tls ? "--tls " : "";
        new k8s.batch.v1.Job(
            `${name}-apply`,
            {
                metadata: {
                    name: pulumi.interpolate`redis-acl-apply-${digest}`,
                    namespace: args.namespace.output,
                    labels,
                    annotations: REPLACE_UNREADY,
                },
                spec: {
                    backoffLimit: 3,
                    ttlSecondsAfterFinished: 86400,
                    template: {
                        metadata: { labels },
                        spec: podSpec({
                            restartPolicy: "Never",
                            schedule: { policy: args.namespace.scheduling, batch: true, selector: labels, maxReplicas: 1 },
                            containers: [
                                {
                                    name: "apply",
                                    image: IMAGES.redis,
                                    command: ["sh", "-ec"],
                                    args: [
                                        // No globbing: rules such as ~acme:langfuse:* must reach the server as written.
                                        `set -f; while read -r line; do [ -n "$line" ] || continue; ` +
                                            `valkey-cli ${tls}--no-auth-warning -h ${s.host} -p ${s.port} --user ${s.adminUser} --pass "$ADMIN_PASSWORD" $line | grep -q OK; ` +
                                            `done < /acl/commands.txt; echo "applied $(grep -c . /acl/commands.txt) users"`,
                                    ],
                                    env: { ADMIN_PASSWORD: fromSecret(secret.metadata.name, "ADMIN_PASSWORD") },
                                    resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { cpu: "200m", memory: "64Mi" } },
                                    volumeMounts: [{ name: "acl", mountPath: "/acl", readOnly: true }],
                                },
                            ],
                            volumes: [
                                {
                                    name: "acl",
                                    secret: { secretName: secret.metadata.name, items: [{ key: "commands.txt", path: "commands.txt" }] },
                                },
                            ],
                        }),
                    },
                },
            },
            { parent: this, deleteBeforeReplace: true },
        );
        this.registerOutputs({});
    }
}
