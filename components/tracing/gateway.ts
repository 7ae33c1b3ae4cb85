import { createHash } from "node:crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";
import { statefulService } from "../data/stateful-service";
import type { Environment } from "../environment/environment";
import type { NamespaceRef } from "../kube/namespace";
import { serviceHost } from "../kube/namespace";
import { httpProbe, startupWindow } from "../kube/probes";
import { standardLabels } from "../naming/labels";
import { DATA_SERVICES } from "../sizing/profiles";
import { SUPPORT_IMAGES } from "../versions/images";
import {
    FORWARD_AUTH_ENV,
    HEALTH_PORT,
    OTLP_HTTP_PORT,
    QUEUE_DIR,
    SELF_METRICS_PORT,
    UNROUTED_METRICS_PORT,
    basicAuthorization,
    collectorConfig,
    collectorConfigProblems,
    tenantAuthEnv,
} from "./collector-config";

/** A tenant whose Langfuse the gateway forwards to, with the key pair it authenticates with. */
export interface GatewayTenant {
    readonly tenantId: string;
    readonly tracesEndpoint: string;
    readonly publicKey: pulumi.Input<string>;
    readonly secretKey: pulumi.Input<string>;
}

export interface TraceGatewayArgs {
    readonly profile: Environment;
    readonly namespace: NamespaceRef;
    readonly tenants: readonly GatewayTenant[];
}

export const TRACE_GATEWAY = "trace-gateway";

/** The URL Kong sends spans to. */
export function gatewayTracesUrl(platformNamespace: string): string {
    return `http://${serviceHost(TRACE_GATEWAY, platformNamespace)}:${OTLP_HTTP_PORT}/v1/traces`;
}

/**
 * The environment's trace gateway: an OpenTelemetry Collector (contrib) that receives Kong's spans
 * without credentials, routes them by the tenant id resource attribute to that tenant's Langfuse
 * with the tenant's key pair from its own Secret, queues them on a volume across restarts and
 * outages, copies them to the gateway team's backend when configured, and counts and drops spans
 * of unknown tenants. Langfuse keys never reach Kong.
 */
export class TraceGateway extends pulumi.ComponentResource {
    readonly tracesUrl: string;

    constructor(name: string, args: TraceGatewayArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("llmops:tracing:TraceGateway", name, {}, opts);
        const { profile: profile } = args;
        const labelArgs = { app: TRACE_GATEWAY, environment: profile.name };
        const labels = standardLabels(labelArgs);
        const forward = profile.traceGateway.forward;
        const config = collectorConfig({
            routes: args.tenants.map((t) => ({ tenantId: t.tenantId, tracesEndpoint: t.tracesEndpoint })),
            forward: forward
                ? { endpoint: forward.endpoint, authorizationEnv: forward.authorization ? FORWARD_AUTH_ENV : undefined }
                : undefined,
        });
        const secretData: Record<string, pulumi.Input<string>> = {};
        for (const t of args.tenants) {
            secretData[tenantAuthEnv(t.tenantId)] = pulumi.all([t.publicKey, t.secretKey]).apply(([pk, sk]) => basicAuthorization(pk, sk));
        }
        if (forward?.authorization) secretData[FORWARD_AUTH_ENV] = forward.authorization.value;
        const problems = collectorConfigProblems(config, {
            provided: new Set(Object.keys(secretData)),
            tenants: args.tenants.map((t) => t.tenantId),
        });
        if (problems.length) throw new Error(`trace gateway configuration is inconsistent:\n${problems.map((p) => `  - ${p}`).join("\n")}`);

        const configText = stringify(config, { lineWidth: 0 });
        const configMap = new k8s.core.v1.ConfigMap(
            `${name}-config`,
            { metadata: { name: TRACE_GATEWAY, namespace: args.namespace.output, labels }, data: { "config.yaml": configText } },
            { parent: this },
        );
        const secret = new k8s.core.v1.Secret(
            `${name}-auth`,
            {
                metadata: { name: `${TRACE_GATEWAY}-auth`, namespace: args.namespace.output, labels },
                type: "Opaque",
                stringData: secretData,
            },
            { parent: this },
        );
        statefulService(
            name,
            {
                serviceName: TRACE_GATEWAY,
                namespace: args.namespace,
                labels: labelArgs,
                replicas: profile.traceGateway.replicas,
                autoscale: true,
                container: {
                    name: "collector",
                    image: SUPPORT_IMAGES.otelCollector,
                    args: ["--config=/etc/otelcol/config.yaml"],
                    envFromSecrets: [`${TRACE_GATEWAY}-auth`],
                    startupProbe: startupWindow(httpProbe("/", "health"), 60, 5),
                    readinessProbe: httpProbe("/", "health", { periodSeconds: 5 }),
                    livenessProbe: httpProbe("/", "health", { periodSeconds: 15 }),
                    volumeMounts: [{ name: "config", mountPath: "/etc/otelcol", readOnly: true }],
                },
                extraVolumes: [{ name: "config", configMap: { name: configMap.metadata.name } }],
                resources: DATA_SERVICES.traceGateway[profile.traceGateway.size],
                ports: [
                    { name: "otlp-http", port: OTLP_HTTP_PORT },
                    { name: "health", port: HEALTH_PORT },
                    { name: "metrics", port: SELF_METRICS_PORT },
                    { name: "unrouted", port: UNROUTED_METRICS_PORT },
                ],
                dataPath: QUEUE_DIR,
                storage: profile.traceGateway.queueStorage,
                storageClass: profile.storageClass,
                // The queue is spans in flight, not data of record: replaceable in every environment.
                protect: false,
                ephemeral: true,
                podAnnotations: pulumi.unsecret(
                    pulumi.output(secretData).apply((d) => ({
                        "llmops.io/config-hash": createHash("sha256")
                            .update(configText + JSON.stringify(Object.keys(d).sort()))
                            .digest("hex")
                            .slice(0, 16),
                    })),
                ),
            },
            { parent: this, dependsOn: [secret] },
        );
        this.tracesUrl = gatewayTracesUrl(args.namespace.name);
        this.registerOutputs({ tracesUrl: this.tracesUrl });
    }
}
