import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { tenantJsonSchema } from "../../components/tenancy/json-schema";

describe("tenant JSON Schema", () => {
    it("is in sync with the zod schema (regenerate with `npm run schema`)", () => {
        const committed = fs.readFileSync(path.join(__dirname, "..", "..", "tenants", "tenant.schema.json"), "utf8");
        expect(committed).toBe(tenantJsonSchema());
    });

    it("documents every field and refuses unknown ones", () => {
        const schema = JSON.parse(tenantJsonSchema());
        expect(schema.additionalProperties).toBe(false);
        expect(schema.required).toEqual(expect.arrayContaining(["id", "displayName", "owners", "stacks", "sso"]));
        for (const [name, field] of Object.entries<{ description?: string; examples?: unknown[] }>(schema.properties)) {
            expect(field.description ?? field.examples, `field ${name} has neither description nor example`).toBeDefined();
        }
    });

    it("is referenced by every example tenant, so editors pick it up", () => {
        const dir = path.join(__dirname, "..", "..", "tenants");
        const files = fs.readdirSync(dir).filter((f) => f.endsWith(".yaml"));
        expect(files.length).toBeGreaterThanOrEqual(2);
        for (const f of files)
            expect(fs.readFileSync(path.join(dir, f), "utf8")).toMatch(/^# yaml-language-server: \$schema=\.\/tenant\.schema\.json$/m);
    });
});
