import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PlannedResource, diffPlans, formatPlanDiff } from "../../cli/plan-diff";
import { APP_IMAGES, CHANNEL_VERSIONS, appImages, imageRef } from "../../components/versions/images";
import { ROOT, stackCapture } from "../support/capture";
import { containersOf, ofKind } from "../support/resources";
import { APP_NAMES } from "../../components/apps/registry";

/** A copy of the program (not the tests) in a temporary directory, sharing node_modules. */
function copyProgram(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "channels-"));
    for (const entry of ["components", "tenants", "stacks", "cli", "scripts", "index.ts", "Pulumi.yaml", "package.json", "tsconfig.json"]) {
        fs.cpSync(path.join(ROOT, entry), path.join(dir, entry), { recursive: true });
    }
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
    return dir;
}

/** Bumps every app of the `canary` channel in the copy's versions module, the way an upgrade PR would. */
function bumpCanary(dir: string): void {
    const file = path.join(dir, "components", "versions", "images.ts");
    const text = fs.readFileSync(file, "utf8");
    const start = text.indexOf("    canary: {");
    const end = text.indexOf("    },", start);
    expect(start, "CHANNEL_VERSIONS has no canary block").toBeGreaterThan(0);
    const bumped = text
        .slice(start, end)
        .replace(/langfuse: \{ tag: "[^"]+" \}/, 'langfuse: { tag: "9.9.9" }')
        .replace(/mlflow: \{ tag: "[^"]+", digest: "[^"]+" \}/, 'mlflow: { tag: "v9.9.9-full" }')
        .replace(/agenta: \{ tag: "[^"]+" \}/, 'agenta: { tag: "v9.9.9" }');
    expect(bumped).not.toBe(text.slice(start, end));
    fs.writeFileSync(file, text.slice(0, start) + bumped + text.slice(end));
}

describe("release channels", () => {
    it("pin every app per channel, and give each tenant its channel's images", async () => {
        for (const channel of ["stable", "canary"] as const) {
            for (const app of APP_NAMES) expect(CHANNEL_VERSIONS[channel][app].tag, `${channel}.${app}`).toMatch(/\d/);
        }
        expect(APP_IMAGES).toEqual(appImages("stable"));
        const cap = await stackCapture("dev");
        const images = (ns: string) =>
            ofKind(cap, "Deployment")
                .filter((d) => d.metadata.namespace === ns)
                .flatMap((d) => Object.values(containersOf(d)).map((c) => c.image as string));
        expect(images("llm-initech")).toContain(imageRef(appImages("canary").langfuseWeb));
        expect(images("llm-acme")).toContain(imageRef(appImages("stable").langfuseWeb));
    });

    it("refuse a digest for an app with several images (one digest cannot name them all)", () => {
        const versions = {
            ...CHANNEL_VERSIONS,
            canary: { ...CHANNEL_VERSIONS.canary, agenta: { tag: "v1.0.0", digest: `sha256:${"a".repeat(64)}` } },
        };
        expect(() => appImages("canary", versions)).toThrow("canary.agenta: a digest names one image, but agenta has 3; pin the tag only");
    });

    it("run each app's migrations as a Job named for its version, before the version's pods", async () => {
        const cap = await stackCapture("prod");
        const jobs = ofKind(cap, "Job")
            .filter((j) => j.metadata.namespace === "llm-acme")
            .map((j) => j.metadata.name!);
        for (const base of ["langfuse-migrate", "mlflow-db-upgrade", "agenta-migrate"])
            expect(
                jobs.some((j) => new RegExp(`^${base}-[0-9a-f]{10}$`).test(j)),
                base,
            ).toBe(true);
        const byName = (n: string) => cap.resources.find((r) => r.name === n)!;
        const gates: Record<string, string[]> = {
            "acme-langfuse-migrate": ["acme-langfuse-web", "acme-langfuse-worker"],
            "acme-mlflow-db-upgrade": ["acme-mlflow-server"],
            "acme-agenta-migrate": ["acme-agenta-api", "acme-agenta-worker-streams", "acme-agenta-worker-queues", "acme-agenta-cron"],
        };
        for (const [job, deployments] of Object.entries(gates)) {
            const j = byName(job);
            // A failed Job fails the deploy before these change, leaving the old version serving; the next deploy replaces it.
            expect(
                (j.inputs as { metadata: { annotations: Record<string, string> } }).metadata.annotations["pulumi.com/replaceUnready"],
            ).toBe("true");
            // Pulumi waits as long as the Job may run, not its default 10 minutes.
            const deadline = (j.inputs as { spec: { activeDeadlineSeconds: number } }).spec.activeDeadlineSeconds;
            expect(parseInt(j.options.customTimeouts?.create ?? "0", 10), job).toBeGreaterThanOrEqual(deadline);
            for (const d of deployments) expect(byName(d).options.dependencies, `${d} must wait for ${job}`).toContain(j.urn);
        }
    });
});

describe("a canary bump, synthesized before and after", () => {
    let dir: string;
    let changes: ReturnType<typeof diffPlans>;
    beforeAll(() => {
        dir = copyProgram();
        const before = spawnSynth(dir, path.join(dir, "before"));
        expect(before.stderr).toBe("");
        bumpCanary(dir);
        const after = spawnSynth(dir, path.join(dir, "after"));
        expect(after.stderr).toBe("");
        const read = (d: string) => JSON.parse(fs.readFileSync(path.join(dir, d, "dev", "resources.json"), "utf8")) as PlannedResource[];
        changes = diffPlans(read("before"), read("after"));
    }, 240_000);
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("touches only the canary tenant's resources", () => {
        expect(changes.length, "the bump changed nothing").toBeGreaterThan(0);
        expect([...new Set(changes.map((c) => c.tenant))]).toEqual(["initech"]);
        const manifests = (d: string) =>
            fs
                .readdirSync(path.join(dir, d, "dev", "manifests"))
                .map((f) => [f, fs.readFileSync(path.join(dir, d, "dev", "manifests", f), "utf8")] as const);
        const after = new Map(manifests("after"));
        const changedFiles = manifests("before")
            .filter(([f, text]) => after.get(f) !== text)
            .map(([f]) => f);
        expect(changedFiles).toEqual(["llm-initech.yaml"]);
    });

    it("rolls the canary tenant's workloads behind new migration Jobs", () => {
        const text = formatPlanDiff(changes);
        expect(text).toMatch(/^initech: \d+ change\(s\)$/m);
        for (const d of ["initech-langfuse-web", "initech-langfuse-worker", "initech-agenta-api", "initech-agenta-web"])
            expect(text).toContain(`update kubernetes:apps/v1:Deployment ${d}`);
        // Hash-named Jobs: the old version's Job goes, the new version's Job is created.
        const jobs = changes.filter((c) => c.type === "kubernetes:batch/v1:Job");
        expect(jobs.map((j) => `${j.change} ${j.urn.split("::").pop()}`).sort()).toEqual(
            expect.arrayContaining(["update initech-langfuse-migrate", "update initech-agenta-migrate"]),
        );
        const after = fs.readFileSync(path.join(dir, "after", "dev", "manifests", "llm-initech.yaml"), "utf8");
        expect(after).toContain("docker.io/langfuse/langfuse:9.9.9");
        expect(after).toContain("ghcr.io/agenta-ai/agenta-api:v9.9.9");
        expect(fs.readFileSync(path.join(dir, "after", "dev", "manifests", "llm-acme.yaml"), "utf8")).not.toContain("9.9.9");
    });
});

/** Runs the copy's own synth, so the copy's versions module is the one declared. */
function spawnSynth(dir: string, out: string) {
    return spawnSync(path.join(ROOT, "node_modules", ".bin", "tsx"), [path.join(dir, "cli", "synth.ts"), "dev", "--out", out], {
        cwd: dir,
        encoding: "utf8",
        timeout: 120_000,
    });
}
