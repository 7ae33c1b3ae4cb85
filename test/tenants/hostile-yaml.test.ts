import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { readStackConfig } from "../../cli/mock-runtime";
import { ValidationError } from "../../components/validation/problems";
import { readTenantFiles } from "../../components/tenancy/load";
import { runCli } from "../support/cli";

const FIXTURES = path.join(__dirname, "..", "fixtures", "hostile-yaml");
const TENANTS = path.join(FIXTURES, "tenants");

function validationError(fn: () => unknown): ValidationError {
    try {
        fn();
    } catch (e) {
        if (e instanceof ValidationError) return e;
        throw new Error(`expected a ValidationError, got: ${(e as Error).message}`);
    }
    throw new Error("expected a ValidationError");
}

describe("hostile or broken YAML input", () => {
    it("refuses a tenant alias bomb naming the file, in plain words, and still reports the other files", () => {
        const files = fs.readdirSync(TENANTS).sort();
        expect(files).toEqual(["bomb.yaml", "unclosed.yaml", "wrong-id.yaml"]);
        const e = validationError(() => readTenantFiles(TENANTS, { knownStacks: ["dev"], displayDir: "tenants" }));
        const bySource = new Map(e.problems.map((p) => [p.source, p]));
        // Every file is named, each with its own problem.
        expect([...bySource.keys()].sort()).toEqual(files.map((f) => `tenants/${f}`));
        expect(bySource.get("tenants/bomb.yaml")!.message).toMatch(/aliases .* expand to too many values/);
        expect(bySource.get("tenants/bomb.yaml")!.fix).toMatch(/anchors/);
        expect(bySource.get("tenants/unclosed.yaml")!.message).toMatch(/is not valid YAML/);
        expect(bySource.get("tenants/wrong-id.yaml")!.message).toMatch(/is named `wrong-id.yaml`/);
        expect(e.message).not.toMatch(/resource exhaustion attack/);
    });

    it("names a tenant file that cannot be read (a directory named like one) beside a good file", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenants-"));
        fs.mkdirSync(path.join(dir, "folder.yaml"));
        fs.copyFileSync(path.join(TENANTS, "bomb.yaml"), path.join(dir, "bomb.yaml"));
        const e = validationError(() => readTenantFiles(dir, { knownStacks: ["dev"], displayDir: "tenants" }));
        expect(e.problems.map((p) => `${p.source}: ${p.message}`).sort()).toEqual([
            expect.stringMatching(/^tenants\/bomb.yaml: uses YAML aliases/),
            "tenants/folder.yaml: is a directory, not a file.",
        ]);
    });

    it("refuses a stack config alias bomb naming the file", () => {
        const e = validationError(() => readStackConfig("bomb", path.join(FIXTURES, "stacks")));
        expect(e.problems).toHaveLength(1);
        expect(e.message).toContain("Pulumi.bomb.yaml");
        expect(e.problems[0]!.message).toMatch(/aliases .* expand to too many values/);
    });

    it("synth stops on a tenant alias bomb with the file named, and writes nothing", () => {
        const out = fs.mkdtempSync(path.join(os.tmpdir(), "synth-out-"));
        const r = runCli("synth", ["dev", "--tenants", TENANTS, "--out", out]);
        expect(r.status).toBe(1);
        expect(r.stderr).toMatch(/bomb\.yaml: uses YAML aliases/);
        expect(r.stderr).toMatch(/unclosed\.yaml: line \d+, column \d+: is not valid YAML: Missing closing "quote/);
        expect(r.stderr).not.toMatch(/resource exhaustion attack/);
        expect(fs.readdirSync(out)).toEqual([]);
    });
});
