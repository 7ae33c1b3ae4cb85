import { parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import { manifestYaml, manifests } from "../../cli/render";
import { STACKS, stackCapture } from "../support/capture";

/**
 * `kubectl apply -f out/<stack>/manifests/` must create what Pulumi would. kubectl and most
 * Kubernetes tooling read YAML 1.1, where plain `off`, `yes`, `y`, `1:20` or `1_000` are booleans
 * and numbers, not strings. Every manifest must read back, under YAML 1.1 and 1.2 alike, as exactly
 * the objects the program declared.
 */
describe.each(STACKS)("manifests of %s read back the same under YAML 1.1", (stack) => {
    it("every document of every namespace file equals what the program declared", async () => {
        const capture = await stackCapture(stack);
        const groups = manifests(capture);
        expect(groups.size).toBeGreaterThan(0);
        let documents = 0;
        for (const [ns, docs] of groups) {
            expect(docs.length, ns).toBeGreaterThan(0);
            const declared = JSON.parse(JSON.stringify(docs)) as unknown[];
            const text = manifestYaml(docs);
            for (const version of ["1.1", "1.2"] as const) {
                const parsed = parseAllDocuments(text, { version });
                expect(Array.isArray(parsed), `${ns} (${version})`).toBe(true);
                const read = (parsed as Exclude<typeof parsed, { empty: true }>).map((d) => {
                    expect(d.errors, `${ns} (${version})`).toEqual([]);
                    return d.toJS({ maxAliasCount: -1 });
                });
                expect(read, `${ns}.yaml read as YAML ${version}`).toEqual(declared);
            }
            documents += docs.length;
        }
        expect(documents).toBeGreaterThan(0);
    });
});
