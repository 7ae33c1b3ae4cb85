import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { formatProblems } from "../../components/validation/problems";
import { parseTenantText } from "../../components/tenancy/load";

const CORPUS = path.join(__dirname, "..", "fixtures", "invalid-tenants");
const files = fs
    .readdirSync(CORPUS)
    .filter((f) => f.endsWith(".yaml"))
    .sort();

describe("invalid tenant files", () => {
    it("form a corpus of at least 25 files", () => {
        expect(files.length).toBeGreaterThanOrEqual(25);
    });

    it.each(files)("%s produces the error it names", (file) => {
        const text = fs.readFileSync(path.join(CORPUS, file), "utf8");
        const expected = [...text.matchAll(/^# expect: (.+)$/gm)].map((m) => m[1]!);
        expect(expected.length, `${file} has no '# expect:' line`).toBeGreaterThan(0);
        const { tenant, problems } = parseTenantText(`tenants/${file}`, text);
        expect(problems.length, `${file} was accepted`).toBeGreaterThan(0);
        const report = formatProblems("tenant files", problems);
        for (const line of expected) expect(report).toContain(line);
        // Every problem names the file it is in.
        for (const p of problems) expect(p.source).toBe(`tenants/${file}`);
        // A file that fails its schema yields no tenant.
        if (
            problems.some(
                (p) =>
                    p.path !== "id" && !p.message.startsWith("lists") && !p.message.includes("switches") && !p.message.includes("forwards"),
            )
        ) {
            expect(tenant === undefined || problems.length > 0).toBe(true);
        }
    });
});
