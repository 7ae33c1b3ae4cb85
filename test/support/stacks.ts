import { requireStacks } from "../../cli/stacks";

export { platformConfigOf, profileOf } from "../../cli/stacks";

/** The shipped stacks, one `stacks/Pulumi.<stack>.yaml` each: what the tests run over. */
export const STACKS: readonly string[] = requireStacks();
