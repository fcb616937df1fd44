// Lint: typescript-eslint's recommended rules everywhere, plus Pulumi's rules against Outputs in
// template literals (they need type information, so they run on the program and components).
import tseslint from "typescript-eslint";
import pulumi from "@pulumi/eslint-plugin";

export default tseslint.config(
  {
    ignores: [
      "node_modules/**",
      "dist/**",
      "policy/dist/**",
      "**/*.js",
      "**/*.mjs",
      "coverage/**",
      "training/**",
      "bench/results/**",
      ".stryker-tmp/**",
      "reports/**",
    ],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      // Tests and protocol glue read untyped JSON and gRPC messages.
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-require-imports": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    files: ["stacks/**/*.ts", "components/**/*.ts"],
    ignores: ["**/*.test.ts"],
    plugins: { "@pulumi": pulumi },
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@pulumi/no-output-in-template-literal": "error",
      "@pulumi/no-output-instance-in-template-literal": "error",
    },
  },
);
