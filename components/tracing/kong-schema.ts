import { z } from "zod";

/**
 * Kong's contracts for what the platform generates, transcribed field by field from upstream at
 * the versions the platform targets, so tests can hold generated documents against them:
 *
 * - the `opentelemetry` plugin config: Kong/kong 3.9.3 `kong/plugins/opentelemetry/schema.lua`,
 *   the shared queue schema `kong/tools/queue_schema.lua` and the propagation schema
 *   `kong/observability/tracing/propagation/schema.lua`;
 * - KongPlugin and KongConsumer (`configuration.konghq.com/v1`): Kong/kubernetes-configuration
 *   v1.5.2 `config/crd/ingress-controller/*.yaml` (the CRDs of Kong Ingress Controller 3.5),
 *   including their x-kubernetes-validations;
 * - the decK file: Kong/go-database-reconciler v1.40.3 `pkg/file/kong_json_schema.json`
 *   (`FConsumer`, `FPlugin`, `Info`), and `_format_version` as Kong's declarative config accepts it.
 *
 * Kong rejects unknown plugin fields, so the schemas are strict where upstream is.
 */

const url = z.string().regex(/^https?:\/\/[^\s]+$/, "must be an http(s) URL");
const timeout = z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 2);
const formats = ["w3c", "b3", "b3-single", "jaeger", "ot", "datadog", "aws", "gcp"] as const;

export const queueSchema = z.strictObject({
    max_batch_size: z.number().int().min(1).max(1_000_000).optional(),
    max_coalescing_delay: z.number().min(0).max(3600).optional(),
    max_entries: z.number().int().min(1).max(1_000_000).optional(),
    max_bytes: z.number().int().nullable().optional(),
    max_retry_time: z.number().optional(),
    initial_retry_delay: z.number().min(0.001).max(1_000_000).optional(),
    max_retry_delay: z.number().min(0.001).max(1_000_000).optional(),
    concurrency_limit: z.union([z.literal(-1), z.literal(1)]).optional(),
});

export const propagationSchema = z.strictObject({
    extract: z.array(z.enum(["w3c", "b3", "jaeger", "ot", "datadog", "aws", "gcp"])).optional(),
    clear: z.array(z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/)).optional(),
    inject: z.array(z.enum(["preserve", ...formats])).optional(),
    default_format: z.enum(formats),
});

export const opentelemetryConfigSchema = z
    .strictObject({
        traces_endpoint: url.optional(),
        logs_endpoint: url.optional(),
        headers: z.record(z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/), z.string()).optional(),
        resource_attributes: z.record(z.string().min(1), z.union([z.string().min(1), z.number(), z.boolean()])).optional(),
        queue: queueSchema.optional(),
        batch_span_count: z.number().int().optional(),
        batch_flush_delay: z.number().int().optional(),
        connect_timeout: timeout.optional(),
        send_timeout: timeout.optional(),
        read_timeout: timeout.optional(),
        http_response_header_for_traceid: z.string().optional(),
        header_type: z.enum(["preserve", "ignore", "b3", "b3-single", "w3c", "jaeger", "ot", "aws", "gcp", "datadog"]).optional(),
        sampling_rate: z.number().min(0).max(1).optional(),
        propagation: propagationSchema.optional(),
    })
    .refine(
        (c) => c.traces_endpoint !== undefined || c.logs_endpoint !== undefined,
        "at least one of traces_endpoint, logs_endpoint is required",
    );

const metadata = z.object({
    name: z
        .string()
        .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/)
        .max(253),
    namespace: z.string().min(1),
    labels: z.record(z.string(), z.string()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
});

const secretKeyRef = z.strictObject({ name: z.string(), key: z.string() });

export const kongPluginCrdSchema = z
    .strictObject({
        apiVersion: z.literal("configuration.konghq.com/v1"),
        kind: z.literal("KongPlugin"),
        metadata,
        plugin: z.string().min(1),
        config: z.record(z.string(), z.unknown()).optional(),
        configFrom: z.strictObject({ secretKeyRef }).optional(),
        configPatches: z.array(z.strictObject({ path: z.string(), valueFrom: z.strictObject({ secretKeyRef }) })).optional(),
        consumerRef: z.string().optional(),
        disabled: z.boolean().optional(),
        instance_name: z.string().optional(),
        ordering: z
            .strictObject({
                before: z.record(z.string(), z.array(z.string())).optional(),
                after: z.record(z.string(), z.array(z.string())).optional(),
            })
            .optional(),
        protocols: z.array(z.enum(["http", "https", "grpc", "grpcs", "tcp", "tls", "udp"])).optional(),
        run_on: z.enum(["first", "second", "all"]).optional(),
    })
    .refine((p) => !(p.config && p.configFrom), "Using both config and configFrom fields is not allowed.")
    .refine((p) => !(p.configFrom && p.configPatches), "Using both configFrom and configPatches fields is not allowed.");

export const kongConsumerCrdSchema = z
    .strictObject({
        apiVersion: z.literal("configuration.konghq.com/v1"),
        kind: z.literal("KongConsumer"),
        metadata,
        username: z.string().optional(),
        custom_id: z.string().optional(),
        credentials: z.array(z.string()).optional(),
        consumerGroups: z.array(z.string()).optional(),
        spec: z.strictObject({ tags: z.array(z.string().min(1).max(128)).max(20).optional() }).optional(),
    })
    .refine((c) => c.username !== undefined || c.custom_id !== undefined, "Need to provide either username or custom_id");

const deckPluginSchema = z.strictObject({
    name: z.string().min(1),
    config: z.record(z.string(), z.unknown()).optional(),
    enabled: z.boolean().optional(),
    protocols: z.array(z.string()).optional(),
    tags: z.array(z.string()).optional(),
    instance_name: z.string().optional(),
    id: z.string().optional(),
});

export const deckFileSchema = z.strictObject({
    _format_version: z.enum(["1.1", "2.1", "3.0"]),
    _info: z.strictObject({ select_tags: z.array(z.string()).optional() }).optional(),
    consumers: z
        .array(
            z
                .strictObject({
                    username: z.string().optional(),
                    custom_id: z.string().optional(),
                    id: z.string().optional(),
                    tags: z.array(z.string()).optional(),
                    plugins: z.array(deckPluginSchema).optional(),
                })
                .refine((c) => c.username !== undefined || c.custom_id !== undefined, "at least one of custom_id or username must be set"),
        )
        .optional(),
});
