import * as fs from "node:fs";
import * as path from "node:path";
import { TOOLS_DIR } from "../../support/tools";
import { which } from "../../support/servers";

/** Where `scripts/toolchain/build.sh` puts the Pulumi engine, providers and control plane. */
export const TOOLCHAIN_BIN = path.join(TOOLS_DIR, "toolchain", "bin");

/** Binaries the e2e runs, all from the toolchain's bin directory. */
export const TOOLCHAIN_BINARIES = [
    "pulumi",
    "pulumi-language-nodejs",
    "pulumi-resource-pulumi-nodejs",
    "pulumi-resource-kubernetes",
    "pulumi-resource-random",
    "pulumi-resource-postgresql",
    "etcd",
    "kube-apiserver",
    "kube-controller-manager",
    "kube-scheduler",
    "kwok",
] as const;

export type ToolchainBinary = (typeof TOOLCHAIN_BINARIES)[number];

export interface Toolchain {
    readonly bin: string;
    path(name: ToolchainBinary): string;
    /** The toolchain's kubectl, or the machine's. */
    readonly kubectl: string;
}

/** The binaries that are missing, by name. */
export function missingBinaries(): string[] {
    return TOOLCHAIN_BINARIES.filter((b) => !isExecutable(path.join(TOOLCHAIN_BIN, b)));
}

function isExecutable(p: string): boolean {
    try {
        fs.accessSync(p, fs.constants.X_OK);
        return fs.statSync(p).isFile();
    } catch {
        return false;
    }
}

/** The toolchain, or an error that says in one line what to run. */
export function findToolchain(): Toolchain {
    const missing = missingBinaries();
    const kubectl = isExecutable(path.join(TOOLCHAIN_BIN, "kubectl")) ? path.join(TOOLCHAIN_BIN, "kubectl") : which("kubectl");
    if (!kubectl) missing.push("kubectl");
    if (missing.length > 0) {
        throw new Error(
            `e2e: the toolchain is missing ${missing.join(", ")} in ${TOOLCHAIN_BIN}: run \`bash scripts/toolchain/build.sh\` first`,
        );
    }
    return { bin: TOOLCHAIN_BIN, path: (name) => path.join(TOOLCHAIN_BIN, name), kubectl: kubectl! };
}
