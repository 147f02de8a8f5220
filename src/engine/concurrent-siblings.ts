import type { AnyFlow } from './define-flow';
import type { EngineContext } from './engine-context';

/** How long a concurrent step that failed for good waits for its siblings before it ends the operation anyway. */
export const CONCURRENT_SIBLINGS_WAIT_MS = 10_000;

/**
 * The steps that run at the same time as `stepName` (see `concurrently`): none unless it is one of them.
 */
export function concurrentSiblings(flow: AnyFlow, stepName: string): string[] {
  const self = flow.steps.find((p) => p.step.name === stepName);
  if (!self?.concurrent) return [];
  return flow.steps.filter((p) => p.concurrent && p.step.name !== stepName).map((p) => p.step.name);
}

/**
 * Waits until none of `siblings` is still pending or running (their step rows), up to `timeoutMs`.
 *
 * A step that fails for good ends its operation (final-failure.ts). When it runs at the same time as other steps (a
 * switch's `validate` and `check-instances`), one of those may still be running then: ending the operation at once
 * would leave a finished operation whose timeline shows a step in flight, and a `?wait` answer read before that
 * step's outcome. So the failing step waits for them first. They are short checks; one that stays unsettled longer
 * (its worker died, so it runs again only once BullMQ finds it stalled) holds the failure no longer than the bound.
 * Returns whether they all settled; `onWait` is told once, when there is something to wait for.
 */
export async function waitForConcurrentSiblings(
  engine: Pick<EngineContext, 'prisma'>,
  ownerId: string,
  siblings: string[],
  timeoutMs: number,
  onWait: (unsettled: string[]) => void,
): Promise<boolean> {
  if (!siblings.length) return true;
  const deadline = Date.now() + timeoutMs;
  let pauseMs = 5;
  let told = false;
  for (;;) {
    const unsettled = await engine.prisma.deploymentStep.findMany({
      where: { ownerId, name: { in: siblings }, status: { in: ['pending', 'running'] } },
      select: { name: true },
    });
    if (!unsettled.length) return true;
    if (!told) {
      onWait(unsettled.map((s) => s.name));
      told = true;
    }
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
    pauseMs = Math.min(pauseMs * 2, 200);
  }
}
