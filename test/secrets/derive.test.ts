import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { deriveHex, derivePassword, deriveUuid } from "../../components/secrets/derive";

const seed = "ab".repeat(64);
const other = "cd".repeat(64);

describe("secrets derived from a seed", () => {
    it("are stable for a seed and label, and differ across labels and seeds", () => {
        expect(derivePassword(seed, "postgres", 32)).toBe(derivePassword(seed, "postgres", 32));
        expect(derivePassword(seed, "postgres", 32)).not.toBe(derivePassword(seed, "redis", 32));
        expect(derivePassword(seed, "postgres", 32)).not.toBe(derivePassword(other, "postgres", 32));
        expect(deriveHex(seed, "encryption-key", 32)).toMatch(/^[0-9a-f]{64}$/);
        expect(deriveUuid(seed, "public-key")).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    });

    it("are alphanumeric passwords of the requested length, for any label", () => {
        fc.assert(
            fc.property(fc.string({ minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 96 }), (label, length) => {
                const p = derivePassword(seed, label, length);
                expect(p).toMatch(new RegExp(`^[A-Za-z0-9]{${length}}$`));
            }),
        );
    });

    it("use every character about equally (no modulo bias)", () => {
        const counts = new Map<string, number>();
        for (let i = 0; i < 400; i++) for (const c of derivePassword(seed, `label-${i}`, 62)) counts.set(c, (counts.get(c) ?? 0) + 1);
        expect(counts.size).toBe(62);
        const expected = (400 * 62) / 62;
        for (const n of counts.values()) expect(Math.abs(n - expected) / expected).toBeLessThan(0.25);
    });

    it("refuse a seed that is not at least 32 bytes of hex", () => {
        expect(() => derivePassword("abc", "x", 8)).toThrow("at least 32 bytes of hex");
    });
});
