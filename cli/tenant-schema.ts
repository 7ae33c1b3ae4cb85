import * as fs from "node:fs";
import * as path from "node:path";
import { tenantJsonSchema } from "../components/tenancy/json-schema";

/** `npm run schema`: regenerates tenants/tenant.schema.json from the zod schema. */
const file = path.join(__dirname, "..", "tenants", "tenant.schema.json");
fs.writeFileSync(file, tenantJsonSchema());
console.log(`wrote ${path.relative(process.cwd(), file)}`);
