import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startEnvironment } from "./environment";
import { pulumiOk } from "./pulumi";
import { missingBinaries } from "./toolchain";

/** One row of the engine benchmark. */
export interface EngineRun {
    readonly tenants: number;
    readonly resources: number;
    readonly previewSeconds: number;
    readonly previewPeakMiB: number;
    readonly upSeconds: number;
    readonly upPeakMiB: number;
}

/** Whether the toolchain for the engine benchmark is there (it is skipped, with a note, when not). */
export function engineBenchAvailable(): boolean {
    return missingBinaries().length === 0;
}

/** `n` small tenants with every app, SSO and Kong, in the e2e stack. */
function tenantFiles(n: number): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `engine-bench-${n}-`));
    for (let i = 1; i <= n; i++) {
        const id = `t${String(i).padStart(4, "0")}`;
        fs.writeFileSync(
            path.join(dir, `${id}.yaml`),
            [
                `id: ${id}`,
                `displayName: Tenant ${i}`,
                `owners: [{ name: Owner ${i}, email: owner@${id}.example }]`,
                "stacks: [e2e]",
                "size: small",
                "sso:",
                `  emailDomains: [${id}.example]`,
                `  admins: [owner@${id}.example]`,
                "kong:",
                `  consumers: [${id}-api]`,
                "",
            ].join("\n"),
        );
    }
    return dir;
}

/**
 * `pulumi preview` and `pulumi up` of `n` tenants against the e2e's local control plane, in a
 * fresh environment each: wall time and peak resident memory of the whole process tree (CLI,
 * language host, program, providers).
 */
export async function engineRun(n: number): Promise<EngineRun> {
    const dir = tenantFiles(n);
    const env = await startEnvironment({ tenantsFrom: dir });
    try {
        const s = env.context.pulumi;
        const preview = await pulumiOk(s, ["preview"]);
        const up = await pulumiOk(s, ["up", "--yes", "--skip-preview"]);
        const state = JSON.parse((await pulumiOk(s, ["stack", "export"])).stdout) as { deployment: { resources?: { custom?: boolean }[] } };
        const resources = (state.deployment.resources ?? []).filter((r) => r.custom).length;
        return {
            tenants: n,
            resources,
            previewSeconds: preview.seconds,
            previewPeakMiB: preview.peakRssMiB,
            upSeconds: up.seconds,
            upPeakMiB: up.peakRssMiB,
        };
    } finally {
        await env.stop();
        fs.rmSync(dir, { recursive: true, force: true });
    }
}
