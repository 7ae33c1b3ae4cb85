import * as fs from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { type CapturedResource, reveal } from "../mock-runtime";

/**
 * The benchmark's second floor: the very resources the program declares (same types, names and
 * inputs, secrets still marked secret), replayed as plain custom resources with none of the
 * program's code around them. It shows what the SDK costs for the platform's actual objects; the
 * program's time above it is the cost of its own code.
 */
function unwrap(v: unknown): unknown {
    if (Array.isArray(v)) return v.map(unwrap);
    if (v && typeof v === "object") {
        const o = v as Record<string, unknown>;
        if (Object.keys(o).length === 1 && "@secret" in o) return pulumi.secret(reveal(o["@secret"]));
        return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, unwrap(x)]));
    }
    return v;
}

class Replayed extends pulumi.CustomResource {
    constructor(type: string, name: string, inputs: pulumi.Inputs) {
        super(type, name, inputs);
    }
}

export = async () => {
    const config = new pulumi.Config();
    const file = config.require("replayFile");
    const batch = config.getNumber("floorBatch") ?? Number.MAX_SAFE_INTEGER;
    const resources = JSON.parse(fs.readFileSync(file, "utf8")) as CapturedResource[];
    let n = 0;
    for (const r of resources) {
        if (!r.custom || r.type.startsWith("pulumi:providers:") || r.type === "pulumi-nodejs:dynamic:Resource") continue;
        new Replayed(r.type, r.urn.split("::").pop()!, unwrap(r.inputs) as pulumi.Inputs);
        if (++n % batch === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    return { replayed: n };
};
