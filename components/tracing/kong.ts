/**
 * Kong configuration for the trace path: per tenant, an `opentelemetry` plugin (Kong 3.9) on
 * each of the tenant's consumers, sending OTLP/HTTP to the trace gateway with the tenant's id as
 * a resource attribute and no credentials. The same plugin and consumers are rendered as Kong
 * Ingress Controller resources and as a decK file, from these functions.
 */
import type { Tenant } from "../tenancy/tenant";
import { TENANT_ATTRIBUTE } from "./collector-config";

export const PLUGIN_NAME = "opentelemetry";
/** Tags on everything the platform puts in Kong, so decK can sync only its own entities. */
export const PLATFORM_TAG = "llmops-platform";

export function kongPluginName(tenantId: string): string {
    return `llmops-${tenantId}-otel`;
}

export interface PluginConfigArgs {
    readonly tenantId: string;
    readonly environment: string;
    readonly samplingRate: number;
    /** The trace gateway's OTLP/HTTP traces URL. */
    readonly tracesEndpoint: string;
}

/** The plugin's `config`, field names and bounds as Kong 3.9.3's schema.lua defines them. */
export function pluginConfig(a: PluginConfigArgs): Record<string, unknown> {
    return {
        traces_endpoint: a.tracesEndpoint,
        resource_attributes: { "service.name": "kong", [TENANT_ATTRIBUTE]: a.tenantId, "deployment.environment.name": a.environment },
        // Kong's own default (tracing_sampling_rate = 0.01) would drop 99% of requests.
        sampling_rate: a.samplingRate,
        queue: {
            max_batch_size: 200,
            max_coalescing_delay: 1,
            max_entries: 10_000,
            max_retry_time: 60,
            initial_retry_delay: 0.01,
            max_retry_delay: 60,
            concurrency_limit: 1,
        },
        connect_timeout: 1000,
        send_timeout: 5000,
        read_timeout: 5000,
        propagation: { default_format: "w3c" },
    };
}

export interface DeckArgs {
    readonly stack: string;
    readonly environment: string;
    readonly tracesEndpoint: string;
    readonly tenants: readonly Tenant[];
}

/** A decK file (`_format_version: "3.0"`) with the same consumers and plugins, for Kong outside Kubernetes. */
export function deckDocument(a: DeckArgs): Record<string, unknown> {
    const tags = [PLATFORM_TAG, `llmops-stack-${a.stack}`];
    const consumers = a.tenants
        .filter((t) => t.kong && t.apps.langfuse)
        .flatMap((t) =>
            t.kong!.consumers.map((username) => ({
                username,
                tags: [...tags, `llmops-tenant-${t.id}`],
                plugins: [
                    {
                        name: PLUGIN_NAME,
                        enabled: true,
                        protocols: ["grpc", "grpcs", "http", "https"],
                        tags: [...tags, `llmops-tenant-${t.id}`],
                        config: pluginConfig({
                            tenantId: t.id,
                            environment: a.environment,
                            samplingRate: t.kong!.samplingRate,
                            tracesEndpoint: a.tracesEndpoint,
                        }),
                    },
                ],
            })),
        )
        .sort((x, y) => x.username.localeCompare(y.username));
    return { _format_version: "3.0", _info: { select_tags: tags }, consumers };
}
