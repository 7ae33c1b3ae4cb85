// ESLint (flat config): the type-aware rules of typescript-eslint, which catch what the compiler
// lets through (a promise nobody awaits, an `await` on a non-promise, an assertion that changes
// nothing), and an import-cycle check. Formatting is Prettier's job, not ESLint's.
import js from "@eslint/js";
import { defineConfig } from "eslint/config";
import { createTypeScriptImportResolver } from "eslint-import-resolver-typescript";
import { importX } from "eslint-plugin-import-x";
import tseslint from "typescript-eslint";

export default defineConfig(
    { ignores: ["node_modules/", "policies/node_modules/", "out/", "bin/", "coverage/", ".pulumi/"] },
    {
        files: ["**/*.ts", "**/*.mts"],
        // import-x's TypeScript preset: parse .ts files when following imports (its default is .js only).
        extends: [js.configs.recommended, tseslint.configs.recommendedTypeChecked, importX.flatConfigs.typescript],
        languageOptions: {
            // Each file is checked with its own tsconfig (the policy pack has one of its own).
            parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
        },
        settings: {
            "import-x/resolver-next": [createTypeScriptImportResolver({ project: "tsconfig.json" })],
        },
        linterOptions: { reportUnusedDisableDirectives: "error" },
        rules: {
            // A module cycle makes load order matter (an import is `undefined` while its module is
            // still loading). test/architecture checks cycles between folders; this checks files.
            "import-x/no-cycle": ["error", { ignoreExternal: true }],

            // `??` and not `||` for numbers and booleans (STYLE.md, practice 2): an explicit 0 or
            // false must survive. Strings stay free: `""` is "not set" in config and env values.
            "@typescript-eslint/prefer-nullish-coalescing": [
                "error",
                { ignorePrimitives: { string: true }, ignoreConditionalTests: true, ignoreMixedLogicalExpressions: true },
            ],
            "@typescript-eslint/no-unnecessary-type-assertion": "error",
            "@typescript-eslint/switch-exhaustiveness-check": ["error", { considerDefaultExhaustiveForUnions: true }],
            "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],

            // The compiler already reports these (noUnusedLocals, noUnusedParameters): one report is enough.
            "@typescript-eslint/no-unused-vars": "off",
            // Template literals here build messages, names and shell lines from numbers and
            // booleans on purpose (`${port}`, `${replicas}`); `String(x)` everywhere would only add noise.
            "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true, allowBoolean: true }],
        },
    },
    {
        // Tests reach into parsed YAML, plan JSON and mocked Pulumi calls, which are `any` by nature;
        // asserting a shape on every step would only restate what the expectation checks.
        files: ["test/**/*.ts"],
        rules: {
            "@typescript-eslint/no-explicit-any": "off",
            "@typescript-eslint/no-unsafe-assignment": "off",
            "@typescript-eslint/no-unsafe-member-access": "off",
            "@typescript-eslint/no-unsafe-call": "off",
            "@typescript-eslint/no-unsafe-argument": "off",
            "@typescript-eslint/no-unsafe-return": "off",
        },
    },
    {
        // The Logto dynamic providers implement pulumi.dynamic.ResourceProvider, whose methods
        // return promises; some need no `await`. Their source is serialized into the plan (the
        // `__provider` hash), so rewriting them only to please this rule would update every stack.
        files: ["components/sso/logto/provider.ts"],
        rules: { "@typescript-eslint/require-await": "off" },
    },
    {
        files: ["**/*.mjs"],
        extends: [js.configs.recommended],
    },
);
