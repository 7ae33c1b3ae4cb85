import { z } from "zod";
import { tenantSchema } from "./schema";

/** The JSON Schema of a tenant file, as editors read it (`tenants/tenant.schema.json`). */
export function tenantJsonSchema(): string {
    const schema = z.toJSONSchema(tenantSchema, { io: "input", target: "draft-2020-12" }) as Record<string, unknown>;
    return `${JSON.stringify({ ...schema, $id: "https://llmops.io/schemas/tenant.schema.json" }, null, 2)}\n`;
}
