import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

const COMPONENTS = path.join(__dirname, "..", "..", "components");

/** Every relative import between the concept folders under `components/`, with the files that make it. */
function folderImports(): Map<string, Map<string, string[]>> {
    const graph = new Map<string, Map<string, string[]>>();
    const walk = (dir: string): string[] =>
        fs
            .readdirSync(dir, { withFileTypes: true })
            .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : e.name.endsWith(".ts") ? [path.join(dir, e.name)] : []));
    for (const file of walk(COMPONENTS)) {
        const from = path.relative(COMPONENTS, file).split(path.sep)[0]!;
        const source = fs.readFileSync(file, "utf8");
        for (const m of source.matchAll(/(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g)) {
            const target = path.relative(COMPONENTS, path.resolve(path.dirname(file), m[1]!));
            if (target.startsWith("..")) throw new Error(`${path.relative(COMPONENTS, file)} imports ${m[1]} from outside components/`);
            const to = target.split(path.sep)[0]!;
            if (to === from) continue;
            const edges = graph.get(from) ?? new Map<string, string[]>();
            edges.set(to, [...(edges.get(to) ?? []), path.relative(COMPONENTS, file)]);
            graph.set(from, edges);
        }
    }
    return graph;
}

/** Folder cycles (strongly connected components of more than one folder), each with the imports that close it. */
function cycles(graph: Map<string, Map<string, string[]>>): string[][] {
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const found: string[][] = [];
    const visit = (v: string): void => {
        index.set(v, index.size);
        low.set(v, index.get(v)!);
        stack.push(v);
        for (const w of graph.get(v)?.keys() ?? []) {
            if (!index.has(w)) {
                visit(w);
                low.set(v, Math.min(low.get(v)!, low.get(w)!));
            } else if (stack.includes(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
        }
        if (low.get(v) === index.get(v)) {
            const scc: string[] = [];
            let w: string;
            do {
                w = stack.pop()!;
                scc.push(w);
            } while (w !== v);
            if (scc.length > 1) found.push(scc.sort());
        }
    };
    for (const v of graph.keys()) if (!index.has(v)) visit(v);
    return found;
}

describe("imports point down", () => {
    const graph = folderImports();

    it("reads the folders and their imports", () => {
        // The layers the layout names: if a folder is renamed, this list and the README's layout change together.
        expect([...graph.keys()].sort()).toEqual(
            expect.arrayContaining(["apps", "data", "environment", "kube", "platform", "tenancy", "tenant"]),
        );
        expect(graph.get("tenant")?.has("apps")).toBe(true);
    });

    it("no two folders under components/ import each other, directly or through others", () => {
        const found = cycles(graph).map((scc) => {
            const edges = scc.flatMap((a) =>
                scc.filter((b) => graph.get(a)?.has(b)).map((b) => `  ${a} -> ${b}: ${graph.get(a)!.get(b)!.join(", ")}`),
            );
            return `cycle ${scc.join(" <-> ")}:\n${edges.join("\n")}`;
        });
        expect(found, `move what both folders need down, or pass it in from the higher one:\n${found.join("\n")}`).toEqual([]);
    });

    it("finds a cycle when there is one", () => {
        const g = new Map([
            ["a", new Map([["b", ["a/x.ts"]]])],
            ["b", new Map([["c", ["b/y.ts"]]])],
            ["c", new Map([["a", ["c/z.ts"]]])],
        ]);
        expect(cycles(g)).toEqual([["a", "b", "c"]]);
    });

    it("apps do not know the tenant model, the workspace, the platform or the SSO wiring above them", () => {
        const apps = [...(graph.get("apps")?.keys() ?? [])];
        expect(apps.length).toBeGreaterThan(0);
        for (const higher of ["tenancy", "tenant", "platform", "sso", "monitoring", "backup", "tracing"])
            expect(apps, `apps imports ${higher}`).not.toContain(higher);
    });

    it("kube helpers do not read the environment profile", () => {
        expect([...(graph.get("kube")?.keys() ?? [])]).not.toContain("environment");
        expect([...(graph.get("data")?.keys() ?? [])]).not.toContain("environment");
    });

    it("the README's layout names every folder under components/, and only those", () => {
        const readme = fs.readFileSync(path.join(COMPONENTS, "..", "README.md"), "utf8");
        const section = readme.split("### Layout of `components/`")[1]?.split("\n## ")[0] ?? "";
        const rows = section.split("\n").filter((l) => /^\| [A-Za-z]/.test(l) && !l.startsWith("| layer"));
        expect(rows.length, "README has a layout table under 'Layout of `components/`'").toBeGreaterThan(0);
        const documented = rows.flatMap((row) => [...(row.split("|")[2] ?? "").matchAll(/`([a-z-]+)`/g)].map((m) => m[1]!)).sort();
        const folders = fs
            .readdirSync(COMPONENTS, { withFileTypes: true })
            .filter((e) => e.isDirectory())
            .map((e) => e.name)
            .sort();
        expect(documented).toEqual(folders);
    });
});
