import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
    deckFileSchema,
    kongConsumerCrdSchema,
    kongPluginCrdSchema,
    opentelemetryConfigSchema,
} from "../../components/tracing/kong-schema";
import { stackCapture } from "../support/capture";
import { runCli } from "../support/cli";
import { ofKind } from "../support/resources";

describe("Kong trace config", () => {
    it.each(["dev", "prod"])(
        "declares per tenant a KongPlugin and its consumers that match the CRD and plugin schemas (%s)",
        async (stack) => {
            const cap = await stackCapture(stack);
            const plugins = ofKind(cap, "KongPlugin");
            const consumers = ofKind(cap, "KongConsumer");
            expect(plugins.map((p) => p.metadata.name).sort()).toEqual(["llmops-acme-otel", "llmops-globex-otel"]);
            expect(consumers.map((c) => c.username).sort()).toEqual(["acme-chatbot", "acme-support-agent", "globex-research-api"]);
            for (const p of plugins) {
                expect(kongPluginCrdSchema.safeParse(p).error?.issues ?? []).toEqual([]);
                expect(opentelemetryConfigSchema.safeParse(p["config"]).error?.issues ?? []).toEqual([]);
                expect(p.metadata.namespace).toBe("kong");
                expect(p.metadata.annotations?.["kubernetes.io/ingress.class"]).toBe("kong");
                // No credentials in Kong: its Admin API would show them.
                expect(p["config"].headers).toBeUndefined();
                expect(p["config"].traces_endpoint).toBe("http://trace-gateway.llm-platform.svc.cluster.local:4318/v1/traces");
            }
            for (const c of consumers) {
                expect(kongConsumerCrdSchema.safeParse(c).error?.issues ?? []).toEqual([]);
                expect(c.metadata.annotations?.["kubernetes.io/ingress.class"]).toBe("kong");
                const attached = c.metadata.annotations?.["konghq.com/plugins"];
                expect(
                    plugins.some((p) => p.metadata.name === attached && p.metadata.namespace === c.metadata.namespace),
                    `${c.username} names missing plugin ${attached}`,
                ).toBe(true);
                const tenant = c.metadata.labels!["llmops.io/tenant"];
                const plugin = plugins.find((p) => p.metadata.name === attached)!;
                expect(plugin["config"].resource_attributes).toEqual({
                    "service.name": "kong",
                    "llmops.tenant.id": tenant,
                    "deployment.environment.name": stack,
                });
            }
            expect(plugins.find((p) => p.metadata.name === "llmops-acme-otel")!["config"].sampling_rate).toBe(0.5);
            expect(plugins.find((p) => p.metadata.name === "llmops-globex-otel")!["config"].sampling_rate).toBe(1);
        },
    );

    it("refuses what Kong would refuse", () => {
        expect(opentelemetryConfigSchema.safeParse({ sampling_rate: 0.5 }).success).toBe(false);
        expect(opentelemetryConfigSchema.safeParse({ traces_endpoint: "http://x/v1/traces", sampling_rate: 2 }).success).toBe(false);
        expect(opentelemetryConfigSchema.safeParse({ traces_endpoint: "http://x/v1/traces", endpont: "typo" }).success).toBe(false);
        expect(
            opentelemetryConfigSchema.safeParse({ traces_endpoint: "http://x/v1/traces", queue: { concurrency_limit: 2 } }).success,
        ).toBe(false);
        const plugin = {
            apiVersion: "configuration.konghq.com/v1",
            kind: "KongPlugin",
            metadata: { name: "p", namespace: "kong" },
            plugin: "opentelemetry",
            config: {},
            configFrom: { secretKeyRef: { name: "s", key: "k" } },
        };
        expect(kongPluginCrdSchema.safeParse(plugin).error?.issues[0]?.message).toBe(
            "Using both config and configFrom fields is not allowed.",
        );
        expect(
            kongConsumerCrdSchema.safeParse({
                apiVersion: "configuration.konghq.com/v1",
                kind: "KongConsumer",
                metadata: { name: "c", namespace: "kong" },
            }).error?.issues[0]?.message,
        ).toBe("Need to provide either username or custom_id");
    });

    it("writes a decK file with the same consumers and plugin configs, valid against the decK schema", async () => {
        const out = fs.mkdtempSync(path.join(os.tmpdir(), "deck-"));
        expect(runCli("synth", ["dev", "--out", out]).status).toBe(0);
        const deck = parse(fs.readFileSync(path.join(out, "dev", "kong", "deck.yaml"), "utf8"));
        expect(deckFileSchema.safeParse(deck).error?.issues ?? []).toEqual([]);
        expect(deck._format_version).toBe("3.0");
        const cap = await stackCapture("dev");
        const plugins = ofKind(cap, "KongPlugin");
        const consumers = ofKind(cap, "KongConsumer");
        expect(deck.consumers.map((c: { username: string }) => c.username)).toEqual(consumers.map((c) => c.username).sort());
        for (const c of deck.consumers) {
            const crd = consumers.find((k) => k.username === c.username)!;
            const plugin = plugins.find((p) => p.metadata.name === crd.metadata.annotations!["konghq.com/plugins"])!;
            expect(c.plugins).toHaveLength(1);
            expect(c.plugins[0].name).toBe("opentelemetry");
            expect(c.plugins[0].config).toEqual(plugin["config"]);
            expect(opentelemetryConfigSchema.safeParse(c.plugins[0].config).success).toBe(true);
        }
    });
});
