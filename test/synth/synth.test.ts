import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../support/capture";
import { runCli } from "../support/cli";

function tmp(): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), "synth-"));
}

function readTree(dir: string): Map<string, string> {
    const out = new Map<string, string>();
    const walk = (d: string) => {
        for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
            const p = path.join(d, entry.name);
            if (entry.isDirectory()) walk(p);
            else out.set(path.relative(dir, p), fs.readFileSync(p, "utf8"));
        }
    };
    walk(dir);
    return out;
}

describe("npm run synth", () => {
    it("writes manifests, the resource plan and a summary for local", () => {
        const out = tmp();
        const r = runCli("synth", ["local", "--out", out]);
        expect(r.stderr).toBe("");
        expect(r.status).toBe(0);
        expect(r.stdout).toMatch(/synth local: \d+ resources/);
        const files = readTree(path.join(out, "local"));
        expect([...files.keys()]).toEqual(
            expect.arrayContaining(["resources.json", "summary.md", "manifests/_cluster.yaml", "manifests/llm-platform.yaml"]),
        );
        const plan = JSON.parse(files.get("resources.json")!) as Array<{ type: string; inputs: unknown }>;
        expect(plan.length).toBeGreaterThan(10);
        expect(files.get("summary.md")).toContain("## Resources by type");
        expect(files.get("summary.md")).toContain("## Images");
        expect(files.get("summary.md")).toMatch(/Total: requests \d+m? CPU/);
    });

    it("gives byte-identical output on two runs of prod", () => {
        const a = tmp();
        const b = tmp();
        expect(runCli("synth", ["prod", "--out", a]).status).toBe(0);
        expect(runCli("synth", ["prod", "--out", b]).status).toBe(0);
        const ta = readTree(path.join(a, "prod"));
        const tb = readTree(path.join(b, "prod"));
        expect(ta.size).toBeGreaterThan(2);
        expect([...tb.keys()]).toEqual([...ta.keys()]);
        for (const [file, text] of ta) expect(tb.get(file), file).toBe(text);
    });

    it("never writes a secret value", () => {
        const out = tmp();
        expect(runCli("synth", ["dev", "--out", out]).status).toBe(0);
        const text = [...readTree(path.join(out, "dev")).values()].join("\n");
        expect(text).toContain("[secret]");
        // The mock runtime's stand-ins for generated and configured secrets must not leak.
        expect(text).not.toMatch(/synth-placeholder-/);
        const plan = JSON.parse(fs.readFileSync(path.join(out, "dev", "resources.json"), "utf8")) as Array<{
            type: string;
            inputs: Record<string, unknown>;
        }>;
        const secrets = plan.filter((p) => p.type === "kubernetes:core/v1:Secret");
        expect(secrets.length).toBeGreaterThan(0);
        for (const r of secrets) {
            const data = r.inputs["stringData"];
            // Either the whole map is secret, or each value is.
            if (typeof data === "string") expect(data).toBe("[secret]");
            else for (const v of Object.values(data as Record<string, unknown>)) expect(v).toBe("[secret]");
        }
    });

    it("exits non-zero naming the file and field of a malformed tenant, and writes nothing", () => {
        const tenants = tmp();
        fs.copyFileSync(path.join(ROOT, "tenants", "acme.yaml"), path.join(tenants, "acme.yaml"));
        fs.writeFileSync(
            path.join(tenants, "broken.yaml"),
            "id: broken\ndisplayName: Broken\nowners: []\nstacks: [dev]\nsize: gigantic\nsso:\n  emailDomains: [broken.example]\n",
        );
        const out = tmp();
        const r = runCli("synth", ["dev", "--tenants", tenants, "--out", out]);
        expect(r.status).not.toBe(0);
        expect(r.stderr).toContain("broken.yaml: owners: must list at least 1 item(s).");
        expect(r.stderr).toContain('broken.yaml: size: must be one of "small", "standard", "large".');
        expect(fs.existsSync(path.join(out, "dev"))).toBe(false);
    });

    it("refuses an unknown stack, listing the known ones", () => {
        const r = runCli("synth", ["qa"]);
        expect(r.status).toBe(2);
        expect(r.stderr).toContain("unknown stack `qa`; stacks are: dev, local, prod, staging");
    });
});
