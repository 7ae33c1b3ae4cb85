import { operabilitySchemas } from "../components/environment/schema";
import { mirrorImage } from "../components/kube/images";
import { commandLine } from "./args";
import { images } from "./footprint";
import { PROJECT, listStacks, readStackConfig, runProgram } from "./mock-runtime";

/**
 * `npm run images -- <stack>`: every image the stack runs, as `<source> <mirror>` lines for a copy
 * tool (`while read -r src dst; do crane copy "$src" "$dst"; done`), from the stack's
 * `images.registry`. Without a mirror configured it prints the sources only. Images without a
 * digest are named on stderr: a copy by tag cannot prove it copied what was reviewed.
 */

/** The source images of a stack: what it runs with the mirror taken out of its config. */
export async function sourceImages(stack: string, tenantsDir?: string): Promise<string[]> {
    const platform = readStackConfig(stack)[`${PROJECT}:platform`] as { images?: { registry?: unknown } } | undefined;
    const mirrored = platform?.images?.registry !== undefined;
    const capture = await runProgram({ stack, tenantsDir, platformOverrides: mirrored ? { images: { registry: null } } : undefined });
    return [...images(capture.resources).keys()];
}

/** `source mirror` pairs, sorted by source; refuses two sources that would land on one mirror reference. */
export function copyPairs(sources: readonly string[], mirror: { host: string; prefix?: string }): Array<[string, string]> {
    const pairs = [...sources].sort().map((s): [string, string] => [s, mirrorImage(s, mirror)]);
    const seen = new Map<string, string>();
    for (const [src, dst] of pairs) {
        const other = seen.get(dst);
        if (other && other !== src)
            throw new Error(`\`${other}\` and \`${src}\` would both be mirrored as \`${dst}\`; use a prefix per source registry.`);
        seen.set(dst, src);
    }
    return pairs;
}

async function main(): Promise<number> {
    const usage = `npm run images -- <stack> [--tenants <dir>]\nstacks: ${listStacks().join(", ")}`;
    const cmd = commandLine(usage, ["tenants"] as const);
    if ("error" in cmd) {
        console.error(cmd.error);
        return 2;
    }
    const [stack] = cmd.positionals;
    if (!stack || !listStacks().includes(stack)) {
        console.error(stack ? `unknown stack \`${stack}\`; stacks are: ${listStacks().join(", ")}` : `usage: ${usage}`);
        return 2;
    }
    const raw = (readStackConfig(stack)[`${PROJECT}:platform`] as { images?: unknown } | undefined)?.images;
    const settings = operabilitySchemas.images.safeParse(raw);
    if (!settings.success) {
        console.error(`stacks/Pulumi.${stack}.yaml: ${PROJECT}:platform.images is invalid: ${settings.error.message}`);
        return 1;
    }
    let sources: string[];
    try {
        sources = await sourceImages(stack, cmd.options.tenants);
    } catch (e) {
        console.error(e instanceof Error ? e.message : String(e));
        return 1;
    }
    const mirror = settings.data?.registry;
    if (mirror) for (const [src, dst] of copyPairs(sources, mirror)) console.log(`${src} ${dst}`);
    else {
        console.error(`# stack \`${stack}\` sets no images.registry: sources only`);
        for (const s of sources) console.log(s);
    }
    const undigested = sources.filter((s) => !s.includes("@sha256:"));
    if (undigested.length) console.error(`# ${undigested.length} image(s) without a digest (copied by tag): ${undigested.join(", ")}`);
    return 0;
}

if (require.main === module) {
    main().then(
        (code) => process.exit(code),
        (e) => {
            console.error(e);
            process.exit(2);
        },
    );
}
