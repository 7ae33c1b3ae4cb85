import type { ResourceValidationPolicy } from "@pulumi/policy";
import { plain } from "../lib/values";

export const postgresRoleLeastPrivilege: ResourceValidationPolicy = {
    name: "postgres-role-least-privilege",
    description: "No Postgres role the platform creates is superuser, createdb, createrole, replication or bypasses row-level security.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type !== "postgresql:index/role:Role") return;
        const p = plain<Record<string, unknown>>(args.props);
        for (const flag of ["superuser", "createDatabase", "createRole", "replication", "bypassRowLevelSecurity"]) {
            if (p[flag] === true) report(`Postgres role ${typeof p["name"] === "string" ? p["name"] : args.name}: ${flag} is true.`);
        }
    },
};
