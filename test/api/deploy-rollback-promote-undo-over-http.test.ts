import { startApiHarnessWithEngine } from './support/api-harness';
import { followThePinAtEveryStep } from './support/lifecycle-over-http';
import { useApiHarness } from './support/use-api-harness';

/** The whole lifecycle of SPEC §3 driven only through the HTTP API, checked through GET /v1/projects/:id and the gateway. */
describe('deploy, roll back, deploy while pinned, promote, undo — over HTTP', () => {
  const { h, acme } = useApiHarness(['acme'], { start: () => startApiHarnessWithEngine() });

  it('follows the pin at every step', () => followThePinAtEveryStep(h, acme));
});
