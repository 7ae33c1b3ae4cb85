import { PROFILE_DEFAULTS, type ProfileDefaults } from "../components/environment/defaults";
import type { PlatformConfig } from "../components/environment/schema";
import { listStacks, PROJECT, readStackConfig } from "./mock-runtime";

/** The project's stacks, failing when `stacks/` holds none: a tool that loops over them would do nothing. */
export function requireStacks(): string[] {
    const stacks = listStacks();
    if (stacks.length === 0) throw new Error("no stack files found: add stacks/Pulumi.<stack>.yaml, one per environment.");
    return stacks;
}

/** A stack's platform config as its file writes it (not resolved: no defaults applied). */
export function platformConfigOf(stack: string): PlatformConfig {
    const platform = readStackConfig(stack)[`${PROJECT}:platform`];
    if (!platform || typeof platform !== "object" || Array.isArray(platform))
        throw new Error(`stacks/Pulumi.${stack}.yaml has no \`${PROJECT}:platform\` mapping; every stack file needs one.`);
    return platform as PlatformConfig;
}

/** The environment profile a stack's file names. */
export function profileOf(stack: string): ProfileDefaults {
    const environment = platformConfigOf(stack).environment;
    if (!Object.hasOwn(PROFILE_DEFAULTS, environment)) {
        throw new Error(
            `stacks/Pulumi.${stack}.yaml: environment \`${environment}\` has no profile; use one of ${Object.keys(PROFILE_DEFAULTS).join(", ")}.`,
        );
    }
    return PROFILE_DEFAULTS[environment];
}
