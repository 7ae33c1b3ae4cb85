import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { resolveEnvironment } from "../../components/environment/resolve";
import { ValidationError, formatProblems } from "../../components/validation/problems";
import { APP_NAMES } from "../../components/apps/registry";

const base = {
    environment: "dev",
    baseDomain: "dev.example.com",
    ingress: { className: "nginx", controllerNamespace: "ingress-nginx", tlsIssuer: { name: "letsencrypt" } },
    dataServices: { postgres: { mode: "in-cluster" }, objectStore: { mode: "in-cluster" }, redis: { mode: "in-cluster" } },
    sso: { enabled: true, logto: { endpoint: "https://auth.example.com", m2mAppId: "m2m", m2mAppSecretKey: "logtoSecret" } },
};
const external = { mode: "external", endpoint: "s3.storage.example.com", adminUser: "admin", adminPasswordKey: "storePassword" };

const with_ = (patch: Record<string, unknown>, dataServices: Record<string, unknown> = {}) =>
    JSON.parse(JSON.stringify({ ...base, ...patch, dataServices: { ...base.dataServices, ...dataServices } }));

function resolve(raw: unknown) {
    const present = ["logtoSecret", "storePassword"];
    return resolveEnvironment(raw, {
        stack: "dev",
        project: "llmops-platform",
        source: "stacks/Pulumi.dev.yaml",
        apps: APP_NAMES,
        secrets: { has: (k: string) => present.includes(k), get: (k: string) => pulumi.secret(`value-of-${k}`) },
    });
}

function report(raw: unknown): string {
    try {
        resolve(raw);
    } catch (e) {
        if (e instanceof ValidationError) return formatProblems("config", e.problems);
        throw e;
    }
    throw new Error("config was accepted");
}

const KEY = "stacks/Pulumi.dev.yaml: llmops-platform:platform";

describe("dataServices.objectStore.publicEndpoint", () => {
    it("defaults to s3.<baseDomain> for in-cluster MinIO, over https where ingresses serve TLS", () => {
        expect(resolve(with_({})).objectStore.publicEndpoint).toBe("https://s3.dev.example.com");
        const local = with_({
            environment: "local",
            baseDomain: "localtest.me",
            ingress: { className: "nginx", controllerNamespace: "ingress-nginx" },
            sso: { enabled: false },
        });
        expect(resolve(local).objectStore.publicEndpoint).toBe("http://s3.localtest.me");
    });

    it("defaults to the external endpoint, with the scheme `ssl` implies", () => {
        expect(resolve(with_({}, { objectStore: external })).objectStore.publicEndpoint).toBe("https://s3.storage.example.com");
        expect(
            resolve(with_({}, { objectStore: { ...external, publicEndpoint: "https://files.example.com/" } })).objectStore.publicEndpoint,
        ).toBe("https://files.example.com");
    });

    it.each([
        [
            "an in-cluster address given",
            { objectStore: { mode: "in-cluster", publicEndpoint: "http://minio.llm-platform.svc.cluster.local:9000" } },
            `${KEY}.dataServices.objectStore.publicEndpoint: (http://minio.llm-platform.svc.cluster.local:9000) is an in-cluster address`,
        ],
        [
            "an in-cluster external endpoint left as default",
            { objectStore: { ...external, endpoint: "minio.storage.svc.cluster.local:9000" } },
            `${KEY}.dataServices.objectStore.publicEndpoint: defaults to https://minio.storage.svc.cluster.local:9000 (the external endpoint), which is an in-cluster address`,
        ],
        [
            "plain http outside local",
            { objectStore: { mode: "in-cluster", publicEndpoint: "http://s3.example.com" } },
            `${KEY}.dataServices.objectStore.publicEndpoint: (http://s3.example.com) is plain http`,
        ],
        [
            "a path",
            { objectStore: { mode: "in-cluster", publicEndpoint: "https://example.com/s3" } },
            `${KEY}.dataServices.objectStore.publicEndpoint: must be an origin (scheme, host and optional port) without a path`,
        ],
        [
            "not a URL",
            { objectStore: { mode: "in-cluster", publicEndpoint: "s3.example.com" } },
            `${KEY}.dataServices.objectStore.publicEndpoint: must be an http(s) URL`,
        ],
    ])("rejects %s, naming file, field and fix", (_name, dataServices, expected) => {
        const text = report(with_({}, dataServices));
        expect(text).toContain(expected);
        expect(text).toContain("Fix:");
    });
});

describe("network", () => {
    it("names no extra DNS resolvers and the private and shared pod ranges by default", () => {
        const profile = resolve(with_({}));
        expect(profile.network.dnsResolvers).toEqual([]);
        expect(profile.network.podCidrs).toEqual(
            expect.arrayContaining(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"]),
        );
    });

    it("takes resolvers and pod ranges from the stack config", () => {
        const profile = resolve(with_({ network: { dnsResolvers: ["169.254.20.10/32", "fd00:10::a/128"], podCidrs: ["100.64.0.0/10"] } }));
        expect(profile.network.dnsResolvers).toEqual(["169.254.20.10/32", "fd00:10::a/128"]);
        expect(profile.network.podCidrs).toEqual(["100.64.0.0/10"]);
    });

    it.each([
        [
            "a resolver without prefix",
            { dnsResolvers: ["169.254.20.10"] },
            `${KEY}.network.dnsResolvers[0]: must be an address block in CIDR notation`,
        ],
        [
            "a resolver that is a name",
            { dnsResolvers: ["node-local-dns"] },
            `${KEY}.network.dnsResolvers[0]: must be an address block in CIDR notation`,
        ],
        [
            "a pod range too narrow",
            { podCidrs: ["10.0.0.0/28"] },
            `${KEY}.network.podCidrs[0]: must be an IPv4 address block with a prefix of 1 to 24 bits`,
        ],
        [
            "a pod range with a bad octet",
            { podCidrs: ["300.64.0.0/10"] },
            `${KEY}.network.podCidrs[0]: (300.64.0.0/10) has an octet above 255.`,
        ],
        [
            "a misspelt key",
            { dnsResolver: ["169.254.20.10/32"] },
            `${KEY}.network.dnsResolver: unknown field. Fix: did you mean \`dnsResolvers\`?`,
        ],
    ])("rejects %s", (_name, network, expected) => {
        expect(report(with_({ network }))).toContain(expected);
    });
});
