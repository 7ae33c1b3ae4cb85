import { describe, expect, it } from "vitest";
import { GATE_PORT, gateArgs } from "../../components/sso/gate";

const BASE = {
    issuer: "https://auth.example.com/oidc",
    upstream: "http://mlflow.llm-acme.svc.cluster.local:5000/",
    redirectUrl: "https://mlflow.acme.example.com/oauth2/callback",
    organizationId: "org-1",
    app: "agenta-edge",
    secureCookie: true,
    skipAuthRoutes: [] as string[],
    htpasswd: false,
    upstreamTimeoutSeconds: 300,
};
const flags = (args: string[]) => new Map(args.map((a) => [a.split("=")[0]!, a.slice(a.indexOf("=") + 1)]));

describe("gateArgs", () => {
    it("admits members of the tenant's organization only, through the issuer and to the upstream given", () => {
        const f = flags(gateArgs(BASE));
        expect(f.get("--provider")).toBe("oidc");
        expect(f.get("--oidc-issuer-url")).toBe(BASE.issuer);
        expect(f.get("--upstream")).toBe(BASE.upstream);
        expect(f.get("--redirect-url")).toBe(BASE.redirectUrl);
        expect(f.get("--allowed-group")).toBe("org-1");
        expect(f.get("--oidc-groups-claim")).toBe("organizations");
        expect(f.get("--http-address")).toBe(`0.0.0.0:${GATE_PORT}`);
        expect(f.get("--upstream-timeout")).toBe("300s");
        expect(f.get("--code-challenge-method")).toBe("S256");
        // A cookie name per app, in characters a cookie name may hold.
        expect(f.get("--cookie-name")).toBe("_llmops_agenta_edge");
        expect(f.get("--cookie-secure")).toBe("true");
        expect(f.has("--htpasswd-file")).toBe(false);
        expect(f.has("--skip-auth-route")).toBe(false);
    });

    it("passes each skipped route on its own, and lets htpasswd users in as members of the organization", () => {
        const args = gateArgs({ ...BASE, skipAuthRoutes: ["^/api/2\\.0/", "GET=^/health$"], htpasswd: true, secureCookie: false });
        expect(args.filter((a) => a.startsWith("--skip-auth-route="))).toEqual([
            "--skip-auth-route=^/api/2\\.0/",
            "--skip-auth-route=GET=^/health$",
        ]);
        expect(args).toEqual(
            expect.arrayContaining(["--htpasswd-file=/etc/oauth2-proxy/htpasswd", "--htpasswd-user-group=org-1", "--cookie-secure=false"]),
        );
    });

    it("carries no secret on the command line", () => {
        expect(gateArgs(BASE).some((a) => /client-secret|cookie-secret=/.test(a))).toBe(false);
    });
});
