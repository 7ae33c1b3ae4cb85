import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { statefulOptions } from "../kube/options";
import { deriveHex, derivePassword, deriveUuid } from "./derive";

/**
 * The secrets of one tenant's app, derived from one generated seed instead of one random resource
 * each: database and object-store passwords, Redis and ClickHouse credentials, and the keys that
 * must never change (Langfuse SALT and ENCRYPTION_KEY, Agenta's auth and crypt keys). The seed is
 * protected where state is, so none of them can rotate by accident; to rotate one credential on
 * purpose, change its label (for example `postgres/2`).
 */
export class SecretSeed {
    private readonly seed: pulumi.Output<string>;

    /** `protect` keeps the seed (and so every secret derived from it) from deletion; `opts` are the seed resource's options. */
    constructor(name: string, args: { readonly protect: boolean }, opts: pulumi.CustomResourceOptions = {}) {
        this.seed = new random.RandomBytes(name, { length: 64 }, statefulOptions(args.protect, opts)).hex;
    }

    password(label: string, length = 32): pulumi.Output<string> {
        return pulumi.secret(this.seed.apply((s) => derivePassword(s, label, length)));
    }

    hex(label: string, bytes: number): pulumi.Output<string> {
        return pulumi.secret(this.seed.apply((s) => deriveHex(s, label, bytes)));
    }

    /** A UUID that is an identifier, not a secret (for example the id in a public API key). */
    publicUuid(label: string): pulumi.Output<string> {
        return pulumi.unsecret(this.seed.apply((s) => deriveUuid(s, label)));
    }
}
