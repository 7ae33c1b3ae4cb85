import type { ResourceValidationPolicy } from "@pulumi/policy";
import { containersOf, describe, podOf } from "../lib/values";
import { SECRET_NAME, SECRET_VALUE } from "./no-secrets-in-configmaps";

/** Settings whose names look secret but hold public values. */
const PUBLIC = /(_CLIENT_ID|_ISSUER|KEY_PREFIX|^AUTH_DISABLE_USERNAME_PASSWORD)$/;

export const noLiteralSecretEnv: ResourceValidationPolicy = {
    name: "no-literal-secret-env",
    description:
        "No container gets a secret as a literal env value: anything named like a secret (or looking like one) comes from a Secret through secretKeyRef or envFrom.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        const pod = podOf(args.type, args.props);
        for (const c of pod ? containersOf(pod.spec) : []) {
            for (const e of c.env ?? []) {
                if (e.value === undefined || e.value === "") continue;
                if (SECRET_NAME.test(e.name) && !PUBLIC.test(e.name))
                    report(
                        `${describe(args.type, args.props)}: container \`${c.name}\` sets ${e.name} as a literal value; read it from a Secret.`,
                    );
                else if (SECRET_VALUE.test(e.value))
                    report(
                        `${describe(args.type, args.props)}: container \`${c.name}\` has a secret in the literal value of ${e.name}; read it from a Secret.`,
                    );
            }
            for (const a of [...(c.command ?? []), ...(c.args ?? [])]) {
                if (typeof a === "string" && SECRET_VALUE.test(a))
                    report(`${describe(args.type, args.props)}: container \`${c.name}\` has a secret in its command line.`);
            }
        }
    },
};
