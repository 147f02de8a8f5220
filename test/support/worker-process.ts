import path from 'node:path';
import { ChildService } from '../../src/services/child-service';
import type { Settings } from '../../src/app/settings';
import { REPO_ROOT } from './engine-harness';

/** `npm run worker` as a real OS process (one PID: node --import tsx), to be killed with SIGKILL by fault-injection tests. */
export function startWorkerProcess(env: { redisUrl: string; databaseUrl: string; kraneUrl: string; kraneToken: string; prefix: string; settings?: Partial<Settings>; concurrency?: number; logLevel?: string }): ChildService {
  return ChildService.start('worker', process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'src', 'worker-main.ts')], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      REDIS_URL: env.redisUrl,
      DATABASE_URL: env.databaseUrl,
      KRANE_URL: env.kraneUrl,
      KRANE_TOKEN: env.kraneToken,
      QUEUE_PREFIX: env.prefix,
      LOG_LEVEL: env.logLevel ?? 'warn',
      // Several workers run side by side here: each takes a free health port rather than the fixed default.
      HEALTH_PORT: '0',
      WORKER_CONCURRENCY: String(env.concurrency ?? 5),
      ENGINE_SETTINGS: JSON.stringify(env.settings ?? {}),
    },
  });
}
