import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { PROFILE_DEFAULTS } from "../../components/environment/defaults";
import { resolveEnvironment } from "../../components/environment/resolve";
import { ENVIRONMENT_NAMES } from "../../components/environment/defaults";
import { loadInputs } from "../../components/platform/inputs";
import { ValidationError, formatProblems } from "../../components/validation/problems";
import { APP_NAMES } from "../../components/apps/registry";

const valid = {
    environment: "dev",
    baseDomain: "dev.example.com",
    ingress: { className: "nginx", controllerNamespace: "ingress-nginx", tlsIssuer: { name: "letsencrypt" } },
    dataServices: { postgres: { mode: "in-cluster" }, objectStore: { mode: "in-cluster" }, redis: { mode: "in-cluster" } },
    sso: { enabled: true, logto: { endpoint: "https://auth.example.com", m2mAppId: "m2m", m2mAppSecretKey: "logtoSecret" } },
};

const secrets = (present: string[]) => ({ has: (k: string) => present.includes(k), get: (k: string) => pulumi.secret(`value-of-${k}`) });

function resolve(raw: unknown, present: string[] = ["logtoSecret"]) {
    return resolveEnvironment(raw, {
        stack: "dev",
        project: "llmops-platform",
        source: "stacks/Pulumi.dev.yaml",
        apps: APP_NAMES,
        secrets: secrets(present),
    });
}

function report(raw: unknown, present: string[] = ["logtoSecret"]): string {
    try {
        resolve(raw, present);
    } catch (e) {
        if (e instanceof ValidationError) return formatProblems("config", e.problems);
        throw e;
    }
    throw new Error("config was accepted");
}

const merge = (patch: Record<string, unknown>) => JSON.parse(JSON.stringify({ ...valid, ...patch }));

/** Invalid stack config values and the error each must produce (key path, what is wrong, an example). */
const CASES: Array<[string, unknown, string]> = [
    ["missing platform key", undefined, "llmops-platform:platform: is missing. Fix: add a `llmops-platform:platform` mapping"],
    [
        "unknown environment",
        merge({ environment: "qa" }),
        'llmops-platform:platform.environment: must be one of "local", "dev", "staging", "prod". Fix: use a value like `dev`.',
    ],
    [
        "base domain with scheme",
        merge({ baseDomain: "https://example.com" }),
        "llmops-platform:platform.baseDomain: must be a lower-case DNS name. Fix: use a value like `llmops.example.com`.",
    ],
    [
        "typo in a key",
        merge({ basedomain: "x.com" }),
        "llmops-platform:platform.basedomain: unknown field. Fix: did you mean `baseDomain`?",
    ],
    ["missing ingress", merge({ ingress: undefined }), "llmops-platform:platform.ingress: is required but missing."],
    [
        "tls missing outside local",
        merge({ ingress: { className: "nginx", controllerNamespace: "ingress-nginx" } }),
        "llmops-platform:platform.ingress.tlsIssuer: is required in `dev`: every ingress outside `local` serves TLS.",
    ],
    [
        "unknown data service mode",
        merge({ dataServices: { ...valid.dataServices, postgres: { mode: "managed" } } }),
        "llmops-platform:platform.dataServices.postgres.mode: matches none of the allowed shapes.",
    ],
    [
        "external postgres without host",
        merge({ dataServices: { ...valid.dataServices, postgres: { mode: "external", adminPasswordKey: "pg" } } }),
        "llmops-platform:platform.dataServices.postgres.host: is required but missing. Fix: use a value like `pg.internal.example.com`.",
    ],
    [
        "node port outside local",
        merge({ dataServices: { ...valid.dataServices, postgres: { mode: "in-cluster", nodePort: 30432 } } }),
        "llmops-platform:platform.dataServices.postgres.nodePort: NodePorts are only allowed in `local` (this is `dev`).",
    ],
    [
        "node port out of range",
        merge({ environment: "local", dataServices: { ...valid.dataServices, objectStore: { mode: "in-cluster", nodePort: 80 } } }),
        "llmops-platform:platform.dataServices.objectStore.nodePort: must be at least 30000. Fix: use a value like `30432`.",
    ],
    [
        "storage without unit",
        merge({ dataServices: { ...valid.dataServices, redis: { mode: "in-cluster", storage: "20" } } }),
        "llmops-platform:platform.dataServices.redis.storage: must be a storage size such as `20Gi`.",
    ],
    [
        "secret key not set",
        merge({
            dataServices: {
                ...valid.dataServices,
                redis: { mode: "external", host: "redis.example.com", adminPasswordKey: "redisPassword" },
            },
        }),
        "llmops-platform:platform.dataServices.redis.adminPasswordKey: names the secret `llmops-platform:redisPassword`, which this stack's config does not set. Fix: run `pulumi config set --secret redisPassword <value> --stack dev`.",
    ],
    [
        "namespace prefix too long",
        merge({ namespacePrefix: "a-very-long-prefix" }),
        "llmops-platform:platform.namespacePrefix: must be at most 12 characters long.",
    ],
    [
        "host pattern without tenant",
        merge({ hostPattern: "{app}.{baseDomain}" }),
        "llmops-platform:platform.hostPattern: must contain `{tenant}`.",
    ],
    [
        "retention default above max",
        merge({ retention: { traceDays: { max: 30, default: 60 } } }),
        "llmops-platform:platform.retention.traceDays.default: (60) is outside [1, 30].",
    ],
    [
        "web replicas zero",
        merge({ webReplicas: 0 }),
        "llmops-platform:platform.webReplicas: must be at least 1. Fix: use a value like `2`.",
    ],
    [
        "SSO off outside local",
        merge({ sso: { enabled: false } }),
        "llmops-platform:platform.sso.enabled: is false, but only `local` may run without single sign-on (this is `dev`).",
    ],
    [
        "SSO without endpoint",
        merge({ sso: { enabled: true, logto: { m2mAppId: "x", m2mAppSecretKey: "logtoSecret" } } }),
        "llmops-platform:platform.sso.logto.endpoint: is required but missing. Fix: use a value like `https://auth.example.com`.",
    ],
    [
        "SSO over plain http",
        merge({ sso: { enabled: true, logto: { endpoint: "http://auth.example.com", m2mAppId: "x", m2mAppSecretKey: "logtoSecret" } } }),
        "llmops-platform:platform.sso.logto.endpoint: is plain http",
    ],
    [
        "trace forward not a URL",
        merge({ traceGateway: { forward: { endpoint: "otel:4318" } } }),
        "llmops-platform:platform.traceGateway.forward.endpoint: must be an http(s) URL.",
    ],
];

describe("stack config", () => {
    it.each(CASES)("%s", (_name, raw, expected) => {
        expect(report(raw)).toContain(expected);
    });

    it("reports every problem at once", () => {
        const text = report(merge({ environment: "qa", baseDomain: "NOPE", webReplicas: 0, extra: 1 }));
        expect(text).toMatch(/^config: 4 problems; nothing was declared\./);
        for (const path of ["environment", "baseDomain", "webReplicas", "extra"])
            expect(text).toContain(`llmops-platform:platform.${path}:`);
    });

    it("decides defaults per environment in one step", () => {
        expect(ENVIRONMENT_NAMES.length).toBeGreaterThan(0);
        for (const name of ENVIRONMENT_NAMES) {
            const e = resolveEnvironment(merge({ environment: name }), {
                stack: name,
                project: "p",
                source: "s",
                apps: APP_NAMES,
                secrets: secrets(["logtoSecret"]),
            });
            const profile = PROFILE_DEFAULTS[name];
            expect(e.protectState).toBe(profile.protectState);
            expect(e.maxTenantSize).toBe(profile.maxTenantSize);
            expect(e.webReplicas).toBe(profile.webReplicas);
            expect(e.retention).toEqual(profile.retention);
            expect(e.namespacePrefix).toBe("llm");
            expect(e.platformNamespace).toBe("llm-platform");
            expect(e.bucketPrefix).toBe(`llm-${name}`);
            expect(e.hostPattern).toBe("{app}.{tenant}.{baseDomain}");
        }
        expect(PROFILE_DEFAULTS.staging.protectState && PROFILE_DEFAULTS.prod.protectState).toBe(true);
        expect(PROFILE_DEFAULTS.local.protectState || PROFILE_DEFAULTS.dev.protectState).toBe(false);
    });

    it("keeps explicit values, including falsy ones", () => {
        const e = resolve(merge({ environment: "prod", protectState: false, webReplicas: 3, namespacePrefix: "ai" }));
        expect(e.protectState).toBe(false);
        expect(e.webReplicas).toBe(3);
        expect(e.platformNamespace).toBe("ai-platform");
    });

    it("resolves external services with their secrets and in-cluster ones with their admin endpoints", () => {
        const e = resolve(
            merge({
                environment: "local",
                dataServices: {
                    postgres: { mode: "external", host: "pg.example.com", adminPasswordKey: "pgPassword" },
                    objectStore: { mode: "in-cluster", nodePort: 30900 },
                    redis: { mode: "in-cluster" },
                },
            }),
            ["pgPassword", "logtoSecret"],
        );
        expect(e.postgres).toMatchObject({
            mode: "external",
            host: "pg.example.com",
            port: 5432,
            adminUser: "postgres",
            sslMode: "require",
        });
        expect(e.objectStore).toMatchObject({ mode: "in-cluster", adminEndpoint: "localhost:30900" });
        const d = resolve(valid);
        expect(d.postgres).toMatchObject({ mode: "in-cluster", adminHost: "postgres.llm-platform.svc.cluster.local", adminPort: 5432 });
    });
});

describe("a stack whose config lives outside stacks/", () => {
    const tenantsDir = (stacks: string) => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenants-elsewhere-"));
        fs.writeFileSync(
            path.join(dir, "acme.yaml"),
            `id: acme\ndisplayName: Acme\nowners: [{ name: Jane, email: jane@acme.example }]\nstacks: ${stacks}\nsso:\n  emailDomains: [acme.example]\n`,
        );
        return dir;
    };
    const environment = () =>
        resolveEnvironment(valid, {
            stack: "scratch",
            project: "llmops-platform",
            source: "elsewhere",
            apps: APP_NAMES,
            secrets: secrets(["logtoSecret"]),
        });
    const root = path.resolve(__dirname, "../..");

    it("is a stack its tenant files may list (a throwaway stack such as the e2e's)", () => {
        const { tenants } = loadInputs({ projectRoot: root, tenantsDir: tenantsDir("[scratch]"), environment });
        expect(tenants.map((t) => t.id)).toEqual(["acme"]);
    });

    it("does not make other unknown stacks known", () => {
        expect(() => loadInputs({ projectRoot: root, tenantsDir: tenantsDir("[scratch, nowhere]"), environment })).toThrow(
            /names the stack `nowhere`/,
        );
    });
});
