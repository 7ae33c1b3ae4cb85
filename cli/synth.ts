import * as fs from "node:fs";
import * as path from "node:path";
import { runProgram, PROJECT_ROOT, listStacks } from "./mock-runtime";
import { manifestYaml, manifests, plan, summary } from "./render";
import { commandLine } from "./args";

/**
 * `npm run synth -- <stack>`: runs the real program under Pulumi's mock runtime with the stack's
 * config and tenants, and writes what a deploy would create to `out/<stack>/`. No cluster, cloud
 * account or Pulumi CLI needed. Exits non-zero, listing every problem, when input is invalid.
 */
async function main(): Promise<number> {
    const usage = `npm run synth -- <stack> [--tenants <dir>] [--out <dir>]\nstacks: ${listStacks().join(", ")}`;
    const cmd = commandLine(usage, ["tenants", "out"] as const);
    if ("error" in cmd) {
        console.error(cmd.error);
        return 2;
    }
    const [stack] = cmd.positionals;
    const outDir = cmd.options.out ?? path.join(PROJECT_ROOT, "out");
    const tenantsDir = cmd.options.tenants;
    if (!stack) {
        console.error(`usage: ${usage}`);
        return 2;
    }
    if (!listStacks().includes(stack)) {
        console.error(`unknown stack \`${stack}\`; stacks are: ${listStacks().join(", ")} (one stacks/Pulumi.<stack>.yaml each)`);
        return 2;
    }
    let capture;
    try {
        capture = await runProgram({ stack, tenantsDir });
    } catch (e) {
        console.error(e instanceof Error ? e.message : String(e));
        return 1;
    }
    if (capture.errors.length) {
        console.error(`the program declared invalid resources:\n${capture.errors.map((e) => `  - ${e}`).join("\n")}`);
        return 1;
    }
    const dir = path.join(outDir, stack);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(path.join(dir, "manifests"), { recursive: true });
    for (const [ns, docs] of manifests(capture)) fs.writeFileSync(path.join(dir, "manifests", `${ns}.yaml`), manifestYaml(docs));
    fs.writeFileSync(path.join(dir, "resources.json"), `${JSON.stringify(plan(capture), null, 2)}\n`);
    fs.writeFileSync(path.join(dir, "summary.md"), summary(capture));
    if (typeof capture.outputs["kongDeck"] === "string") {
        fs.mkdirSync(path.join(dir, "kong"), { recursive: true });
        fs.writeFileSync(path.join(dir, "kong", "deck.yaml"), capture.outputs["kongDeck"]);
    }
    const count = capture.resources.filter((r) => r.custom).length;
    console.log(
        `synth ${stack}: ${count} resources -> ${path.relative(process.cwd(), dir) || dir}/ (manifests/, resources.json, summary.md, kong/deck.yaml)`,
    );
    return 0;
}

main().then(
    (code) => process.exit(code),
    (e) => {
        console.error(e);
        process.exit(2);
    },
);
