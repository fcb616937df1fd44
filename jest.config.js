/** Jest runs every TypeScript test; type-checking is `npm run typecheck`, so ts-jest only transpiles. */
module.exports = {
  testEnvironment: "node",
  transform: {
    "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }],
  },
  testMatch: ["**/*.test.ts"],
  testPathIgnorePatterns: ["/node_modules/", "/dist/", "/.stryker-tmp/"],
  // Stryker's sandboxes (npm run test:mutation) are copies of the repository: never tests or modules here.
  modulePathIgnorePatterns: ["<rootDir>/.stryker-tmp/", "<rootDir>/provider/dist/"],
  testTimeout: 60000,
};
