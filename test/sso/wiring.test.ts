import { describe, expect, it } from "vitest";
import type { Capture, CapturedResource } from "../../cli/mock-runtime";
import { reveal } from "../../cli/mock-runtime";
import { tenantOf } from "../../cli/render";
import { stackCapture } from "../support/capture";
import { containerEnv, containersOf, find, ofKind, tenantNamespaces } from "../support/resources";
import { platformConfigOf, STACKS } from "../support/stacks";

const logto = (cap: Capture, kind: string) =>
    cap.resources.filter((r) => r.type === "pulumi-nodejs:dynamic:Resource" && r.inputs["kind"] === kind);
const inputs = (r: CapturedResource) => reveal(r.inputs) as Record<string, any>;

describe("SSO wiring", () => {
    const withSso = STACKS.filter((s) => platformConfigOf(s).sso.enabled);
    it("has stacks with SSO to test", () => expect(withSso.length).toBeGreaterThan(0));

    it.each(withSso)("gives every tenant a Logto organization with its domains and admins (%s)", async (stack) => {
        const cap = await stackCapture(stack);
        const orgs = logto(cap, "logto:organization");
        const owner = tenantOf(cap.resources);
        expect(orgs.length).toBe(tenantNamespaces(cap).length);
        for (const o of orgs) {
            const i = inputs(o);
            const tenant = owner.get(o.urn)!;
            expect(i["key"]).toBe(`${stack}/${tenant}`);
            expect(i["jitEmailDomains"].length).toBeGreaterThan(0);
            expect(i["connection"]).toMatchObject({
                endpoint: expect.stringMatching(/^https:\/\/auth\./),
                resource: "https://default.logto.app/api",
            });
            // The M2M secret travels as a secret, and the provider code is not in the inputs twice.
            expect(JSON.stringify(o.inputs["connection"])).toContain("@secret");
        }
        expect(inputs(orgs.find((o) => owner.get(o.urn) === "acme")!)).toMatchObject({
            jitEmailDomains: ["acme.example"],
            adminEmails: ["jane.doe@acme.example"],
        });
    });

    it("gives every enabled app an OIDC client with its callback, gated to the tenant's organization", async () => {
        const cap = await stackCapture("dev");
        const apps = logto(cap, "logto:application").map(inputs);
        const byKey = new Map(apps.map((a) => [a["key"], a]));
        expect([...byKey.keys()].sort()).toEqual([
            "dev/acme/agenta",
            "dev/acme/langfuse",
            "dev/acme/mlflow",
            "dev/globex/langfuse",
            "dev/globex/mlflow",
            "dev/initech/agenta",
            "dev/initech/langfuse",
        ]);
        expect(byKey.get("dev/acme/langfuse")!["redirectUris"]).toEqual([
            "https://langfuse.acme.dev.llmops.example.com/api/auth/callback/custom",
        ]);
        expect(byKey.get("dev/acme/mlflow")!["redirectUris"]).toEqual(["https://mlflow.acme.dev.llmops.example.com/oauth2/callback"]);
        expect(byKey.get("dev/acme/agenta")!["postLogoutRedirectUris"]).toEqual(["https://agenta.acme.dev.llmops.example.com"]);
        const orgIdOf = new Map(
            logto(cap, "logto:organization").map((o) => [
                inputs(o)["key"],
                (cap.outputs["tenants"] as any)[inputs(o)["key"].split("/")[1]].sso.organizationId,
            ]),
        );
        for (const a of apps) expect(a["organizationIds"], a["key"]).toEqual([orgIdOf.get(a["key"].split("/").slice(0, 2).join("/"))]);
    });

    it("signs Langfuse users in through Logto only, with SSO enforced for the tenant's domains", async () => {
        const cap = await stackCapture("dev");
        const web = containerEnv(cap, "llm-acme", containersOf(find(cap, "Deployment", "llm-acme", "langfuse-web"))["web"]);
        const app = logto(cap, "logto:application")
            .map(inputs)
            .find((a) => a["key"] === "dev/acme/langfuse")!;
        const client = cap.resources.find((r) => r.type === "pulumi-nodejs:dynamic:Resource" && inputs(r)["key"] === "dev/acme/langfuse")!;
        expect(web["AUTH_CUSTOM_ISSUER"]).toBe("https://auth.dev.llmops.example.com/oidc");
        expect(web["AUTH_CUSTOM_CLIENT_ID"]).toMatch(/^[a-z0-9]{21}$/);
        expect(web["AUTH_CUSTOM_CLIENT_SECRET"]!.length).toBeGreaterThanOrEqual(32);
        expect(web["AUTH_CUSTOM_NAME"]).toBe("Acme Corp SSO");
        expect(web["AUTH_DISABLE_USERNAME_PASSWORD"]).toBe("true");
        expect(web["AUTH_DOMAINS_WITH_SSO_ENFORCEMENT"]).toBe("acme.example");
        expect(web["LANGFUSE_INIT_USER_EMAIL"]).toBeUndefined();
        expect(app["name"]).toBe("Acme Corp langfuse (dev)");
        expect(client.options.dependencies.length).toBeGreaterThan(0);
    });

    it("puts MLflow and Agenta behind a gate that admits only the tenant's organization, and exposes only the gate", async () => {
        const cap = await stackCapture("dev");
        const orgId = (cap.outputs["tenants"] as any).acme.sso.organizationId as string;
        for (const [app, upstream] of [
            ["mlflow", "http://mlflow.llm-acme.svc.cluster.local:5000/"],
            ["agenta", "http://agenta-edge.llm-acme.svc.cluster.local:8080/"],
        ] as const) {
            const gate = find(cap, "Deployment", "llm-acme", `${app}-sso-gate`);
            const c = containersOf(gate)["oauth2-proxy"];
            expect(c.args).toEqual(
                expect.arrayContaining([
                    `--upstream=${upstream}`,
                    `--allowed-group=${orgId}`,
                    "--oidc-groups-claim=organizations",
                    "--oidc-issuer-url=https://auth.dev.llmops.example.com/oidc",
                    "--cookie-secure=true",
                ]),
            );
            expect(c.args.find((a: string) => a.startsWith("--scope="))).toContain("urn:logto:scope:organizations");
            const env = containerEnv(cap, "llm-acme", c);
            expect(env["OAUTH2_PROXY_COOKIE_SECRET"]).toHaveLength(32);
            expect(gate.spec.template.metadata.labels["llmops.io/exposed"]).toBe("http");
            expect(find(cap, "Ingress", "llm-acme", app).spec.rules[0].http.paths[0].backend.service.name).toBe(`${app}-sso-gate`);
        }
        // Behind a gate, the apps themselves take no traffic from outside the namespace.
        for (const name of ["mlflow", "agenta-edge"])
            expect(find(cap, "Deployment", "llm-acme", name).spec.template.metadata.labels["llmops.io/exposed"]).toBeUndefined();
        expect(find(cap, "Deployment", "llm-acme", "langfuse-web").spec.template.metadata.labels["llmops.io/exposed"]).toBe("http");
    });

    it("keeps SDK paths working: Agenta API keys skip the gate except sign-in, MLflow SDK users present Basic credentials", async () => {
        const cap = await stackCapture("dev");
        const orgId = (cap.outputs["tenants"] as any).acme.sso.organizationId as string;
        const agenta = containersOf(find(cap, "Deployment", "llm-acme", "agenta-sso-gate"))["oauth2-proxy"].args as string[];
        const skip = agenta.filter((a) => a.startsWith("--skip-auth-route=")).map((a) => new RegExp(a.slice("--skip-auth-route=".length)));
        expect(skip).toHaveLength(1);
        expect(skip[0]!.test("/api/preview/traces/")).toBe(true);
        expect(skip[0]!.test("/api/auth/signinup")).toBe(false);
        const mlflowGate = find(cap, "Deployment", "llm-acme", "mlflow-sso-gate");
        const mlflow = containersOf(mlflowGate)["oauth2-proxy"].args as string[];
        expect(mlflow.filter((a) => a.startsWith("--skip-auth-route="))).toEqual([]);
        expect(mlflow).toEqual(expect.arrayContaining(["--htpasswd-file=/etc/oauth2-proxy/htpasswd", `--htpasswd-user-group=${orgId}`]));
        const htpasswd = find(cap, "Secret", "llm-acme", "mlflow-sso-gate").stringData!["htpasswd"]!;
        expect(htpasswd).toMatch(/^acme-sdk:\$2a\$10\$[A-Za-z0-9]{53}\n$/);
        const sdk = (cap.outputs["tenants"] as any).acme.mlflow.sdk;
        expect(sdk.username).toBe("acme-sdk");
        expect(sdk.password["@secret"]).toHaveLength(32);
        expect(mlflowGate.spec.template.spec.volumes).toEqual(
            expect.arrayContaining([
                { name: "htpasswd", secret: { secretName: "mlflow-sso-gate", items: [{ key: "htpasswd", path: "htpasswd" }] } },
            ]),
        );
    });

    it("has no IdP wiring in local, where SSO is switched off explicitly", async () => {
        const cap = await stackCapture("local");
        expect(logto(cap, "logto:organization")).toEqual([]);
        expect(ofKind(cap, "Deployment").filter((d) => d.metadata.name!.endsWith("-sso-gate"))).toEqual([]);
        const web = containerEnv(cap, "llm-acme", containersOf(find(cap, "Deployment", "llm-acme", "langfuse-web"))["web"]);
        expect(web["AUTH_DISABLE_USERNAME_PASSWORD"]).toBe("false");
        expect(web["AUTH_CUSTOM_CLIENT_ID"]).toBeUndefined();
    });
});
