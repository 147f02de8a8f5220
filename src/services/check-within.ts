/** A dependency that answers slower than this is as good as down for a readiness probe. */
export const CHECK_TIMEOUT_MS = 2000;

export type CheckResult = 'ok' | 'failed' | 'timeout';

/** Runs one readiness probe, bounded: a probe that hangs reads as `timeout`, never as a hung /readyz. */
export async function checkWithin(probe: () => Promise<unknown>, timeoutMs = CHECK_TIMEOUT_MS): Promise<{ result: CheckResult; error?: string }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    const outcome = await Promise.race([probe().then(() => 'ok' as const), timeout]);
    return { result: outcome };
  } catch (err) {
    return { result: 'failed', error: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
  }
}
