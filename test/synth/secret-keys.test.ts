import { describe, expect, it } from "vitest";
import { manifests, plan } from "../../cli/render";
import { SECRET_MARKER, reveal } from "../../cli/mock-runtime";
import { STACKS, stackCapture } from "../support/capture";

/**
 * A reviewer of `out/` must see which variables a container gets from a Secret through `envFrom`:
 * each key of every Secret is written, its value redacted.
 */
describe.each(STACKS)("Secrets in the output of %s", (stack) => {
    it("list every declared key, each value redacted, in manifests and plan", async () => {
        const capture = await stackCapture(stack);
        const secrets = capture.resources.filter((r) => r.type === "kubernetes:core/v1:Secret");
        expect(secrets.length).toBeGreaterThan(0);
        const written = new Map<string, Record<string, unknown>>();
        for (const docs of manifests(capture).values()) {
            for (const d of docs) {
                const meta = d["metadata"] as { name: string; namespace: string };
                if (d["kind"] === "Secret") written.set(`${meta.namespace}/${meta.name}`, d);
            }
        }
        const planned = new Map(plan(capture).map((p) => [(p as { urn: string }).urn, p as { inputs: Record<string, unknown> }]));
        let keys = 0;
        for (const r of secrets) {
            const declared = reveal(r.inputs) as {
                metadata: { name: string; namespace: string };
                stringData?: Record<string, unknown>;
                data?: Record<string, unknown>;
            };
            const doc = written.get(`${declared.metadata.namespace}/${declared.metadata.name}`);
            expect(doc, `${declared.metadata.namespace}/${declared.metadata.name}`).toBeDefined();
            for (const field of ["stringData", "data"] as const) {
                const names = Object.keys(declared[field] ?? {}).sort();
                if (declared[field] === undefined) continue;
                expect(names.length, `${declared.metadata.name}.${field}`).toBeGreaterThan(0);
                const expected = Object.fromEntries(names.map((n) => [n, SECRET_MARKER]));
                expect(doc![field], `${declared.metadata.name}.${field} in manifests`).toEqual(expected);
                expect(planned.get(r.urn)!.inputs[field], `${declared.metadata.name}.${field} in the plan`).toEqual(expected);
                keys += names.length;
            }
        }
        expect(keys).toBeGreaterThan(0);
    });

    it("shows the variables Agenta's containers get from its Secret (upstream names)", async () => {
        const capture = await stackCapture(stack);
        const docs = [...manifests(capture).values()]
            .flat()
            .filter((d) => d["kind"] === "Secret" && (d["metadata"] as { name: string }).name === "agenta");
        expect(docs.length).toBeGreaterThan(0);
        for (const d of docs) {
            // Names Agenta v0.113.0 reads (api/oss/src/utils/env.py).
            expect(Object.keys(d["stringData"] as object)).toEqual(
                expect.arrayContaining(["POSTGRES_URI_CORE", "POSTGRES_URI_TRACING", "AGENTA_AUTH_KEY", "AGENTA_CRYPT_KEY"]),
            );
        }
    });
});
