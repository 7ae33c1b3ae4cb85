import type { ResourceValidationPolicy } from "@pulumi/policy";
import { describe, plain } from "../lib/values";

/** Names that say a value is a secret: one of these words, delimited by `_`, `-`, `.` or the ends. */
export const SECRET_NAME =
    /(^|[_.-])(password|passwd|secret|token|credentials?|private[_-]key|api[_-]key|auth[_-]key|crypt[_-]key|encryption[_-]key|salt|access[_-]key)([_.-]|$)/i;
/** Values that are secrets whatever they are called. */
export const SECRET_VALUE = /(-----BEGIN [A-Z ]*PRIVATE KEY-----|sk-lf-[A-Za-z0-9]{8,}|AKIA[0-9A-Z]{16}|:\/\/[^/\s:@]+:[^/\s@]+@)/;

export const noSecretsInConfigMaps: ResourceValidationPolicy = {
    name: "no-secrets-in-configmaps",
    description:
        "No ConfigMap holds a secret: no key named like one, no value that is one (private keys, API keys, credentials in URLs). Secrets go in Secrets.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type !== "kubernetes:core/v1:ConfigMap") return;
        const data = plain<{ data?: Record<string, string> }>(args.props).data ?? {};
        for (const [key, value] of Object.entries(data)) {
            if (SECRET_NAME.test(key) && value) report(`${describe(args.type, args.props)}: key \`${key}\` is named like a secret.`);
            else if (typeof value === "string" && SECRET_VALUE.test(value))
                report(`${describe(args.type, args.props)}: key \`${key}\` contains a secret value.`);
        }
    },
};
