import { readFileSync } from 'node:fs';

export const TEMPLATE_DATABASE = 'deployflow_template';

/** What global-setup started, shared with every test worker through a file named in the environment. */
export interface TestServices {
  root: string;
  redisUrl: string;
  postgresUrl: string;
  postgresPort: number;
  redisPid: number;
  postgresPid: number;
  /** The Jest process that ran the global setup: services started later by a test worker watch it (see docker-for-tests.ts). */
  runnerPid?: number;
}

export function readTestServices(): TestServices {
  const file = process.env.DEPLOYFLOW_TEST_SERVICES;
  if (!file) throw new Error('DEPLOYFLOW_TEST_SERVICES is not set: run the tests through `npm test` (jest global setup)');
  return JSON.parse(readFileSync(file, 'utf8')) as TestServices;
}
