import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { validateWorkflow } from "@action-validator/core";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ROOT } from "../support/capture";
import { STACKS } from "../support/stacks";

const DIR = path.join(ROOT, ".github", "workflows");
const files = fs
    .readdirSync(DIR)
    .filter((f) => f.endsWith(".yml"))
    .sort();
const load = (f: string) => parse(fs.readFileSync(path.join(DIR, f), "utf8")) as Record<string, any>;

/**
 * Runs a workflow step's script as the runner does (`bash -e`) in `cwd`, with an `npm` that only
 * records its arguments; returns the exit status, stderr and the recorded npm calls.
 */
function runStep(script: string, cwd: string): { status: number | null; stderr: string; npm: string[] } {
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), "step-bin-"));
    const log = path.join(bin, "npm.log");
    fs.writeFileSync(path.join(bin, "npm"), `#!/bin/sh\necho "$*" >> "${log}"\n`, { mode: 0o755 });
    const r = spawnSync("bash", ["-e", "-c", script], {
        cwd,
        encoding: "utf8",
        env: { ...process.env, PATH: `${bin}:${process.env["PATH"]}` },
    });
    const npm = fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n") : [];
    fs.rmSync(bin, { recursive: true, force: true });
    return { status: r.status, stderr: r.stderr, npm };
}

describe("GitHub workflows", () => {
    it.each(files)("%s is valid against the GitHub workflow schema", (file) => {
        const result = validateWorkflow(fs.readFileSync(path.join(DIR, file), "utf8"));
        expect(result.errors).toEqual([]);
    });

    it("exist for verification, preview and deployment", () => {
        expect(files).toEqual(["deploy.yml", "preview.yml", "pulumi-up.yml", "verify.yml"]);
    });

    it("preview every environment with the policy pack on pull requests, commenting the result", () => {
        const w = load("preview.yml");
        expect(Object.keys(w["on"])).toEqual(["pull_request"]);
        const job = w["jobs"]["preview"];
        expect(job.strategy.matrix.stack).toEqual(["dev", "staging", "prod"]);
        const step = job.steps.find((s: { uses?: string }) => s.uses?.startsWith("pulumi/actions@"));
        expect(step.with).toMatchObject({ command: "preview", policyPacks: "policies", "comment-on-pr": true });
        expect(
            job.steps.some(
                (s: { run?: string; "working-directory"?: string }) => s.run === "npm ci" && s["working-directory"] === "policies",
            ),
        ).toBe(true);
    });

    it("never run pull request code with write credentials or for forks, and gate code changes behind review", () => {
        for (const f of files) expect(Object.keys(load(f)["on"] ?? {})).not.toContain("pull_request_target");
        const w = load("preview.yml");
        expect(w["jobs"]["scope"].if).toBe("github.event.pull_request.head.repo.full_name == github.repository");
        const job = w["jobs"]["preview"];
        expect(job.permissions).toEqual({ contents: "read", "id-token": "write", "pull-requests": "write" });
        expect(job.environment).toContain("preview-{0}-reviewed");
        const scope = w["jobs"]["scope"].steps.find((s: { id?: string }) => s.id === "files").run as string;
        expect(scope).toContain("^tenants/[a-z0-9-]+\\.yaml$");
        // OIDC tokens, no long-lived secrets in the preview job.
        expect(JSON.stringify(job)).not.toMatch(/secrets\.(PULUMI_ACCESS_TOKEN|AWS_)/);
        expect(job.steps.map((s: { uses?: string }) => s.uses).filter(Boolean)).toEqual(
            expect.arrayContaining(["pulumi/auth-actions@v1", "aws-actions/configure-aws-credentials@v4"]),
        );
    });

    it("deploy dev on merge, then staging and prod in order behind their protected environments", () => {
        const d = load("deploy.yml");
        expect(d["on"].push.branches).toEqual(["main"]);
        expect(d["jobs"]["dev"].with.stack).toBe("dev");
        expect(d["jobs"]["staging"].needs).toBe("dev");
        expect(d["jobs"]["prod"].needs).toBe("staging");
        const up = load("pulumi-up.yml")["jobs"]["up"];
        expect(up.environment).toBe("${{ inputs.stack }}");
        // The action's `up` runs no preview; a preview first refuses a protected delete before any step changes anything.
        const actions = (up.steps as Array<{ uses?: string; with?: Record<string, unknown> }>).filter((s) =>
            s.uses?.startsWith("pulumi/actions@"),
        );
        expect(actions.map((s) => s.with?.["command"])).toEqual(["preview", "up"]);
        for (const a of actions) expect(a.with).toMatchObject({ policyPacks: "policies" });
        expect(up.concurrency.group).toBe("pulumi-up-${{ inputs.stack }}");
        // A reusable workflow gets at most the permissions its caller grants.
        for (const job of ["dev", "staging", "prod"]) {
            for (const [scope, level] of Object.entries(up.permissions as Record<string, string>)) {
                expect(d["jobs"][job].permissions?.[scope] ?? d["permissions"]?.[scope], `${job} must grant ${scope}: ${level}`).toBe(
                    level,
                );
            }
        }
    });

    it("verify every change offline with the same entry point as CI", () => {
        const v = load("verify.yml");
        expect(
            v["jobs"]["verify"].steps
                .map((s: { run?: string }) => s.run)
                .filter(Boolean)
                .join("\n"),
        ).toContain(".ci/run");
        // Every pull request runs the tenant check against its target branch, with the history it needs.
        const check = v["jobs"]["verify"].steps.find((s: { run?: string }) => s.run?.startsWith("npm run check"));
        expect(check).toMatchObject({
            if: "github.event_name == 'pull_request'",
            run: 'npm run check -- --base "origin/${{ github.base_ref }}"',
        });
        expect(v["jobs"]["verify"].steps[0]).toMatchObject({ uses: "actions/checkout@v4", with: { "fetch-depth": 0 } });
        expect(v["permissions"]).toEqual({ contents: "read" });
    });

    it("synth and policy-check every stack found in stacks/, naming none", () => {
        const step = load("verify.yml")["jobs"]["verify"].steps.find(
            (s: { name?: string }) => s.name === "Synth and policy report for every stack",
        );
        expect(step, "verify.yml has no step `Synth and policy report for every stack`").toBeDefined();
        const script = step.run as string;
        const calls = (stacks: readonly string[]) => stacks.flatMap((s) => [`run synth -- ${s}`, `run policy -- ${s}`]);
        // The shipped stacks, as the stack files name them.
        expect(STACKS.length).toBeGreaterThan(0);
        expect(runStep(script, ROOT)).toMatchObject({ status: 0, npm: calls(STACKS) });
        // Another set of stack files: the loop follows the folder, not a list of its own.
        const other = fs.mkdtempSync(path.join(os.tmpdir(), "stacks-"));
        fs.mkdirSync(path.join(other, "stacks"));
        for (const s of ["alpha", "beta-2"]) fs.writeFileSync(path.join(other, "stacks", `Pulumi.${s}.yaml`), "config: {}\n");
        expect(runStep(script, other)).toMatchObject({ status: 0, npm: calls(["alpha", "beta-2"]) });
        // No stack files: a clear failure, not a green step that verified nothing.
        fs.rmSync(path.join(other, "stacks"), { recursive: true });
        fs.mkdirSync(path.join(other, "stacks"));
        const none = runStep(script, other);
        expect(none.status).not.toBe(0);
        expect(none.stderr).toContain("no stacks/Pulumi.<stack>.yaml to verify");
        expect(none.npm).toEqual([]);
        fs.rmSync(other, { recursive: true, force: true });
    });
});
