import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';

/**
 * A V8 CPU profile of one phase of the benchmark (not of its start-up, module loading or other phases), written as
 * `<dir>/<name>.cpuprofile` when `BENCH_CPU_PROFILE_DIR` is set; otherwise nothing is done. Open it in Chrome DevTools.
 */
export async function profilePhase<T>(name: string, phase: () => Promise<T>, dir = process.env.BENCH_CPU_PROFILE_DIR): Promise<T> {
  if (!dir) return phase();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    return await phase();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(path.join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  }
}
