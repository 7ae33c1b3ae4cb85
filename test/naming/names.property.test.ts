import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { APP_MODULES, APP_NAMES } from "../../components/apps/registry";
import {
    DNS_1035_LABEL,
    MAX_BUCKET_PREFIX,
    MAX_NAMESPACE_PREFIX,
    MAX_TENANT_ID,
    appHost,
    derivedNames,
    isValidName,
    reservedReason,
} from "../../components/naming/names";
import { parseTenantText } from "../../components/tenancy/load";

/** Any id the tenant schema accepts: a DNS-1035 label of 2 to MAX_TENANT_ID characters. */
const tenantId = fc
    .tuple(
        fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz"),
        fc.array(fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789-"), { minLength: 0, maxLength: MAX_TENANT_ID - 2 }),
        fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789"),
    )
    .map(([a, mid, z]) => a + mid.join("") + z)
    .filter((id) => DNS_1035_LABEL.test(id) && !id.includes("--"));

const prefix = (max: number) =>
    fc
        .tuple(
            fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz"),
            fc.array(fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789"), { minLength: 2, maxLength: max - 1 }),
        )
        .map(([a, rest]) => a + rest.join(""));

describe("names derived from a tenant id", () => {
    it("are valid for every id the schema accepts, with any allowed prefixes", () => {
        fc.assert(
            fc.property(tenantId, prefix(MAX_NAMESPACE_PREFIX), prefix(MAX_BUCKET_PREFIX), (id, nsPrefix, bucketPrefix) => {
                const schemaOk = parseTenantText(
                    `tenants/${id}.yaml`,
                    `id: ${id}\ndisplayName: x\nowners: [{name: a, email: a@b.example}]\nstacks: [dev]\nsso: {emailDomains: [b.example]}\n`,
                );
                if (reservedReason(id)) return;
                expect(schemaOk.problems).toEqual([]);
                for (const name of derivedNames(id, nsPrefix, bucketPrefix, APP_MODULES))
                    expect(isValidName(name), `${name.kind} ${name.value}`).toBe(true);
            }),
            { numRuns: 500 },
        );
    });

    it("never collide between two different tenants", () => {
        fc.assert(
            fc.property(tenantId, tenantId, prefix(MAX_NAMESPACE_PREFIX), prefix(MAX_BUCKET_PREFIX), (a, b, nsPrefix, bucketPrefix) => {
                fc.pre(a !== b);
                const na = new Set(derivedNames(a, nsPrefix, bucketPrefix, APP_MODULES).map((n) => `${n.scope}:${n.value}`));
                const nb = derivedNames(b, nsPrefix, bucketPrefix, APP_MODULES).map((n) => `${n.scope}:${n.value}`);
                for (const n of nb) {
                    // Postgres names map '-' to '_', so `a-b` and `a_b` could meet; ids cannot contain '_', so they cannot.
                    expect(na.has(n), `${a} and ${b} both derive ${n}`).toBe(false);
                }
            }),
            { numRuns: 500 },
        );
    });

    it("are unique within one tenant", () => {
        fc.assert(
            fc.property(tenantId, (id) => {
                const names = derivedNames(id, "llm", "llm-prod", APP_MODULES).map((n) => `${n.scope}:${n.value}`);
                expect(new Set(names).size).toBe(names.length);
            }),
        );
    });

    it("bound the id length exactly: one more character would break a name", () => {
        const longest = `a${"b".repeat(MAX_TENANT_ID - 1)}`;
        const nsPrefix = "p".repeat(MAX_NAMESPACE_PREFIX);
        const bucketPrefix = "q".repeat(MAX_BUCKET_PREFIX);
        expect(derivedNames(longest, nsPrefix, bucketPrefix, APP_MODULES).every(isValidName)).toBe(true);
        // The slack left is small: the bucket name is within a few characters of S3's 63.
        const slack = Math.min(
            ...derivedNames(longest, nsPrefix, bucketPrefix, APP_MODULES)
                .filter((n) => n.kind === "s3-bucket")
                .map((n) => 63 - n.value.length),
        );
        expect(slack).toBeGreaterThanOrEqual(0);
        expect(slack).toBeLessThan(10);
    });

    it("give each app a host whose labels fit DNS", () => {
        fc.assert(
            fc.property(tenantId, fc.constantFrom(...APP_NAMES), (id, app) => {
                const host = appHost("{app}.{tenant}.{baseDomain}", app, id, "llmops.example.com");
                for (const label of host.split(".")) expect(label.length).toBeLessThanOrEqual(63);
                expect(host.length).toBeLessThanOrEqual(253);
            }),
        );
    });
});
