import type { StackValidationPolicy } from "@pulumi/policy";
import { plain } from "../lib/values";

export const postgresConnectRevoked: StackValidationPolicy = {
    name: "postgres-connect-revoked-from-public",
    description: "Every Postgres database the platform creates has CONNECT revoked from PUBLIC, so only its owner can connect.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const revoked = new Set(
            args.resources
                .filter((r) => r.type === "postgresql:index/grant:Grant")
                .map((r) => plain<{ database?: string; role?: string; objectType?: string; privileges?: string[] }>(r.props))
                .filter((g) => g.role === "public" && g.objectType === "database" && (g.privileges ?? []).length === 0)
                .map((g) => g.database),
        );
        for (const db of args.resources.filter((r) => r.type === "postgresql:index/database:Database")) {
            const name = plain<{ name?: string }>(db.props).name;
            if (name !== undefined && !revoked.has(name)) report(`Postgres database ${name} does not revoke CONNECT from PUBLIC.`, db.urn);
        }
    },
};
