import type { PolicyResource } from "@pulumi/policy";
import { type ProfileDefaults, PROFILE_DEFAULTS } from "../../components/environment/defaults";
import { LABELS } from "../../components/naming/labels";
import { environmentOf } from "./stack";

/** A profile property that decides whether a rule applies. */
export type ProfileFlag = { [K in keyof ProfileDefaults]: ProfileDefaults[K] extends boolean ? K : never }[keyof ProfileDefaults];

/** The environments whose profile sets `flag` to `value`, as a list for rule descriptions: "`staging`, `prod`". */
export function environmentsWhere(flag: ProfileFlag, value = true): string {
    const names = Object.entries(PROFILE_DEFAULTS)
        .filter(([, p]) => p[flag] === value)
        .map(([name]) => `\`${name}\``);
    if (names.length === 0)
        throw new Error(
            `no environment profile has ${flag} ${value}; a rule that applies there never applies (components/environment/defaults.ts).`,
        );
    return names.join(", ");
}

/** The profile an environment name stands for, if it names one. */
export function profileNamed(env: string | undefined): ProfileDefaults | undefined {
    return env !== undefined && Object.hasOwn(PROFILE_DEFAULTS, env) ? PROFILE_DEFAULTS[env as keyof typeof PROFILE_DEFAULTS] : undefined;
}

/** Where an object is, for a report, when its environment label leads to no profile. */
export function withoutProfile(env: string | undefined): string {
    return env === undefined
        ? `without the \`${LABELS.environment}\` label (no environment profile)`
        : `in \`${env}\`, which has no environment profile`;
}

/** Why an environment label does not lead to a profile; a rule reports it rather than pass unchecked. */
export function unknownProfile(env: string | undefined): string {
    const known = Object.keys(PROFILE_DEFAULTS).join(", ");
    return env === undefined
        ? `no Namespace carries the \`${LABELS.environment}\` label, so the environment profile is unknown; label every namespace with its environment (one of ${known}).`
        : `the environment \`${env}\` (label \`${LABELS.environment}\`) has no profile; use one of ${known}.`;
}

/** The stack's environment and its profile, read from the label every namespace carries. */
export function stackProfile(resources: readonly PolicyResource[]): { env: string; profile: ProfileDefaults } | { problem: string } {
    const env = environmentOf(resources);
    const profile = profileNamed(env);
    return env !== undefined && profile ? { env, profile } : { problem: unknownProfile(env) };
}
