import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import type { Capture } from "../../cli/mock-runtime";
import { evaluate } from "../../cli/policy-eval";
import { capture, stackCapture } from "../support/capture";
import { runCli } from "../support/cli";

function saveMutated(cap: Capture, mutate: (c: Capture) => void): string {
    const copy = JSON.parse(JSON.stringify(cap)) as Capture;
    mutate(copy);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "policy-")), "capture.json");
    fs.writeFileSync(file, JSON.stringify({ ok: true, capture: copy }));
    return file;
}

describe("npm run policy", () => {
    it("passes on the shipped prod stack", () => {
        const r = runCli("policy", ["prod"]);
        expect(r.status).toBe(0);
        expect(r.stdout).toMatch(/Policy report for stack `prod`: \d+ rules over \d+ resources/);
        expect(r.stdout).toContain("No mandatory rule violated.");
        expect(r.stdout).not.toContain("FAIL");
    });

    it("fails on an image set to latest, naming the rule and the resource", async () => {
        const file = saveMutated(await stackCapture("prod"), (c) => {
            const web = c.resources.find((r) => r.name === "acme-langfuse-web")!;
            (web.inputs as any).spec.template.spec.containers[0].image = "docker.io/langfuse/langfuse:latest";
        });
        const r = runCli("policy", ["prod", "--capture", file]);
        expect(r.status).toBe(1);
        expect(r.stdout).toContain("FAIL  images-pinned (mandatory)");
        expect(r.stdout).toContain(
            "- Deployment llm-acme/langfuse-web: container `web` uses image `docker.io/langfuse/langfuse:latest`, which is not pinned to a version or digest.",
        );
        expect(r.stdout).toContain(
            "urn:pulumi:prod::llmops-platform::llmops:apps:Langfuse$kubernetes:apps/v1:Deployment::acme-langfuse-web",
        );
        expect(r.stdout).toContain("1 mandatory rule(s) violated: images-pinned.");
    });

    it("fails on a tenant namespace without its default-deny NetworkPolicy", async () => {
        const file = saveMutated(await stackCapture("prod"), (c) => {
            (c as { resources: Capture["resources"] }).resources = c.resources.filter((r) => r.name !== "globex-netpol-default-deny");
        });
        const r = runCli("policy", ["prod", "--capture", file]);
        expect(r.status).toBe(1);
        expect(r.stdout).toContain("FAIL  tenant-namespace-default-deny (mandatory)");
        expect(r.stdout).toContain("- tenant namespace llm-globex has no default-deny NetworkPolicy.");
        expect(r.stdout).toContain(
            "urn:pulumi:prod::llmops-platform::llmops:tenant:Namespace$kubernetes:core/v1:Namespace::globex-namespace",
        );
    });
});

describe("deliberately bad config shows the violation", () => {
    it("protectState: false in prod fails the state rule", async () => {
        const results = await evaluate(await capture({ stack: "prod", platformOverrides: { protectState: false } }));
        const state = results.find((r) => r.name === "state-protected-in-staging-and-prod")!;
        expect(state.violations.length).toBeGreaterThan(5);
        expect(state.violations.map((v) => v.message)).toContain(
            "Database acme_langfuse is not protected in `prod`, whose profile protects state; set protectState (or protect it) so pulumi up cannot delete it.",
        );
    });

    it("one replica of web-facing apps in prod fails the availability rule", async () => {
        const results = await evaluate(await capture({ stack: "prod", platformOverrides: { webReplicas: 1 } }));
        const ha = results.find((r) => r.name === "prod-web-apps-highly-available")!;
        expect(ha.violations.map((v) => v.message)).toContain(
            "Deployment llm-acme/langfuse-web is web-facing with 1 replica(s) in `prod`, whose profile is highly available; run at least 2.",
        );
    });
});
