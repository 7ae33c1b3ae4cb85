import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { prefixExcept } from "../../components/sso/routes";

describe("skip-auth route for everything under /api/ except /api/auth", () => {
    const re = new RegExp(prefixExcept("/api/", ["auth"]));
    // What it must mean, written with the lookahead that Go's RE2 lacks.
    const meaning = /^\/api\/(?!auth(?:\/|$))/;

    it("skips API-key clients and keeps sign-in behind the gate", () => {
        for (const p of [
            "/api/",
            "/api/apps",
            "/api/preview/traces",
            "/api/health",
            "/api/a",
            "/api/au",
            "/api/aut",
            "/api/authx",
            "/api/authorization/x",
            "/api/xauth/",
        ])
            expect(re.test(p), p).toBe(true);
        for (const p of [
            "/api/auth",
            "/api/auth/",
            "/api/auth/signin",
            "/api/auth/session/refresh",
            "/",
            "/apps",
            "/api",
            "/services/completion",
            "/apix/",
        ])
            expect(re.test(p), p).toBe(false);
    });

    it("agrees with the lookahead on any path", () => {
        const segment = fc.stringMatching(/^[a-z/]{0,12}$/);
        fc.assert(
            fc.property(
                fc.constantFrom("", "/", "/api", "/api/", "/api/a", "/api/au", "/api/aut", "/api/auth", "/api/auth/", "/x/api/"),
                segment,
                (head, tail) => {
                    const p = head + tail;
                    expect(re.test(p), p).toBe(meaning.test(p));
                },
            ),
            { numRuns: 2000 },
        );
    });

    it("uses no construct Go's RE2 refuses (lookaround, backreferences)", () => {
        expect(prefixExcept("/api/", ["auth"])).not.toMatch(/\(\?[=!<]|\\[1-9]/);
    });
});
