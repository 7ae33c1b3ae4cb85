import { describe, expect, it } from "vitest";
import { STACKS, stackCapture } from "../support/capture";
import { ofKind, tenantNamespaces } from "../support/resources";
import { INGRESS_NGINX_DEFAULTS, nginxSizeBytes } from "../support/ingress-nginx";

/**
 * ingress-nginx cuts request bodies at 1 MiB and waits 60 s for an answer unless an Ingress says
 * otherwise (annotations.md); every app takes more than that. Upstream facts at the pinned
 * versions: Langfuse 4.16 parses API bodies up to 4.5 MB (`bodyParser.sizeLimit` of its ingestion,
 * tRPC and dataset-item routes) and streams OTLP bodies of any size; MLflow proxies artifact
 * uploads through the server; Agenta takes test-set uploads.
 */
const LANGFUSE_API_BODY_BYTES = 4.5 * 1000 * 1000;

describe.each(STACKS)("tenant Ingresses of %s", (stack) => {
    it("each raise ingress-nginx's body and time limits, Langfuse's above its API's own body limit", async () => {
        const cap = await stackCapture(stack);
        const namespaces = new Set(tenantNamespaces(cap));
        const ingresses = ofKind(cap, "Ingress").filter((i) => namespaces.has(i.metadata.namespace!));
        expect(ingresses.length).toBeGreaterThan(0);
        let langfuse = 0;
        for (const ing of ingresses) {
            const a = ing.metadata.annotations ?? {};
            const where = `${ing.metadata.namespace}/${ing.metadata.name}`;
            const body = a["nginx.ingress.kubernetes.io/proxy-body-size"];
            expect(body, `${where}: proxy-body-size`).toBeDefined();
            expect(nginxSizeBytes(body!), `${where}: body limit`).toBeGreaterThan(INGRESS_NGINX_DEFAULTS.bodyBytes);
            for (const k of ["proxy-read-timeout", "proxy-send-timeout"]) {
                expect(Number(a[`nginx.ingress.kubernetes.io/${k}`]), `${where}: ${k}`).toBeGreaterThan(
                    INGRESS_NGINX_DEFAULTS.readTimeoutSeconds,
                );
            }
            if (ing.metadata.name === "langfuse") {
                langfuse++;
                expect(nginxSizeBytes(body!), `${where}: above Langfuse's API body limit`).toBeGreaterThan(LANGFUSE_API_BODY_BYTES);
            }
        }
        expect(langfuse).toBeGreaterThan(0);
    });
});
