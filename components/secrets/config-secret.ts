import type * as pulumi from "@pulumi/pulumi";

/** A secret read from stack config: its key (for messages) and its value (a Pulumi secret). */
export interface ConfigSecret {
    readonly key: string;
    readonly value: pulumi.Output<string>;
}
