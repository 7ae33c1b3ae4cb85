import { listStacks, PROJECT, readStackConfig } from "../../cli/mock-runtime";
import { PROFILE_DEFAULTS, type ProfileDefaults } from "../../components/environment/defaults";
import type { PlatformConfig } from "../../components/environment/schema";

function found(stacks: string[]): readonly string[] {
    if (stacks.length === 0) throw new Error("no stacks/Pulumi.<stack>.yaml found: the tests run over the shipped stacks, so there must be at least one.");
    return stacks;
}

/** The shipped stacks, one `stacks/Pulumi.<stack>.yaml` each: what the tests run over. */
export const STACKS: readonly string[] = found(listStacks());

/** A stack's platform config as its file writes it: the input tests take expectations from. */
export function platformConfigOf(stack: string): PlatformConfig {
    const platform = readStackConfig(stack)[`${PROJECT}:platform`];
    if (!platform || typeof platform !== "object") throw new Error(`stacks/Pulumi.${stack}.yaml has no \`${PROJECT}:platform\` mapping.`);
    return platform as PlatformConfig;
}

/** The environment profile a stack's file names. */
export function profileOf(stack: string): ProfileDefaults {
    const environment = platformConfigOf(stack).environment;
    const profile = Object.hasOwn(PROFILE_DEFAULTS, environment) ? PROFILE_DEFAULTS[environment] : undefined;
    if (!profile) throw new Error(`stacks/Pulumi.${stack}.yaml names the environment \`${environment}\`, which has no profile; use one of ${Object.keys(PROFILE_DEFAULTS).join(", ")}.`);
    return profile;
}
