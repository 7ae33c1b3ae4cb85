import { describe, expect, it } from "vitest";
import {
    AGENTA_API_PORT,
    AGENTA_EDGE_PORT,
    AGENTA_HTTP_LIMITS,
    AGENTA_SERVICES_PORT,
    AGENTA_WEB_PORT,
    edgeConfig,
} from "../../../components/apps/agenta/config";

/** `location <prefix> { proxy_pass <target>; }` lines of the config, by prefix. */
const locations = (conf: string) =>
    Object.fromEntries([...conf.matchAll(/location (\S+) \{ proxy_pass (\S+); \}/g)].map((m) => [m[1], m[2]]));

describe("the Agenta edge config", () => {
    it("sends /api/ to the api with its prefix, /services/ to services without it, and the rest to web, all in the tenant's namespace", () => {
        const conf = edgeConfig("llm-acme");
        expect(locations(conf)).toEqual({
            "/services/": `http://agenta-services.llm-acme.svc.cluster.local:${AGENTA_SERVICES_PORT}/`,
            "/api/": `http://api.llm-acme.svc.cluster.local:${AGENTA_API_PORT}`,
            "/": `http://agenta-web.llm-acme.svc.cluster.local:${AGENTA_WEB_PORT}`,
        });
        expect(locations(edgeConfig("llm-globex"))["/"]).toContain(".llm-globex.svc.");
    });

    it("listens on the edge port, takes the app's body and time limits, and writes only under /tmp", () => {
        const conf = edgeConfig("llm-acme");
        expect(conf).toContain(`listen ${AGENTA_EDGE_PORT};`);
        expect(conf).toContain(`client_max_body_size ${AGENTA_HTTP_LIMITS.maxBodyMiB}m;`);
        expect(conf).toContain(`proxy_read_timeout ${AGENTA_HTTP_LIMITS.timeoutSeconds}s;`);
        expect(conf).toContain("absolute_redirect off;");
        const paths = [...conf.matchAll(/(?:_path|^pid) (\/\S+);/gm)].map((m) => m[1]!);
        expect(paths.length).toBeGreaterThan(4);
        for (const p of paths) expect(p, p).toMatch(/^\/tmp\//);
    });
});
