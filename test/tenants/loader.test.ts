import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import type { Environment } from "../../components/environment/environment";
import { resolveEnvironment } from "../../components/environment/resolve";
import { ValidationError } from "../../components/validation/problems";
import { readTenantFiles, tenantsForStack } from "../../components/tenancy/load";
import { STACKS } from "../support/stacks";
import { APP_NAMES } from "../../components/apps/registry";

const TENANTS = path.join(__dirname, "..", "..", "tenants");

function profileFor(stack: string, environment = stack, extra: Record<string, unknown> = {}): Environment {
    return resolveEnvironment(
        {
            environment,
            baseDomain: "example.com",
            ingress: { className: "nginx", controllerNamespace: "ingress-nginx", tlsIssuer: { name: "le" } },
            dataServices: { postgres: { mode: "in-cluster" }, objectStore: { mode: "in-cluster" }, redis: { mode: "in-cluster" } },
            sso: { enabled: true, logto: { endpoint: "https://auth.example.com", m2mAppId: "m2m", m2mAppSecretKey: "logtoSecret" } },
            ...extra,
        },
        {
            stack,
            project: "llmops-platform",
            source: `stacks/Pulumi.${stack}.yaml`,
            apps: APP_NAMES,
            secrets: { has: () => true, get: () => pulumi.output("x") },
        },
    );
}

function dirWith(files: Record<string, string>): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenants-"));
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
    return dir;
}

function tenantYaml(id: string, extra = "", domain = `${id}.example`): string {
    return `id: ${id}\ndisplayName: ${id}\nowners:\n  - name: O\n    email: o@${domain}\nstacks: [dev]\nsso:\n  emailDomains: [${domain}]\n${extra}`;
}

function problemsOf(fn: () => unknown): string[] {
    try {
        fn();
    } catch (e) {
        if (e instanceof ValidationError) return e.problems.map((p) => `${p.source}: ${p.path}: ${p.message}`);
        throw e;
    }
    throw new Error("expected a ValidationError");
}

describe("tenant loader", () => {
    it("loads the example tenants, sorted by id, with defaults decided per stack", () => {
        const sources = readTenantFiles(TENANTS, { knownStacks: STACKS });
        expect(sources.map((s) => s.file.id)).toEqual(["acme", "globex", "initech"]);
        const dev = tenantsForStack(sources, profileFor("dev"));
        expect(dev.map((t) => t.id)).toEqual(["acme", "globex", "initech"]);
        const acme = dev.find((t) => t.id === "acme")!;
        expect(acme.requestedSize).toBe("standard");
        expect(acme.size).toBe("small"); // dev caps tenants at small
        expect(acme.apps).toEqual({ langfuse: true, mlflow: true, agenta: true });
        const prod = tenantsForStack(sources, profileFor("prod"));
        expect(prod.map((t) => t.id)).toEqual(["acme", "globex"]);
        expect(prod.find((t) => t.id === "acme")!.size).toBe("standard");
        const globex = prod.find((t) => t.id === "globex")!;
        expect(globex.apps.agenta).toBe(false);
        expect(globex.redis).toBe("dedicated");
        expect(globex.retention.artifactDays).toBe(30); // prod's default
        expect(globex.kong?.samplingRate).toBe(1);
    });

    it("reports problems of several files at once, each naming its file", () => {
        const dir = dirWith({
            "one.yaml": tenantYaml("one", "size: huge\n"),
            "two.yaml": tenantYaml("two", "colour: red\n"),
            "three.yaml": tenantYaml("three"),
        });
        const problems = problemsOf(() => readTenantFiles(dir, { knownStacks: STACKS, displayDir: "tenants" }));
        expect(problems).toHaveLength(2);
        expect(problems[0]).toContain("tenants/one.yaml: size: must be one of");
        expect(problems[1]).toContain("tenants/two.yaml: colour: unknown field.");
    });

    it("refuses an SSO email domain claimed by two tenants", () => {
        const dir = dirWith({ "aa.yaml": tenantYaml("aa", "", "shared.example"), "bb.yaml": tenantYaml("bb", "", "shared.example") });
        expect(problemsOf(() => readTenantFiles(dir, { knownStacks: STACKS, displayDir: "tenants" }))).toEqual([
            "tenants/bb.yaml: sso.emailDomains[0]: SSO email domain `shared.example` is already claimed by tenants/aa.yaml.",
        ]);
    });

    it("refuses a Kong consumer claimed by two tenants", () => {
        const kong = "kong:\n  consumers: [shared-consumer]\n";
        const dir = dirWith({ "aa.yaml": tenantYaml("aa", kong), "bb.yaml": tenantYaml("bb", kong) });
        expect(problemsOf(() => readTenantFiles(dir, { knownStacks: STACKS, displayDir: "tenants" }))).toEqual([
            "tenants/bb.yaml: kong.consumers[0]: Kong consumer `shared-consumer` is already claimed by tenants/aa.yaml.",
        ]);
    });

    it("refuses a stack that has no stack file", () => {
        const dir = dirWith({ "aa.yaml": tenantYaml("aa").replace("stacks: [dev]", "stacks: [dev, qa]") });
        expect(problemsOf(() => readTenantFiles(dir, { knownStacks: STACKS, displayDir: "tenants" }))).toEqual([
            "tenants/aa.yaml: stacks[1]: names the stack `qa`, which has no stacks/Pulumi.qa.yaml.",
        ]);
    });

    it("refuses retention outside the environment's bounds, naming the range", () => {
        const dir = dirWith({ "aa.yaml": tenantYaml("aa", "retention:\n  traceDays: 1000\n  deletedRunsPurgeDays: 500\n") });
        const sources = readTenantFiles(dir, { knownStacks: STACKS, displayDir: "tenants" });
        expect(problemsOf(() => tenantsForStack(sources, profileFor("dev")))).toEqual([
            "tenants/aa.yaml: retention.traceDays: is 1000, outside what `dev` allows (1 to 180 days).",
            "tenants/aa.yaml: retention.deletedRunsPurgeDays: is 500, outside what `dev` allows (1 to 90 days).",
        ]);
    });

    it("treats an empty tenants directory as no tenants", () => {
        expect(readTenantFiles(dirWith({}), { knownStacks: STACKS })).toEqual([]);
    });

    it("refuses a tenants directory that does not exist, rather than reading it as no tenants", () => {
        expect(problemsOf(() => readTenantFiles(path.join(dirWith({}), "tenant"), { knownStacks: STACKS, displayDir: "tenant" }))).toEqual([
            "tenant: : does not exist.",
        ]);
    });
});
