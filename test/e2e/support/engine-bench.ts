import * as fs from "node:fs";
import { startEnvironment } from "./environment";
import { pulumiOk } from "./pulumi";
import { missingBinaries } from "./toolchain";
import { benchTenantFiles } from "../../../cli/bench/tenant-files";

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

/**
 * `pulumi preview` and `pulumi up` of `n` tenants against the e2e's local control plane, in a
 * fresh environment each: wall time and peak resident memory of the whole process tree (CLI,
 * language host, program, providers).
 */
export async function engineRun(n: number): Promise<EngineRun> {
    const dir = benchTenantFiles(n, { stacks: "[e2e]", sizeOf: () => "small", prefix: "engine-bench" });
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
