import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/**
 * A directory of `n` generated tenant files (`t0001` …) with every app, SSO and Kong, for the
 * benchmarks: the mock-runtime bench and the engine bench both declare these.
 */
export function benchTenantFiles(
    n: number,
    opts: {
        /** The tenants' `stacks` list, as YAML, e.g. `[prod]`. */
        readonly stacks: string;
        /** Each tenant's size. @default standard */
        readonly sizeOf?: (i: number) => string;
        /** Kong's sampling rate. @default unset: the tenant file's default */
        readonly samplingRate?: number;
        /** Prefix of the temporary directory. @default bench */
        readonly prefix?: string;
    },
): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${opts.prefix ?? "bench"}-${n}-`));
    for (let i = 1; i <= n; i++) {
        const id = `t${String(i).padStart(4, "0")}`;
        fs.writeFileSync(
            path.join(dir, `${id}.yaml`),
            [
                `id: ${id}`,
                `displayName: Tenant ${i}`,
                `owners: [{ name: Owner ${i}, email: owner@${id}.example }]`,
                `stacks: ${opts.stacks}`,
                `size: ${opts.sizeOf?.(i) ?? "standard"}`,
                "sso:",
                `  emailDomains: [${id}.example]`,
                `  admins: [owner@${id}.example]`,
                "kong:",
                `  consumers: [${id}-api]`,
                ...(opts.samplingRate === undefined ? [] : [`  samplingRate: ${opts.samplingRate}`]),
                "",
            ].join("\n"),
        );
    }
    return dir;
}
