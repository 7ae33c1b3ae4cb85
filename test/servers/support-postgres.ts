import type { CapturedResource } from "../../cli/mock-runtime";
import { reveal } from "../../cli/mock-runtime";

/**
 * The plan's `@pulumi/postgresql` resources as the statements the provider (terraform-provider-
 * postgresql) issues for them, so a real PostgreSQL holds exactly what the plan declares. Every
 * input is translated or refused: a new input the test does not know fails it instead of being
 * silently dropped.
 */

const q = (ident: string) => `"${ident.replace(/"/g, '""')}"`;
const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

function known(kind: string, inputs: Record<string, unknown>, keys: readonly string[]): void {
    const unknown = Object.keys(inputs).filter((k) => !keys.includes(k));
    if (unknown.length)
        throw new Error(`${kind} input(s) ${unknown.join(", ")} have no translation in test/servers/support-postgres.ts: add them`);
}

const flag = (on: unknown, yes: string, no: string) => (on === true ? yes : no);

/** The inputs of a Role and a Database that have a translation (`known` refuses any other). */
type RoleInputs = { name: string; password?: string; connectionLimit?: number } & Record<string, unknown>;
type DatabaseInputs = { name: string; owner?: string; encoding?: string; template?: string } & Record<string, unknown>;

/** `postgresql:index/role:Role` as CREATE ROLE. */
export function createRoleSql(resource: CapturedResource): string {
    const i = reveal(resource.inputs) as RoleInputs;
    known("Role", i, [
        "name",
        "login",
        "password",
        "superuser",
        "createDatabase",
        "createRole",
        "replication",
        "bypassRowLevelSecurity",
        "inherit",
        "connectionLimit",
    ]);
    const options = [
        flag(i["login"], "LOGIN", "NOLOGIN"),
        flag(i["superuser"], "SUPERUSER", "NOSUPERUSER"),
        flag(i["createDatabase"], "CREATEDB", "NOCREATEDB"),
        flag(i["createRole"], "CREATEROLE", "NOCREATEROLE"),
        flag(i["replication"], "REPLICATION", "NOREPLICATION"),
        flag(i["bypassRowLevelSecurity"], "BYPASSRLS", "NOBYPASSRLS"),
        // The provider's default for inherit is true.
        i["inherit"] === false ? "NOINHERIT" : "INHERIT",
        `CONNECTION LIMIT ${i["connectionLimit"] ?? -1}`,
        ...(i["password"] !== undefined ? [`PASSWORD ${lit(String(i["password"]))}`] : []),
    ];
    return `CREATE ROLE ${q(String(i["name"]))} WITH ${options.join(" ")}`;
}

/** `postgresql:index/database:Database` as CREATE DATABASE. */
export function createDatabaseSql(resource: CapturedResource): string {
    const i = reveal(resource.inputs) as DatabaseInputs;
    known("Database", i, ["name", "owner", "encoding", "template", "allowConnections"]);
    const parts = [`CREATE DATABASE ${q(String(i["name"]))}`];
    if (i["owner"] !== undefined) parts.push(`OWNER ${q(String(i["owner"]))}`);
    if (i["template"] !== undefined) parts.push(`TEMPLATE ${q(String(i["template"]))}`);
    if (i["encoding"] !== undefined) parts.push(`ENCODING ${lit(String(i["encoding"]))}`);
    if (i["allowConnections"] !== undefined) parts.push(`ALLOW_CONNECTIONS ${i["allowConnections"] ? "true" : "false"}`);
    return parts.join(" ");
}

/**
 * `postgresql:index/grant:Grant` on a database: the provider revokes what the role holds, then
 * grants the listed privileges (none: a pure revoke). Role `public` is PUBLIC.
 */
export function grantSql(resource: CapturedResource): string[] {
    const i = reveal(resource.inputs) as Record<string, unknown>;
    known("Grant", i, ["database", "role", "objectType", "privileges"]);
    if (i["objectType"] !== "database")
        throw new Error(`Grant on object type ${String(i["objectType"])} has no translation in test/servers/support-postgres.ts`);
    const role = i["role"] === "public" ? "PUBLIC" : q(String(i["role"]));
    const privileges = (i["privileges"] as string[] | undefined) ?? [];
    const db = q(String(i["database"]));
    return [
        `REVOKE ALL PRIVILEGES ON DATABASE ${db} FROM ${role}`,
        ...(privileges.length ? [`GRANT ${privileges.join(", ")} ON DATABASE ${db} TO ${role}`] : []),
    ];
}
