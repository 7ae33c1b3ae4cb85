import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { rules } from "../../policies/rules";
import { ROOT } from "../support/capture";

describe("policy docs", () => {
    it("list every rule with its enforcement, scope and description, and nothing else", () => {
        const readme = fs.readFileSync(path.join(ROOT, "policies", "README.md"), "utf8");
        const rows = readme.split("\n").filter((l) => /^\| `[a-z0-9-]+` \|/.test(l));
        expect(rows).toEqual(
            rules.map(
                (r) =>
                    `| \`${r.name}\` | ${r.enforcementLevel} | ${"validateStack" in r ? "stack" : "resource"} | ${r.description.replace(/\|/g, "\\|")} |`,
            ),
        );
    });

    it("has index.ts build the pack from the rule list only", () => {
        const index = fs.readFileSync(path.join(ROOT, "policies", "index.ts"), "utf8");
        expect(index).toContain('import { rules } from "./rules";');
        expect(index).toContain("policies: rules");
        const files = fs.readdirSync(path.join(ROOT, "policies", "rules")).filter((f) => f !== "index.ts");
        const list = fs.readFileSync(path.join(ROOT, "policies", "rules", "index.ts"), "utf8");
        for (const f of files) expect(list, `rules/index.ts does not import ${f}`).toContain(`"./${f.replace(/\.ts$/, "")}"`);
    });

    it("is a CrossGuard pack with its own package", () => {
        const yaml = fs.readFileSync(path.join(ROOT, "policies", "PulumiPolicy.yaml"), "utf8");
        expect(yaml).toMatch(/^runtime: nodejs$/m);
        const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "policies", "package.json"), "utf8"));
        expect(pkg.dependencies["@pulumi/policy"]).toBe(
            JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).devDependencies["@pulumi/policy"],
        );
        expect(fs.existsSync(path.join(ROOT, "policies", "package-lock.json"))).toBe(true);
    });
});
