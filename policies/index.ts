import { PolicyPack } from "@pulumi/policy";
import { rules } from "./rules";

new PolicyPack("llmops-platform", {
    description:
        "Security, isolation, data-safety and operability rules of the LLMOps platform. Each rule is in rules/, and policies/README.md lists them.",
    policies: rules,
});
