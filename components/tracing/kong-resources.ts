import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Tenant } from "../tenancy/tenant";
import type { Environment } from "../environment/environment";
import { standardLabels } from "../naming/labels";
import { PLUGIN_NAME, kongPluginName, pluginConfig } from "./kong";

export interface KongTracingArgs {
    readonly profile: Environment;
    readonly tenant: Tenant;
    readonly tracesUrl: string;
}

/**
 * A tenant's Kong objects, in Kong's namespace: the `opentelemetry` KongPlugin and a KongConsumer
 * per consumer name with the plugin attached (`konghq.com/plugins`). The consumer-scoped plugin
 * replaces any global tracing plugin for that consumer, which is why the trace gateway copies
 * spans to the gateway team's backend.
 */
export class KongTracing extends pulumi.ComponentResource {
    constructor(name: string, args: KongTracingArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("llmops:tracing:KongTracing", name, {}, opts);
        const { profile: profile, tenant } = args;
        const kong = tenant.kong;
        if (!kong) throw new Error(`${tenant.source}: tenant has no kong settings`);
        const labels = standardLabels({ app: "kong-tracing", tenant: tenant.id, environment: profile.name });
        const annotations = { "kubernetes.io/ingress.class": profile.kong.ingressClass };
        const pluginName = kongPluginName(tenant.id);
        const plugin = new k8s.apiextensions.CustomResource(
            `${name}-plugin`,
            {
                apiVersion: "configuration.konghq.com/v1",
                kind: "KongPlugin",
                metadata: { name: pluginName, namespace: profile.kong.namespace, labels, annotations },
                plugin: PLUGIN_NAME,
                config: pluginConfig({
                    tenantId: tenant.id,
                    environment: profile.name,
                    samplingRate: kong.samplingRate,
                    tracesEndpoint: args.tracesUrl,
                }),
            },
            { parent: this },
        );
        for (const username of kong.consumers) {
            new k8s.apiextensions.CustomResource(
                `${name}-consumer-${username}`,
                {
                    apiVersion: "configuration.konghq.com/v1",
                    kind: "KongConsumer",
                    metadata: {
                        name: username,
                        namespace: profile.kong.namespace,
                        labels,
                        annotations: { ...annotations, "konghq.com/plugins": pluginName },
                    },
                    username,
                },
                { parent: this, dependsOn: [plugin] },
            );
        }
        this.registerOutputs({});
    }
}
