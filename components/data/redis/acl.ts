import { createHash } from "node:crypto";

/**
 * Redis/Valkey ACL users files. Pure: the same text is loaded by the in-cluster server (`aclfile`)
 * and by the test against Debian's `redis-server`.
 */

/** One ACL user. Passwords are stored as SHA-256 hashes, never in clear. */
export interface AclUser {
    readonly name: string;
    readonly password: string;
    /** What the user may touch. */
    readonly access:
        | { readonly kind: "admin" }
        | { readonly kind: "probe" }
        /** Confined to keys and channels under `prefix`; no dangerous or server-wide commands. */
        | { readonly kind: "prefix"; readonly prefix: string }
        /** All keys of a dedicated instance, still without dangerous commands. */
        | { readonly kind: "app" };
}

/**
 * Command rules of an application user. `-@dangerous` removes FLUSHALL, FLUSHDB, KEYS, CONFIG,
 * CLIENT LIST/KILL, DEBUG, MONITOR, SORT, MIGRATE and the other admin commands. INFO comes back
 * because BullMQ and ioredis read the server version and eviction policy from it. RANDOMKEY
 * would reveal another tenant's key names; FUNCTION and SCRIPT FLUSH/KILL act on server-wide
 * state shared by every tenant.
 */
export const APP_COMMAND_RULES = "-@all +@all -@dangerous +info -randomkey -function -script|flush -script|kill";

export function sha256Hex(text: string): string {
    return createHash("sha256").update(text, "utf8").digest("hex");
}

function ruleFor(user: AclUser): string {
    const auth = `#${sha256Hex(user.password)}`;
    switch (user.access.kind) {
        case "admin":
            return `user ${user.name} on ${auth} ~* &* +@all`;
        case "probe":
            return `user ${user.name} on ${auth} resetkeys resetchannels -@all +ping`;
        case "prefix":
            return `user ${user.name} on ${auth} resetkeys ~${user.access.prefix}* resetchannels &${user.access.prefix}* ${APP_COMMAND_RULES}`;
        case "app":
            return `user ${user.name} on ${auth} ~* resetchannels &* ${APP_COMMAND_RULES}`;
    }
}

const USER_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;
const PREFIX = /^[a-z0-9][a-z0-9:-]*:$/;

/**
 * The users file: the default user switched off, then one line per user, sorted by name so that
 * adding a tenant adds lines without reordering others.
 */
export function renderAclFile(users: readonly AclUser[]): string {
    const seen = new Set<string>();
    for (const u of users) {
        if (!USER_NAME.test(u.name) || u.name === "default") throw new Error(`invalid Redis ACL user name \`${u.name}\``);
        if (seen.has(u.name)) throw new Error(`Redis ACL user \`${u.name}\` is declared twice`);
        if (u.access.kind === "prefix" && !PREFIX.test(u.access.prefix))
            throw new Error(`Redis key prefix \`${u.access.prefix}\` of \`${u.name}\` must be lower-case and end with a colon`);
        if (u.password.length < 16 || /\s/.test(u.password))
            throw new Error(`Redis password of \`${u.name}\` must be at least 16 characters without spaces`);
        seen.add(u.name);
    }
    const prefixes = users.flatMap((u) => (u.access.kind === "prefix" ? [u.access.prefix] : []));
    for (const a of prefixes) {
        for (const b of prefixes) {
            if (a !== b && b.startsWith(a))
                throw new Error(`Redis key prefix \`${a}\` contains \`${b}\`: one user would reach the other's keys`);
        }
    }
    const lines = [
        "user default off resetkeys resetchannels -@all",
        ...[...users].sort((a, b) => a.name.localeCompare(b.name)).map(ruleFor),
    ];
    return `${lines.join("\n")}\n`;
}

/**
 * `ACL SETUSER` argument lists equivalent to the file (each starting from `reset`, so re-running
 * them converges), for servers managed outside the cluster.
 */
export function aclSetUserCommands(users: readonly AclUser[]): string[][] {
    return renderAclFile(users)
        .trim()
        .split("\n")
        .map((line) => line.split(" ").slice(1))
        .filter((args) => args[0] !== "default")
        .map(([name, ...rules]) => ["ACL", "SETUSER", name!, "reset", ...rules]);
}
