// Unit tests sit beside the code (*.test.ts); integration tests run against a real
// kube-apiserver and etcd that test/integration/globalSetup.ts starts on loopback.
const transform = {
  '^.+\\.ts$': [
    '@swc/jest',
    {
      jsc: { target: 'es2023', parser: { syntax: 'typescript' } },
      module: { type: 'es6' },
    },
  ],
};
const common = {
  transform,
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testEnvironment: 'node',
};

export default {
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/operator/**/*.test.ts', '<rootDir>/hack/**/*.test.ts'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/test/integration/globalSetup.js',
      globalTeardown: '<rootDir>/test/integration/globalTeardown.js',
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
      globalSetup: '<rootDir>/test/e2e/globalSetup.js',
      globalTeardown: '<rootDir>/test/e2e/globalTeardown.js',
    },
  ],
  testTimeout: 60000,
  // One test file at a time, as jest already picks on 2 cores: e2e files boot TCG guests that need
  // every core (docs/development.md, "The suite plan"), so they must not run side by side.
  maxWorkers: 1,
  // A failed test may leave an informer retrying; never let that hang CI after the results are in.
  forceExit: true,
};
