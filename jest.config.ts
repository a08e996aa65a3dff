import type { Config } from 'jest';

/** The project's own tests. The conformance suites in suites/ run through `errspec verify`, not here. */
const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }] },
  testTimeout: 60_000,
  maxWorkers: 2,
};

export default config;
