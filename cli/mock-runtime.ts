import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { ValidationError } from "../components/validation/problems";
import { readYamlFile } from "../components/validation/yaml-file";
import { knownStacks } from "../components/platform/inputs";

/**
 * Runs the real program (index.ts) under Pulumi's mock runtime for one stack, with that stack's
 * config from `stacks/Pulumi.<stack>.yaml`, and captures every resource it declares together
 * with the options the engine would receive (protect, retainOnDelete, dependencies, aliases,
 * provider), read from the registration requests themselves. One run per process: the Pulumi
 * runtime is global state.
 */

export const PROJECT = "llmops-platform";
export const PROJECT_ROOT = path.resolve(__dirname, "..");

/** Wire signatures of Pulumi's serialized secrets and resource references. */
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";

/** A secret value in captured inputs. Synth writes {@link SECRET_MARKER} in its place. */
export interface SecretValue {
    readonly "@secret": unknown;
}
export const SECRET_MARKER = "[secret]";

export interface ResourceOptionsSeen {
    readonly protect: boolean;
    readonly retainOnDelete: boolean;
    readonly deleteBeforeReplace: boolean;
    /** URNs this resource depends on (explicit `dependsOn` and inputs that are other resources' outputs). */
    readonly dependencies: string[];
    readonly aliases: unknown[];
    readonly ignoreChanges: string[];
    /** Provider reference (`<urn>::<id>`), when not the default provider. */
    readonly provider?: string;
    /** How long the engine waits for a create or update, when not its default. */
    readonly customTimeouts?: { readonly create?: string; readonly update?: string; readonly delete?: string };
}

export interface CapturedResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly custom: boolean;
    readonly parent?: string;
    /** Inputs as sent to the engine; secrets wrapped as {@link SecretValue}. */
    readonly inputs: Record<string, unknown>;
    readonly options: ResourceOptionsSeen;
}

export interface Capture {
    readonly stack: string;
    readonly resources: CapturedResource[];
    /** Stack outputs; secrets wrapped as {@link SecretValue}. */
    readonly outputs: Record<string, unknown>;
    /** Secret config keys the stack names but this machine cannot decrypt; synth stood in for them. */
    readonly placeholderSecrets: string[];
    /** Problems found by the harness itself (duplicate URNs). */
    readonly errors: string[];
}

export interface RunOptions {
    readonly stack: string;
    /** A tenants directory other than `tenants/` (passed to the program as config `tenantsDir`). */
    readonly tenantsDir?: string;
    /** Changes to the stack's platform config, deep-merged over the file's (null deletes a key). */
    readonly platformOverrides?: Record<string, unknown>;
    /** Replaces the stack file's config entirely (for config-validation tests). */
    readonly rawConfig?: Record<string, unknown>;
    /** Another program to run instead of index.ts (the benchmark's trivial-resource floor). */
    readonly program?: string;
    /** Extra config values, by full key. */
    readonly extraConfig?: Record<string, string>;
    /**
     * Record only what each registration is (URN, type, name), not its inputs: for the benchmark,
     * which measures the program and the runtime, not the capture synth needs.
     */
    readonly lean?: boolean;
}

/** Deep-merges `patch` into `base`; `null` in the patch deletes the key. */
export function deepMerge(base: unknown, patch: unknown): unknown {
    if (patch === null) return undefined;
    if (typeof patch !== "object" || Array.isArray(patch) || typeof base !== "object" || base === null || Array.isArray(base)) return patch;
    const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
    for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
        const merged = deepMerge(out[k], v);
        if (merged === undefined) delete out[k];
        else out[k] = merged;
    }
    return out;
}

/** Reads a stack file's config map; a file that cannot be read or parsed is a {@link ValidationError} naming it. */
export function readStackConfig(stack: string, stacksDir = path.join(PROJECT_ROOT, "stacks")): Record<string, unknown> {
    const file = path.join(stacksDir, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) throw new Error(`no stack file ${path.relative(PROJECT_ROOT, file)}; stacks are: ${listStacks().join(", ")}`);
    const source = path.relative(PROJECT_ROOT, file);
    const read = readYamlFile(source, file);
    if (read.problems.length) throw new ValidationError(`stack config of \`${stack}\``, read.problems);
    const doc = read.data as { config?: unknown } | null;
    if (
        doc !== null &&
        (typeof doc !== "object" ||
            Array.isArray(doc) ||
            (doc.config != null && (typeof doc.config !== "object" || Array.isArray(doc.config))))
    ) {
        throw new ValidationError(`stack config of \`${stack}\``, [
            { source, path: "config", message: "must be a mapping of config keys to values.", fix: "start from stacks/Pulumi.dev.yaml." },
        ]);
    }
    return (doc?.config as Record<string, unknown> | undefined) ?? {};
}

/** The project's stacks: one `stacks/Pulumi.<stack>.yaml` each. */
export function listStacks(): string[] {
    return knownStacks(PROJECT_ROOT);
}

/** Config keys named by `*Key` fields of the platform config: the secrets the operator sets. */
function secretKeysNamed(value: unknown, out: Set<string> = new Set()): Set<string> {
    if (Array.isArray(value)) value.forEach((v) => secretKeysNamed(v, out));
    else if (value && typeof value === "object") {
        for (const [k, v] of Object.entries(value)) {
            if (/Key$/.test(k) && typeof v === "string") out.add(v);
            else secretKeysNamed(v, out);
        }
    }
    return out;
}

/** A deterministic stand-in for a generated value: the same resource always gets the same one. */
function det(seed: string, length: number, alphabet: string): string {
    let out = "";
    let counter = 0;
    while (out.length < length) {
        const block = createHash("sha256").update(`${seed}#${counter++}`).digest();
        for (const byte of block) {
            if (out.length >= length) break;
            out += alphabet[byte % alphabet.length];
        }
    }
    return out;
}

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const HEX = "0123456789abcdef";

function detBytes(seed: string, n: number): Buffer {
    const chunks: Buffer[] = [];
    let counter = 0;
    while (Buffer.concat(chunks).length < n) chunks.push(createHash("sha256").update(`${seed}#${counter++}`).digest());
    return Buffer.concat(chunks).subarray(0, n);
}

function detUuid(seed: string): string {
    const h = det(seed, 32, HEX);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Outputs of resources whose real values only a provider computes. */
function mockOutputs(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
    const seed = `${type}::${name}`;
    switch (type) {
        case "random:index/randomPassword:RandomPassword": {
            const length = Number(inputs["length"] ?? 16);
            return {
                ...inputs,
                result: pulumi.secret(det(seed, length, ALNUM)),
                bcryptHash: pulumi.secret(`$2a$10$${det(seed + "bcrypt", 53, ALNUM)}`),
            };
        }
        case "random:index/randomString:RandomString":
            return { ...inputs, result: det(seed, Number(inputs["length"] ?? 16), ALNUM.toLowerCase().slice(26)) };
        case "random:index/randomBytes:RandomBytes": {
            const bytes = detBytes(seed, Number(inputs["length"] ?? 32));
            return { ...inputs, hex: pulumi.secret(bytes.toString("hex")), base64: pulumi.secret(bytes.toString("base64")) };
        }
        case "random:index/randomId:RandomId": {
            const bytes = detBytes(seed, Number(inputs["byteLength"] ?? 8));
            return {
                ...inputs,
                hex: bytes.toString("hex"),
                b64Std: bytes.toString("base64"),
                b64Url: bytes.toString("base64url"),
                dec: BigInt(`0x${bytes.toString("hex")}`).toString(),
            };
        }
        case "random:index/randomUuid:RandomUuid":
            return { ...inputs, result: detUuid(seed) };
        case "pulumi-nodejs:dynamic:Resource":
            // What the Logto dynamic provider would return from create (ids as Logto shapes them).
            if (inputs["kind"] === "logto:organization") {
                return {
                    ...inputs,
                    organizationId: det(seed, 12, ALNUM.toLowerCase().slice(26)),
                    adminMembers: [],
                    pendingAdminEmails: inputs["adminEmails"] ?? [],
                };
            }
            if (inputs["kind"] === "logto:application") {
                return {
                    ...inputs,
                    applicationId: det(seed, 21, ALNUM.toLowerCase().slice(26)),
                    clientSecret: pulumi.secret(det(`${seed}#secret`, 32, ALNUM)),
                };
            }
            return inputs;
        default:
            // A Kubernetes object's outputs echo its inputs; the program reads only their metadata,
            // so the mock returns that much and spares every object a full round trip.
            if (type.startsWith("kubernetes:"))
                return { apiVersion: inputs["apiVersion"], kind: inputs["kind"], metadata: inputs["metadata"] };
            return inputs;
    }
}

/** Converts wire values: secrets to {@link SecretValue}, resource references to their URN. */
function fromWire(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(fromWire);
    if (value && typeof value === "object") {
        const obj = value as Record<string, unknown>;
        if (obj[SIG_KEY] === SECRET_SIG) return { "@secret": fromWire(obj["value"]) } satisfies SecretValue;
        if (obj[SIG_KEY] === RESOURCE_SIG) return obj["urn"];
        const out: Record<string, unknown> = {};
        for (const k of Object.keys(obj).sort()) out[k] = fromWire(obj[k]);
        return out;
    }
    return value;
}

export function isSecret(v: unknown): v is SecretValue {
    return typeof v === "object" && v !== null && "@secret" in v && Object.keys(v).length === 1;
}

/** Replaces every secret with {@link SECRET_MARKER}. */
export function redact(value: unknown): unknown {
    if (isSecret(value)) return SECRET_MARKER;
    if (Array.isArray(value)) return value.map(redact);
    if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v)]));
    return value;
}

/** Unwraps every secret to its (mock) value, for tests that compare generated values. */
export function reveal(value: unknown): unknown {
    if (isSecret(value)) return reveal(value["@secret"]);
    if (Array.isArray(value)) return value.map(reveal);
    if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, reveal(v)]));
    return value;
}

interface WireRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getCustom(): boolean;
    getObject(): { toJavaScript(): unknown };
    getProtect(): boolean;
    getRetainondelete(): boolean;
    getDeletebeforereplace(): boolean;
    getDependenciesList(): string[];
    getAliasesList(): Array<{ toObject(): unknown }>;
    getIgnorechangesList(): string[];
    getProvider(): string;
    getCustomtimeouts(): { toObject(): { create: string; update: string; pb_delete: string } } | undefined;
}

function timeoutsOf(req: WireRequest): ResourceOptionsSeen["customTimeouts"] {
    const t = req.getCustomtimeouts()?.toObject();
    if (!t || (!t.create && !t.update && !t.pb_delete)) return undefined;
    return { create: t.create || undefined, update: t.update || undefined, delete: t.pb_delete || undefined };
}

/** Runs the program for one stack and returns what it declared. */
export async function runProgram(opts: RunOptions): Promise<Capture> {
    // The SDK records a stack trace for every promise it creates (leak diagnostics); with source
    // maps on, each costs a source-map lookup per frame. Synth reports errors by message.
    process.setSourceMapsEnabled(false);
    Error.stackTraceLimit = 0;
    const fileConfig = opts.rawConfig ?? readStackConfig(opts.stack);
    const platformKey = `${PROJECT}:platform`;
    const config: Record<string, unknown> = { ...fileConfig };
    if (opts.platformOverrides) config[platformKey] = deepMerge(config[platformKey], opts.platformOverrides);
    if (opts.tenantsDir) config[`${PROJECT}:tenantsDir`] = opts.tenantsDir;
    Object.assign(config, opts.extraConfig);

    const wire: Record<string, string> = {};
    const secretKeys: string[] = [];
    const placeholderSecrets: string[] = [];
    for (const [key, value] of Object.entries(config)) {
        const full = key.includes(":") ? key : `${PROJECT}:${key}`;
        if (value && typeof value === "object" && "secure" in value) {
            wire[full] = `synth-placeholder-${det(full, 24, ALNUM)}`;
            secretKeys.push(full);
            placeholderSecrets.push(full);
        } else wire[full] = typeof value === "string" ? value : JSON.stringify(value);
    }
    // Secrets are set per stack with `pulumi config set --secret`; stand in for those the config names.
    for (const key of secretKeysNamed(config[platformKey])) {
        const full = `${PROJECT}:${key}`;
        if (!(full in wire)) {
            wire[full] = `synth-placeholder-${det(full, 24, ALNUM)}`;
            secretKeys.push(full);
            placeholderSecrets.push(full);
        }
    }

    await pulumi.runtime.setMocks(
        {
            newResource: (args) => ({
                id: args.custom === false ? undefined : `${args.name}-id`,
                state: mockOutputs(args.type, args.name, args.inputs as Record<string, unknown>),
            }),
            call: (args) => args.inputs as Record<string, unknown>,
        },
        PROJECT,
        opts.stack,
        false,
    );
    pulumi.runtime.setAllConfig(wire, secretKeys);

    const resources: CapturedResource[] = [];
    let outputs: Record<string, unknown> = {};
    const monitor = pulumi.runtime.getMonitor() as unknown as {
        registerResource(req: WireRequest, cb: (err: unknown, res: { getUrn(): string } | undefined) => void): Promise<void>;
        registerResourceOutputs(
            req: { getUrn(): string; getOutputs(): { toJavaScript(): unknown } },
            cb: (err: unknown, res: unknown) => void,
        ): void;
    };
    // The mock monitor keeps a copy of every resource's state for getResource calls, which the
    // program never makes; keeping it would double the memory of a large stack.
    const stateless = new Map<string, { urn: string; id: string | null; state: unknown }>();
    const keep = stateless.set.bind(stateless);
    stateless.set = (urn, entry) => keep(urn, { urn: entry.urn, id: entry.id, state: {} });
    (monitor as unknown as { resources: Map<string, unknown> }).resources = stateless;
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, cb) =>
        register(req, (err, res) => {
            if (!err && res) {
                resources.push({
                    urn: res.getUrn(),
                    type: req.getType(),
                    name: req.getName(),
                    custom: req.getCustom(),
                    parent: req.getParent() || undefined,
                    inputs: opts.lean ? {} : ((fromWire(req.getObject().toJavaScript()) ?? {}) as Record<string, unknown>),
                    options: {
                        protect: req.getProtect() === true,
                        retainOnDelete: req.getRetainondelete() === true,
                        deleteBeforeReplace: req.getDeletebeforereplace() === true,
                        dependencies: [...req.getDependenciesList()].sort(),
                        aliases: req.getAliasesList().map((a) => a.toObject()),
                        ignoreChanges: [...req.getIgnorechangesList()],
                        provider: req.getProvider() || undefined,
                        customTimeouts: timeoutsOf(req),
                    },
                });
            }
            cb(err, res);
        });
    const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
    monitor.registerResourceOutputs = (req, cb) => {
        if (req.getUrn().includes("pulumi:pulumi:Stack")) outputs = fromWire(req.getOutputs().toJavaScript()) as Record<string, unknown>;
        registerOutputs(req, cb);
    };

    const programPath = opts.program ?? path.join(PROJECT_ROOT, "index.ts");
    await pulumi.runtime.runInPulumiStack(async () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const program = require(programPath) as () => Promise<Record<string, unknown>>;
        return program();
    });
    await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();

    const errors: string[] = [];
    const seen = new Map<string, number>();
    for (const r of resources) seen.set(r.urn, (seen.get(r.urn) ?? 0) + 1);
    for (const [urn, n] of seen) if (n > 1) errors.push(`duplicate URN (declared ${n} times): ${urn}`);
    resources.sort((a, b) => a.urn.localeCompare(b.urn));
    return { stack: opts.stack, resources, outputs, placeholderSecrets: placeholderSecrets.sort(), errors };
}
