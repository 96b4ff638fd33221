// Two projects: fast unit tests (pure functions, Pulumi graph with mocks) and end-to-end tests on the sandbox.
// ts-jest only transpiles (type checking is `npm run typecheck`, which `npm test` runs first): much faster on 2 cores.
const transform = { "^.+\\.ts$": ["ts-jest", { isolatedModules: true }] };

module.exports = {
  projects: [
    {
      displayName: "unit",
      testEnvironment: "node",
      transform,
      testMatch: ["<rootDir>/test/unit/**/*.test.ts"],
    },
    {
      displayName: "e2e",
      testEnvironment: "node",
      transform,
      testMatch: ["<rootDir>/test/e2e/**/*.test.ts"],
      globalSetup: "<rootDir>/test/e2e/support/globalSetup.ts",
      globalTeardown: "<rootDir>/test/e2e/support/globalTeardown.ts",
    },
  ],
};
