import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { formatCpu, formatMemory } from "../components/kube/resources";
import { add, type Footprint, podFootprint, totalFootprint, workloads, ZERO } from "./footprint";
import { capSize, SIZE_ORDER } from "../components/environment/defaults";
import { SIZES as TENANT_SIZES, type Size } from "../components/sizing/size";
import { type Capture, PROJECT_ROOT, runProgram, type RunOptions } from "./mock-runtime";
import { tenantOf } from "./render";
import { platformConfigOf, profileOf, requireStacks } from "./stacks";
import { engineBenchAvailable, engineRun } from "../test/e2e/support/engine-bench";
import { APP_NAMES } from "../components/apps/registry";
import { benchTenantFiles } from "./bench/tenant-files";

/**
 * `npm run bench`: how declare time, memory and cluster footprint grow with tenants.
 *
 * Every measurement runs in a fresh process (the Pulumi runtime is global state) and is repeated;
 * medians are reported, and program and floors are interleaved so that noise hits them alike.
 * Floors: the same number of trivial resources (Namespaces), and the program's own resources
 * replayed as plain resources without the program's code, both declared in tenant-sized batches
 * as the program declares them.
 */

const SIZES = (process.env["BENCH_TENANTS"] ?? "10,50,100,200").split(",").map(Number);
/** Tenant counts for the real engine against the local control plane (`BENCH_ENGINE_TENANTS=` skips it). */
const ENGINE_SIZES = (process.env["BENCH_ENGINE_TENANTS"] ?? "1,5,20").split(",").filter(Boolean).map(Number);
const REPEAT = Number(process.env["BENCH_REPEAT"] ?? 3);
const TSX = path.join(PROJECT_ROOT, "node_modules", ".bin", "tsx");
const NODE_FLAGS = ["--max-semi-space-size=64"];

interface Run {
    ms: number;
    resources: number;
    custom: number;
    maxRssMiB: number;
}

function once(opts: RunOptions): Run {
    const r = spawnSync(
        process.execPath,
        [...NODE_FLAGS, "--import", "tsx", path.join(PROJECT_ROOT, "cli", "bench", "run-once.ts"), JSON.stringify(opts)],
        {
            cwd: PROJECT_ROOT,
            encoding: "utf8",
            maxBuffer: 16 * 1024 * 1024,
        },
    );
    if (r.status !== 0) throw new Error(`benchmark run failed (${JSON.stringify(opts).slice(0, 120)}): ${r.stderr}`);
    return JSON.parse(r.stdout.trim().split("\n").pop()!) as Run;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** `n` generated tenants on `stacks`, `standard` unless `sizeOf` says otherwise. */
function tenantFiles(n: number, sizeOf: (i: number) => string = () => "standard", stacks = "[prod]"): string {
    return benchTenantFiles(n, { stacks, sizeOf, samplingRate: 0.2 });
}

const f1 = (x: number) => x.toFixed(1);
const f2 = (x: number) => x.toFixed(2);
const table = (header: string[], rows: (string | number)[][]) =>
    [`| ${header.join(" | ")} |`, `| ${header.map(() => "---").join(" | ")} |`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
const fp = (f: Footprint) => `${formatCpu(f.cpuRequest)} / ${formatMemory(f.memoryRequest)}`;
const fpl = (f: Footprint) => `${formatCpu(f.cpuLimit)} / ${formatMemory(f.memoryLimit)}`;

async function main(): Promise<void> {
    const out: string[] = [
        "# Benchmark",
        "",
        `Node ${process.version}, ${os.cpus().length} CPUs, ${REPEAT} runs each (medians), prod profile, standard tenants with all three apps, SSO and Kong.`,
        "",
    ];
    const rows: (string | number)[][] = [];
    const times = new Map<number, number>();
    for (const n of SIZES) {
        const dir = tenantFiles(n);
        const replayFile = path.join(dir, "replay.json");
        const full = captureInChild({ stack: "prod", tenantsDir: dir }, replayFile);
        const perTenant = Math.round(full.resources / Math.max(n, 1));
        const program: Run[] = [];
        const floor: Run[] = [];
        const replay: Run[] = [];
        for (let i = 0; i < REPEAT; i++) {
            program.push(once({ stack: "prod", tenantsDir: dir, lean: true }));
            const declared = program[program.length - 1]!.resources;
            floor.push(
                once({
                    stack: "prod",
                    program: path.join(PROJECT_ROOT, "cli", "bench", "floor-program.ts"),
                    extraConfig: { "llmops-platform:floorResources": String(declared), "llmops-platform:floorBatch": String(perTenant) },
                    lean: true,
                }),
            );
            replay.push(
                once({
                    stack: "prod",
                    program: path.join(PROJECT_ROOT, "cli", "bench", "replay-program.ts"),
                    extraConfig: { "llmops-platform:replayFile": replayFile, "llmops-platform:floorBatch": String(perTenant) },
                    lean: true,
                }),
            );
        }
        const p = median(program.map((r) => r.ms));
        const fl = median(floor.map((r) => r.ms));
        const rp = median(replay.map((r) => r.ms));
        const resources = program[0]!.resources;
        times.set(n, p);
        rows.push([
            n,
            resources,
            f1(resources / n),
            f1(p / 1000),
            f1(median(program.map((r) => r.maxRssMiB))),
            f2(p / resources),
            f1(fl / 1000),
            f2(p / fl),
            f1(rp / 1000),
            f2(p / rp),
        ]);
        fs.rmSync(dir, { recursive: true, force: true });
        console.error(`bench: ${n} tenants done`);
    }
    out.push("## Declare time and memory", "");
    out.push(
        table(
            [
                "tenants",
                "resources",
                "per tenant",
                "program s",
                "peak RSS MiB",
                "ms / resource",
                "trivial floor s",
                "program / trivial",
                "replay floor s",
                "program / replay",
            ],
            rows,
        ),
    );
    if (times.has(50) && times.has(200))
        out.push("", `Growth: t(200) / t(50) = ${f2(times.get(200)! / times.get(50)!)} for 4x the tenants (linear is 4.00).`);

    out.push("", "## Cluster footprint (requests / limits of Deployments and StatefulSets, times replicas)", "");
    const stackRows: (string | number)[][] = [];
    for (const stack of requireStacks()) {
        const cap = captureFootprint({ stack });
        stackRows.push([stack, fp(cap.total), fpl(cap.total), fp(cap.platform), fp(cap.atMax), fpl(cap.atMax)]);
    }
    out.push(
        table(
            [
                "stack (shipped tenants)",
                "requests",
                "limits",
                "of which platform",
                "requests, autoscalers at max",
                "limits, autoscalers at max",
            ],
            stackRows,
        ),
    );

    // One stack per tenant-size cap: stacks with the same cap would repeat the same rows.
    const byCap = new Map<Size, string>();
    for (const stack of requireStacks()) {
        const cap = platformConfigOf(stack).maxTenantSize ?? profileOf(stack).maxTenantSize;
        if (!byCap.has(cap)) byCap.set(cap, stack);
    }
    const capped = [...byCap].sort(([a], [b]) => SIZE_ORDER[a] - SIZE_ORDER[b]);
    out.push(
        "",
        `### One tenant, all three apps, by size profile (one stack per tenant-size cap: ${capped.map(([cap, stack]) => `${stack} caps at ${cap}`).join(", ")})`,
        "",
    );
    const sizeRows: (string | number)[][] = [];
    for (const [maxSize, stack] of capped) {
        // One tenant per run: several would have to fit the stack's Postgres connection budget together.
        for (const requested of TENANT_SIZES) {
            const dir = tenantFiles(1, () => requested, `[${stack}]`);
            const f = captureFootprint({ stack, tenantsDir: dir }).byTenant.get("t0001");
            if (!f) throw new Error(`bench: a ${requested} tenant declared no workloads in ${stack}; its footprint cannot be measured.`);
            sizeRows.push([stack, requested, capSize(requested, maxSize), fp(f), fpl(f)]);
            fs.rmSync(dir, { recursive: true, force: true });
        }
    }
    out.push(table(["stack", "requested size", "effective size", "requests", "limits"], sizeRows));

    out.push("", "## Resources of one standard tenant (prod), by app", "");
    const dir = tenantFiles(1);
    const cap = await runProgram({ stack: "prod", tenantsDir: dir });
    const owner = tenantOf(cap.resources);
    const byApp = new Map<string, Map<string, number>>();
    for (const r of cap.resources.filter((x) => owner.get(x.urn) === "t0001")) {
        const app = appOf(r.name, r.type);
        const type =
            r.type === "pulumi-nodejs:dynamic:Resource"
                ? `dynamic (${String(r.inputs["kind"])})`
                : r.type.replace(/^kubernetes:[^:]+:/, "k8s ");
        if (!byApp.has(app)) byApp.set(app, new Map());
        byApp.get(app)!.set(type, (byApp.get(app)!.get(type) ?? 0) + 1);
    }
    const inv: (string | number)[][] = [];
    for (const [app, types] of [...byApp].sort())
        inv.push([
            app,
            [...types.values()].reduce((a, b) => a + b, 0),
            [...types]
                .sort()
                .map(([t, c]) => `${c} ${t}`)
                .join(", "),
        ]);
    out.push(table(["part", "resources", "what"], inv));
    out.push(
        "",
        `Total for one tenant: ${[...byApp.values()].flatMap((m) => [...m.values()]).reduce((a, b) => a + b, 0)} resources (components included).`,
    );
    fs.rmSync(dir, { recursive: true, force: true });

    out.push("", "## The real engine against a local control plane (local profile, small tenants, one run each)", "");
    if (ENGINE_SIZES.length === 0) out.push("Skipped (BENCH_ENGINE_TENANTS is empty).");
    else if (!engineBenchAvailable()) out.push("Skipped: the toolchain is not built (`bash scripts/toolchain/build.sh`).");
    else {
        const engineRows: (string | number)[][] = [];
        for (const n of ENGINE_SIZES) {
            const r = await engineRun(n);
            engineRows.push([n, r.resources, f1(r.previewSeconds), f1(r.previewPeakMiB), f1(r.upSeconds), f1(r.upPeakMiB)]);
            console.error(
                `bench: engine, ${n} tenants: ${r.resources} resources, preview ${f1(r.previewSeconds)} s / ${f1(r.previewPeakMiB)} MiB, up ${f1(r.upSeconds)} s / ${f1(r.upPeakMiB)} MiB`,
            );
        }
        out.push(table(["tenants", "resources", "pulumi preview s", "preview peak MiB", "pulumi up s", "up peak MiB"], engineRows));
        out.push("", "Peak memory is the resident memory of the whole process tree: CLI, language host, program, providers.");
    }
    console.log(out.join("\n"));
}

function appOf(name: string, type: string): string {
    if (type.startsWith("llmops:")) return "(components)";
    for (const app of [...APP_NAMES, "clickhouse", "kong", "sso"])
        if (name.includes(`-${app}`)) return app === "clickhouse" ? "langfuse" : app;
    return "workspace";
}

/** A full capture in a child process, its resources saved for the replay floor. */
function captureInChild(opts: RunOptions, file: string): { resources: number } {
    const script = `const { runProgram } = require(${JSON.stringify(path.join(PROJECT_ROOT, "cli", "mock-runtime"))}); const fs = require("fs");
runProgram(${JSON.stringify(opts)}).then((c) => { fs.writeFileSync(${JSON.stringify(file)}, JSON.stringify(c.resources)); console.log(c.resources.length); process.exit(0); }, (e) => { console.error(e); process.exit(1); });`;
    const r = spawnSync(TSX, ["-e", script], { cwd: PROJECT_ROOT, encoding: "utf8" });
    if (r.status !== 0) throw new Error(r.stderr);
    return { resources: Number(r.stdout.trim()) };
}

function captureFootprint(opts: RunOptions): { total: Footprint; atMax: Footprint; platform: Footprint; byTenant: Map<string, Footprint> } {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "bench-fp-")), "capture.json");
    const script = `const { runProgram } = require(${JSON.stringify(path.join(PROJECT_ROOT, "cli", "mock-runtime"))}); const fs = require("fs");
runProgram(${JSON.stringify(opts)}).then((c) => { fs.writeFileSync(${JSON.stringify(file)}, JSON.stringify(c)); process.exit(0); }, (e) => { console.error(e); process.exit(1); });`;
    const r = spawnSync(TSX, ["-e", script], { cwd: PROJECT_ROOT, encoding: "utf8" });
    if (r.status !== 0) throw new Error(r.stderr);
    const cap = JSON.parse(fs.readFileSync(file, "utf8")) as Capture;
    const byTenant = new Map<string, Footprint>();
    for (const w of workloads(cap.resources))
        byTenant.set(w.tenant, add(byTenant.get(w.tenant) ?? ZERO, podFootprint(w.template), w.replicas));
    return {
        total: totalFootprint(cap.resources),
        atMax: totalFootprint(cap.resources, undefined, true),
        platform: byTenant.get("platform") ?? ZERO,
        byTenant,
    };
}

main().catch((e) => {
    console.error(e);
    process.exit(1);
});
