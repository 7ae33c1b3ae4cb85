import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AclUser, aclSetUserCommands, renderAclFile } from "../../components/data/redis/acl";
import { type RedisServer, requireBinary, startRedis } from "../support/servers";
import { capture } from "../support/capture";
import { ofKind } from "../support/resources";

const redisServer = requireBinary("redis-server", "redis-server");

const users: AclUser[] = [
    { name: "platform-admin", password: "admin-password-0123456789", access: { kind: "admin" } },
    { name: "healthcheck", password: "probe-password-0123456789", access: { kind: "probe" } },
    { name: "acme-langfuse", password: "acme-password-0123456789", access: { kind: "prefix", prefix: "acme:langfuse:" } },
    { name: "globex-langfuse", password: "globex-password-012345678", access: { kind: "prefix", prefix: "globex:langfuse:" } },
];

describe("Redis ACL users file", () => {
    it("switches the default user off and sorts users by name", () => {
        const lines = renderAclFile(users).trim().split("\n");
        expect(lines[0]).toBe("user default off resetkeys resetchannels -@all");
        expect(lines.slice(1).map((l) => l.split(" ")[1])).toEqual(["acme-langfuse", "globex-langfuse", "healthcheck", "platform-admin"]);
        expect(renderAclFile(users)).not.toContain("password");
    });

    it("refuses prefixes that overlap, duplicate users and weak passwords", () => {
        const u = (name: string, prefix: string): AclUser => ({ name, password: "p".repeat(20), access: { kind: "prefix", prefix } });
        expect(() => renderAclFile([u("a", "acme:"), u("b", "acme:lf:")])).toThrow("`acme:` contains `acme:lf:`");
        expect(() => renderAclFile([u("a", "a:"), u("a", "b:")])).toThrow("declared twice");
        expect(() => renderAclFile([{ name: "a", password: "short", access: { kind: "app" } }])).toThrow("at least 16 characters");
        expect(() => renderAclFile([u("a", "NoColon")])).toThrow("must be lower-case and end with a colon");
    });

    it("converts to ACL SETUSER commands that start from reset", () => {
        const cmds = aclSetUserCommands(users);
        expect(cmds).toHaveLength(users.length);
        for (const c of cmds) expect(c.slice(0, 2).concat(c[3]!)).toEqual(["ACL", "SETUSER", "reset"]);
    });
});

describe.skipIf(!redisServer)("Redis ACL users file, loaded by Debian's redis-server", () => {
    let redis: RedisServer;
    beforeAll(async () => {
        redis = await startRedis(redisServer!, renderAclFile(users));
    });
    afterAll(() => redis?.stop());

    const acme = ["acme-langfuse", "acme-password-0123456789"] as const;
    const globex = ["globex-langfuse", "globex-password-012345678"] as const;

    it("lets a tenant user write and read under its own prefix, and run BullMQ's INFO", () => {
        expect(redis.run(...acme, "SET", "acme:langfuse:job:1", "x")).toBe("OK");
        expect(redis.run(...acme, "GET", "acme:langfuse:job:1")).toBe("x");
        expect(redis.run(...acme, "INFO", "server")).toContain("redis_version");
        expect(redis.run(...acme, "EVAL", "return redis.call('INCR', KEYS[1])", "1", "acme:langfuse:counter")).toBe("1");
    });

    it("refuses a tenant user another tenant's keys and server-wide commands with NOPERM", () => {
        expect(redis.run(...globex, "SET", "globex:langfuse:job:1", "y")).toBe("OK");
        expect(redis.run(...acme, "GET", "globex:langfuse:job:1")).toMatch(/NOPERM/);
        expect(redis.run(...acme, "SET", "globex:langfuse:job:1", "z")).toMatch(/NOPERM/);
        expect(redis.run(...acme, "EVAL", "return redis.call('GET', KEYS[1])", "1", "globex:langfuse:job:1")).toMatch(/NOPERM|permissions/);
        expect(redis.run(...acme, "GET", "unprefixed")).toMatch(/NOPERM/);
        for (const command of [
            ["FLUSHALL"],
            ["FLUSHDB"],
            ["CONFIG", "GET", "*"],
            ["KEYS", "*"],
            ["CLIENT", "LIST"],
            ["ACL", "LIST"],
            ["RANDOMKEY"],
            ["MONITOR"],
            ["SHUTDOWN"],
        ]) {
            expect(redis.run(...acme, ...command), command.join(" ")).toMatch(/NOPERM/);
        }
        expect(redis.run(...globex, "GET", "globex:langfuse:job:1")).toBe("y");
    });

    it("refuses wrong passwords and the disabled default user", () => {
        expect(redis.run("acme-langfuse", globex[1], "PING")).toMatch(/WRONGPASS|invalid/i);
        expect(redis.run("default", "", "PING")).toMatch(/WRONGPASS|NOAUTH|invalid/i);
    });

    it("lets the probe user ping and nothing else, and the admin do anything", () => {
        expect(redis.run("healthcheck", "probe-password-0123456789", "PING")).toBe("PONG");
        expect(redis.run("healthcheck", "probe-password-0123456789", "GET", "acme:langfuse:job:1")).toMatch(/NOPERM/);
        expect(redis.run("platform-admin", "admin-password-0123456789", "ACL", "LOAD")).toBe("OK");
        expect(redis.run("platform-admin", "admin-password-0123456789", "GET", "acme:langfuse:job:1")).toBe("x");
    });
});

describe("tenant users in an external Redis", () => {
    it("are applied by a Job the platform namespace lets reach the Redis port", async () => {
        const cap = await capture({
            stack: "staging",
            platformOverrides: {
                dataServices: {
                    redis: { mode: "external", host: "redis.internal.example.com", port: 6380, adminPasswordKey: "redisAdminPassword" },
                },
            },
        });
        const job = ofKind(cap, "Job").find(
            (j) => j.metadata.namespace === "llm-platform" && j.metadata.name!.startsWith("redis-acl-apply-"),
        );
        expect(job, "no ACL apply Job").toBeDefined();
        const podLabels = job!.spec.template.metadata.labels as Record<string, string>;
        const egress = ofKind(cap, "NetworkPolicy").filter(
            (p) =>
                p.metadata.namespace === "llm-platform" &&
                (p.spec.policyTypes as string[]).includes("Egress") &&
                Object.entries((p.spec.podSelector.matchLabels ?? {}) as Record<string, string>).every(([k, v]) => podLabels[k] === v) &&
                ((p.spec.egress ?? []) as Array<{ ports?: Array<{ port: number }> }>).some((e) => e.ports?.some((x) => x.port === 6380)),
        );
        expect(egress.map((p) => p.metadata.name)).toEqual(["allow-redis-users-to-external-redis"]);
    });
});
