import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import type { Capture } from "../../cli/mock-runtime";
import { stackCapture } from "../support/capture";
import { containerRun, type ContainerRun, rootedPath } from "../support/pod";
import { containersOf, find, ofKind } from "../support/resources";
import { freePort } from "../support/servers";
import { requireServerTool } from "../support/tools";
import { decodeTraces, encodeTraces, type OtlpSpan } from "./otlp-proto";

/**
 * The trace gateway's real collector (scripts/servers/install-go.sh), started with exactly the
 * ConfigMap and Secret env the program emits; only addresses are rewritten: tenant Langfuse
 * endpoints to stub servers on loopback, listeners to free loopback ports, the queue directory
 * to a temporary one. Spans are sent the way Kong's opentelemetry plugin sends them.
 */
const STACK = "dev";
const collector = requireServerTool("otelcol-llmops");

interface Received {
    readonly authorization: string | undefined;
    readonly attributes: Record<string, string>;
    readonly spanNames: string[];
}

/** A tenant's Langfuse OTLP endpoint: records what arrives; can go down and come back on the same port. */
class LangfuseStub {
    readonly received: Received[] = [];
    private server?: http.Server;
    constructor(
        readonly port: number,
        readonly path: string,
    ) {}

    async up(): Promise<void> {
        this.server = http.createServer((req, res) => {
            const chunks: Buffer[] = [];
            req.on("data", (c: Buffer) => chunks.push(c));
            req.on("end", () => {
                const raw = Buffer.concat(chunks);
                const body = req.headers["content-encoding"] === "gzip" ? gunzipSync(raw) : raw;
                if (req.url !== this.path || req.headers["content-type"] !== "application/x-protobuf") {
                    res.writeHead(404).end();
                    return;
                }
                for (const rs of decodeTraces(body)) this.received.push({ authorization: req.headers.authorization, ...rs });
                res.writeHead(200, { "content-type": "application/x-protobuf" }).end();
            });
        });
        await new Promise<void>((resolve) => this.server!.listen(this.port, "127.0.0.1", resolve));
    }

    async down(): Promise<void> {
        const s = this.server;
        this.server = undefined;
        if (!s) return;
        s.closeAllConnections();
        await new Promise<void>((resolve) => s.close(() => resolve()));
    }

    spanNames(): string[] {
        return this.received.flatMap((r) => r.spanNames);
    }
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs: number): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const v = await probe();
        if (v !== undefined && v !== false) return v;
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 200));
    }
}

async function get(url: string): Promise<{ status: number; body: string } | undefined> {
    try {
        const res = await fetch(url);
        return { status: res.status, body: await res.text() };
    } catch {
        return undefined;
    }
}

let counter = 0;
function spans(prefix: string, n: number): OtlpSpan[] {
    const now = BigInt(Date.now()) * 1_000_000n;
    return Array.from({ length: n }, (_, i) => {
        const id = ++counter;
        const traceId = Buffer.alloc(16);
        traceId.writeUInt32BE(id, 12);
        const spanId = Buffer.alloc(8);
        spanId.writeUInt32BE(id, 4);
        return { traceId, spanId, name: `${prefix}-${i}`, startNs: now, endNs: now + 1_000_000n };
    });
}

describe.skipIf(!collector)(`the trace gateway's collector (real, ${STACK})`, () => {
    let cap: Capture;
    let run: ContainerRun;
    let root: string;
    let configPath: string;
    let tenants: string[];
    let stubs: Map<string, LangfuseStub>;
    let kongAttributes: Map<string, Record<string, string>>;
    let ports: { otlp: number; health: number; selfMetrics: number; unrouted: number };
    let proc: ChildProcess | undefined;
    let log = "";

    async function start(): Promise<void> {
        proc = spawn(
            collector!,
            run.args.map((a) => a.replace(/^--config=(.*)$/, (_, p: string) => `--config=${rootedPath(root, p)}`)),
            {
                env: { PATH: process.env["PATH"], HOME: root, ...run.env },
                stdio: ["ignore", "pipe", "pipe"],
            },
        );
        proc.stdout!.on("data", (d) => (log += d));
        proc.stderr!.on("data", (d) => (log += d));
        const exited = new Promise<number | null>((resolve) => proc!.on("exit", resolve));
        await Promise.race([
            waitFor(
                "the collector's health check",
                async () => (await get(`http://127.0.0.1:${ports.health}/`))?.status === 200 || undefined,
                60_000,
            ),
            exited.then((code) => Promise.reject(new Error(`collector exited ${code}:\n${log.slice(-4000)}`))),
        ]);
    }

    async function stop(): Promise<void> {
        const p = proc;
        proc = undefined;
        if (!p || p.exitCode !== null) return;
        const exited = new Promise((resolve) => p.on("exit", resolve));
        p.kill("SIGTERM");
        await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
        if (p.exitCode === null) p.kill("SIGKILL");
    }

    /** POSTs spans the way Kong's opentelemetry plugin does: OTLP/HTTP protobuf, resource attributes from its KongPlugin. */
    async function sendAsKong(attributes: Record<string, string>, batch: OtlpSpan[]): Promise<void> {
        const res = await fetch(`http://127.0.0.1:${ports.otlp}/v1/traces`, {
            method: "POST",
            headers: { "content-type": "application/x-protobuf" },
            body: encodeTraces(attributes, "kong-internal", batch),
        });
        expect(res.status, await res.text()).toBe(200);
    }

    async function unroutedCount(): Promise<number | undefined> {
        const r = await get(`http://127.0.0.1:${ports.unrouted}/metrics`);
        const line = r?.body.split("\n").find((l) => /^llmops_trace_gateway_unrouted_spans(_total)?(\{[^}]*\})? /.test(l));
        return line ? Number(line.split(" ").pop()) : undefined;
    }

    beforeAll(async () => {
        cap = await stackCapture(STACK);
        run = containerRun(cap, "StatefulSet", "llm-platform", "trace-gateway", "collector");
        root = fs.mkdtempSync(path.join(os.tmpdir(), "trace-gateway-"));
        const configFile = Object.keys(run.files).find((f) => f.endsWith("config.yaml"))!;
        expect(run.args).toContain(`--config=${configFile}`);
        const config = parse(run.files[configFile]!) as Record<string, any>;

        // What Kong adds to each tenant's spans, from the KongPlugins the program declares.
        const plugins = ofKind(cap, "KongPlugin").filter((p) => p["plugin"] === "opentelemetry");
        expect(plugins.length).toBeGreaterThan(0);
        kongAttributes = new Map();
        for (const p of plugins) {
            const attrs = p["config"].resource_attributes as Record<string, string>;
            const tenant = Object.entries(attrs).find(([k]) =>
                config["connectors"]["routing"]["table"].some((r: any) => r.condition.startsWith(`attributes["${k}"]`)),
            );
            expect(tenant, `KongPlugin ${p.metadata.name} sets no attribute the gateway routes on`).toBeDefined();
            kongAttributes.set(tenant![1], attrs);
        }

        // Only addresses change: tenant endpoints, listeners, the queue directory.
        stubs = new Map();
        const exporters = config["exporters"] as Record<string, any>;
        const tenantExporters = Object.entries(exporters).filter(([id]) => id.startsWith("otlp_http/tenant-"));
        expect(tenantExporters.length).toBeGreaterThan(1);
        for (const [id, e] of tenantExporters) {
            const url = new URL(e.traces_endpoint);
            const stub = new LangfuseStub(await freePort(), url.pathname);
            stubs.set(id.slice("otlp_http/tenant-".length), stub);
            e.traces_endpoint = `http://127.0.0.1:${stub.port}${url.pathname}`;
        }
        tenants = [...stubs.keys()].sort().slice(0, 2);
        for (const t of tenants) expect(kongAttributes.has(t), `no KongPlugin for ${t}`).toBe(true);
        ports = { otlp: await freePort(), health: await freePort(), selfMetrics: await freePort(), unrouted: await freePort() };
        config["receivers"]["otlp"]["protocols"]["http"]["endpoint"] = `127.0.0.1:${ports.otlp}`;
        config["extensions"]["health_check"]["endpoint"] = `127.0.0.1:${ports.health}`;
        const prom = Object.entries(exporters).find(([id]) => id.startsWith("prometheus/"))!;
        prom[1].endpoint = `127.0.0.1:${ports.unrouted}`;
        for (const r of config["service"]["telemetry"]["metrics"]["readers"])
            Object.assign(r.pull.exporter.prometheus, { host: "127.0.0.1", port: ports.selfMetrics });
        for (const ext of Object.values(config["extensions"] as Record<string, any>)) {
            if (ext.directory) ext.directory = rootedPath(root, ext.directory);
            if (ext.compaction?.directory) ext.compaction.directory = rootedPath(root, ext.compaction.directory);
        }
        // The StatefulSet's volume provides the queue directory.
        const set = find(cap, "StatefulSet", "llm-platform", "trace-gateway");
        const queueMount = containersOf(set)["collector"].volumeMounts.find((m: any) => m.name === "data").mountPath;
        fs.mkdirSync(rootedPath(root, queueMount), { recursive: true });
        configPath = rootedPath(root, configFile);
        fs.mkdirSync(path.dirname(configPath), { recursive: true });
        fs.writeFileSync(configPath, stringify(config));
        for (const s of stubs.values()) await s.up();
        await start();
    }, 240_000);

    afterAll(async () => {
        await stop();
        const warnings = log.split("\n").filter((l) => /\t(warn|error)\t/.test(l));
        if (warnings.length) console.info(`collector warnings and errors:\n${warnings.join("\n")}`);
        for (const s of stubs?.values() ?? []) await s.down();
        if (root) fs.rmSync(root, { recursive: true, force: true });
    });

    /** `Basic base64(pk:sk)` from the keys the tenant's Langfuse is initialised with. */
    function expectedAuthorization(tenant: string): string {
        const web = containerRun(cap, "Deployment", `llm-${tenant}`, "langfuse-web", "web").env;
        const [pk, sk] = [web["LANGFUSE_INIT_PROJECT_PUBLIC_KEY"], web["LANGFUSE_INIT_PROJECT_SECRET_KEY"]];
        expect(pk, `langfuse-web of ${tenant} has no init public key`).toBeTruthy();
        expect(sk).toBeTruthy();
        return `Basic ${Buffer.from(`${pk}:${sk}`).toString("base64")}`;
    }

    it("delivers each tenant's spans to its own Langfuse only, with its own key pair, and counts and drops an unknown tenant's", async () => {
        const [a, b] = tenants as [string, string];
        const unknownAttrs = { ...kongAttributes.get(a)! };
        const routeKey = Object.keys(unknownAttrs).find((k) => unknownAttrs[k] === a)!;
        unknownAttrs[routeKey] = "no-such-tenant";
        await sendAsKong(kongAttributes.get(a)!, spans(`${a}-first`, 3));
        await sendAsKong(kongAttributes.get(b)!, spans(`${b}-first`, 2));
        await sendAsKong(unknownAttrs, spans("unknown", 4));

        for (const [t, n] of [
            [a, 3],
            [b, 2],
        ] as const) {
            const stub = stubs.get(t)!;
            await waitFor(`${n} spans at ${t}'s Langfuse`, () => stub.spanNames().length >= n || undefined, 30_000);
            expect(stub.spanNames().sort()).toEqual(Array.from({ length: n }, (_, i) => `${t}-first-${i}`));
            for (const r of stub.received) {
                expect(r.authorization).toBe(expectedAuthorization(t));
                expect(r.attributes[routeKey]).toBe(t);
            }
        }
        expect(await waitFor("the unrouted count to reach 4", async () => ((await unroutedCount()) === 4 ? 4 : undefined), 30_000)).toBe(4);
        for (const s of stubs.values()) expect(s.spanNames().filter((n) => n.startsWith("unknown"))).toEqual([]);
    }, 120_000);

    it("queues a tenant's spans across an outage and a restart, without delaying the other tenant", async () => {
        const [a, b] = tenants as [string, string];
        const stubA = stubs.get(a)!;
        const stubB = stubs.get(b)!;
        await stubA.down();
        await sendAsKong(kongAttributes.get(a)!, spans(`${a}-outage`, 3));
        const sentB = Date.now();
        await sendAsKong(kongAttributes.get(b)!, spans(`${b}-during`, 2));
        await waitFor(
            `${b}'s spans during ${a}'s outage`,
            () => stubB.spanNames().filter((n) => n.startsWith(`${b}-during`)).length === 2 || undefined,
            10_000,
        );
        const delay = Date.now() - sentB;
        // Let the exporter fail at least once, then stop the gateway with the spans still queued.
        await new Promise((r) => setTimeout(r, 2_000));
        await stop();
        const queueDir = rootedPath(
            root,
            containersOf(find(cap, "StatefulSet", "llm-platform", "trace-gateway"))["collector"].volumeMounts.find(
                (m: any) => m.name === "data",
            ).mountPath,
        );
        expect(
            fs.readdirSync(queueDir).filter((f) => f.includes(`tenant-${a}`)),
            `no queue file of ${a} in ${fs.readdirSync(queueDir).join(", ")}`,
        ).not.toEqual([]);

        await start();
        await sendAsKong(kongAttributes.get(b)!, spans(`${b}-after`, 1));
        await waitFor(`${b}'s spans after the restart`, () => stubB.spanNames().includes(`${b}-after-0`) || undefined, 10_000);
        expect(stubA.spanNames().filter((n) => n.includes("-outage-"))).toEqual([]);
        await stubA.up();
        // Retries back off up to 30 s (retry_on_failure.max_interval).
        await waitFor(
            `${a}'s queued spans`,
            () => stubA.spanNames().filter((n) => n.includes("-outage-")).length >= 3 || undefined,
            60_000,
        );
        expect(
            stubA
                .spanNames()
                .filter((n) => n.includes("-outage-"))
                .sort(),
        ).toEqual([`${a}-outage-0`, `${a}-outage-1`, `${a}-outage-2`]);
        for (const r of stubA.received) expect(r.authorization).toBe(expectedAuthorization(a));
        expect(stubB.spanNames().some((n) => n.startsWith(a))).toBe(false);
        console.info(`trace gateway: ${b}'s spans arrived ${delay} ms after sending while ${a}'s Langfuse was down`);
        expect(delay).toBeLessThan(5_000);
    }, 180_000);
});
