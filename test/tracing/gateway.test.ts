import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
    basicAuthorization,
    collectorConfig,
    collectorConfigProblems,
    TENANT_ATTRIBUTE,
    tenantAuthEnv,
} from "../../components/tracing/collector-config";
import { LABELS } from "../../components/naming/labels";
import { APP_IMAGES } from "../../components/versions/images";
import { stackCapture, STACKS } from "../support/capture";
import { stackInputs } from "../support/inputs";
import { containersOf, find, ofKind, tenantNamespaces } from "../support/resources";
import { resolveServiceUrl } from "../support/service-url";
import { platformConfigOf } from "../support/stacks";

describe.each(STACKS)("the trace gateway in %s", (stack) => {
    it("is internally consistent, routes every Langfuse tenant to its own Langfuse web, and carries each tenant's own key pair", async () => {
        const cap = await stackCapture(stack);
        const config = parse(find(cap, "ConfigMap", "llm-platform", "trace-gateway").data!["config.yaml"]!) as Record<string, any>;
        const auth = find(cap, "Secret", "llm-platform", "trace-gateway-auth").stringData as Record<string, string>;
        // Who is routed comes from the tenant files; where to is resolved against the declared Services.
        const tenants = stackInputs(stack)
            .tenants.filter((t) => t.apps.langfuse)
            .map((t) => t.id);
        expect(tenants.length).toBeGreaterThan(0);
        const namespaceOf = (t: string) => ofKind(cap, "Namespace").find((n) => n.metadata.labels?.[LABELS.tenant] === t)?.metadata.name;
        expect(collectorConfigProblems(config, { provided: new Set(Object.keys(auth)), tenants })).toEqual([]);
        const outputs = cap.outputs["tenants"] as Record<string, { langfuse: { publicKey: string; secretKey: { "@secret": string } } }>;
        for (const t of tenants) {
            const route = config["connectors"]["routing"]["table"].find(
                (r: any) => r.condition === `attributes["${TENANT_ATTRIBUTE}"] == "${t}"`,
            );
            expect(route, `${t} not routed`).toBeDefined();
            const exporter = config["exporters"][config["service"]["pipelines"][route.pipelines[0]].exporters[0]];
            // Langfuse's OTLP endpoint (upstream: /api/public/otel, traces under /v1/traces).
            expect(new URL(exporter.traces_endpoint).pathname, t).toBe("/api/public/otel/v1/traces");
            const target = resolveServiceUrl(cap, "llm-platform", exporter.traces_endpoint);
            expect(target.service.metadata.namespace, `${t}'s route leaves its namespace`).toBe(namespaceOf(t));
            expect(target.containers.length, `${exporter.traces_endpoint} reaches no container`).toBeGreaterThan(0);
            for (const c of target.containers)
                expect(c.image.startsWith(`${APP_IMAGES.langfuseWeb.repository}:`), `${t}'s route reaches ${c.workload}/${c.name}`).toBe(
                    true,
                );
            expect(exporter.headers.Authorization).toBe(`\${env:${tenantAuthEnv(t)}}`);
            expect(exporter.sending_queue.storage).toBe("file_storage/queue");
            // The header, decoded, is exactly the tenant's Langfuse key pair.
            const header = auth[tenantAuthEnv(t)]!;
            const [pk, sk] = Buffer.from(header.replace(/^Basic /, ""), "base64")
                .toString()
                .split(":");
            expect([pk, sk]).toEqual([outputs[t]!.langfuse.publicKey, outputs[t]!.langfuse.secretKey["@secret"]]);
        }
        expect(config["connectors"]["routing"]["default_pipelines"]).toEqual(["traces/unrouted"]);
        expect(config["service"]["pipelines"]["traces/unrouted"].exporters).toEqual(["count/unrouted"]);
        const set = find(cap, "StatefulSet", "llm-platform", "trace-gateway");
        expect(set.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe(
            platformConfigOf(stack).traceGateway?.queueStorage ?? "5Gi",
        ); // the schema's default
        expect(containersOf(set)["collector"].volumeMounts).toEqual(
            expect.arrayContaining([{ name: "data", mountPath: "/var/lib/otelcol/queue" }]),
        );
    });

    it("admits Kong to the gateway, and the gateway to each tenant's Langfuse web only", async () => {
        const cap = await stackCapture(stack);
        const kongIn = find(cap, "NetworkPolicy", "llm-platform", "allow-kong-to-trace-gateway");
        expect(kongIn.spec.ingress[0].from[0].namespaceSelector.matchLabels).toEqual({ "kubernetes.io/metadata.name": "kong" });
        for (const ns of tenantNamespaces(cap)) {
            const p = find(cap, "NetworkPolicy", ns, "allow-trace-gateway");
            expect(p.spec.podSelector.matchLabels).toMatchObject({
                "app.kubernetes.io/name": "langfuse",
                "app.kubernetes.io/component": "web",
            });
            expect(p.spec.ingress[0].from[0]).toEqual({
                namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "llm-platform" } },
                podSelector: { matchLabels: { "app.kubernetes.io/name": "trace-gateway" } },
            });
        }
    });
});

describe("forwarding to the gateway team's backend", () => {
    it("copies every span there in prod, with the header from its own secret", async () => {
        const cap = await stackCapture("prod");
        const config = parse(find(cap, "ConfigMap", "llm-platform", "trace-gateway").data!["config.yaml"]!) as Record<string, any>;
        expect(config["service"]["pipelines"]["traces/in"].exporters).toEqual(["routing", "otlp_http/forward"]);
        expect(config["exporters"]["otlp_http/forward"]).toMatchObject({
            traces_endpoint: "https://otel.observability.example.com/v1/traces",
            headers: { Authorization: "${env:LLMOPS_FORWARD_AUTHORIZATION}" },
        });
        expect(find(cap, "Secret", "llm-platform", "trace-gateway-auth").stringData!["LLMOPS_FORWARD_AUTHORIZATION"]).toMatch(
            /^synth-placeholder-/,
        );
        expect(ofKind(await stackCapture("dev"), "NetworkPolicy").some((p) => p.metadata.name === "allow-trace-gateway-forward")).toBe(
            false,
        );
    });
});

describe("collector config consistency check", () => {
    const routes = [
        { tenantId: "acme", tracesEndpoint: "http://a/v1/traces" },
        { tenantId: "globex", tracesEndpoint: "http://g/v1/traces" },
    ];
    const env = { provided: new Set([tenantAuthEnv("acme"), tenantAuthEnv("globex")]), tenants: ["acme", "globex"] };
    const good = () => collectorConfig({ routes }) as Record<string, any>;

    it("accepts the generated config", () => expect(collectorConfigProblems(good(), env)).toEqual([]));

    it("finds an undefined exporter", () => {
        const c = good();
        delete c["exporters"]["otlp_http/tenant-globex"];
        expect(collectorConfigProblems(c, env)).toContain(
            "pipeline traces/tenant-globex uses exporter otlp_http/tenant-globex, which is not defined",
        );
    });

    it("finds one tenant's key under another tenant's route", () => {
        const c = good();
        c["exporters"]["otlp_http/tenant-acme"].headers.Authorization = `\${env:${tenantAuthEnv("globex")}}`;
        const problems = collectorConfigProblems(c, env);
        expect(problems).toContain("tenant acme is routed to exporter otlp_http/tenant-acme, which does not carry its own credentials");
        expect(problems).toContain("exporter otlp_http/tenant-acme on tenant acme's route carries the credentials of globex");
    });

    it("finds a tenant without a route, a missing env var and an unused connector", () => {
        const c = good();
        c["connectors"]["routing"]["table"] = c["connectors"]["routing"]["table"].slice(0, 1);
        delete c["service"]["pipelines"]["metrics/unrouted"];
        const problems = collectorConfigProblems(c, { provided: new Set([tenantAuthEnv("acme")]), tenants: ["acme", "globex"] });
        expect(problems).toEqual(
            expect.arrayContaining([
                "tenant globex has no route",
                `the config reads \${env:${tenantAuthEnv("globex")}}, which the gateway's Secret does not set`,
                "connector count/unrouted feeds no pipeline",
            ]),
        );
    });

    it("builds the Basic header Langfuse expects", () => {
        expect(basicAuthorization("pk-lf-1", "sk-lf-2")).toBe(`Basic ${Buffer.from("pk-lf-1:sk-lf-2").toString("base64")}`);
    });
});
