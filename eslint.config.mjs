// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const vscodeFree = {
  paths: [
    { name: "vscode", message: "This module must stay vscode-free (it runs in the language server, in unit tests or in the test cluster)." },
  ],
};
const kubeOnlyInKubeApi = {
  paths: [
    { name: "@kubernetes/client-node", message: "Only src/cluster/kubeApi.ts imports @kubernetes/client-node (lazily)." },
  ],
};

export default tseslint.config(
  { ignores: ["dist/**", "out/**", "node_modules/**", "test/fixtures/**", "**/*.mjs", "**/*.js"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["src/**/*.ts", "test/**/*.ts"],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-floating-promises": [
        "error",
        { allowForKnownSafeCalls: [{ from: "package", package: "node:test", name: ["test", "describe", "it", "suite", "before", "after", "beforeEach", "afterEach"] }] },
      ],
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      eqeqeq: ["error", "always", { null: "never" }],
      "no-console": "error",
      "no-restricted-imports": ["error", kubeOnlyInKubeApi],
    },
  },
  {
    files: ["src/server/**/*.ts", "src/shared/**/*.ts", "test/unit/**/*.ts", "test/cluster/**/*.ts", "test/bench/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { paths: [...vscodeFree.paths, ...kubeOnlyInKubeApi.paths] }] },
  },
  {
    files: ["src/cluster/kubeApi.ts", "test/**/*.ts"],
    rules: { "no-restricted-imports": ["error", vscodeFree] },
  },
  {
    files: ["test/integration/**/*.ts", "test/e2e/**/*.ts"],
    rules: { "no-restricted-imports": "off" },
  },
  {
    // Test tooling (the API server, harness and benchmarks) prints to the terminal on purpose.
    files: ["test/**/*.ts"],
    rules: { "no-console": "off" },
  },
);
