import { rmSync } from 'node:fs';
import { ControlPlane, freePorts, isRunning, newDataDir, ProcessRef } from './support/control-plane';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('npm start restarted on the same DATA_DIR (embedded Krane, process driver)', () => {
  const dataDir = newDataDir();
  const started: ControlPlane[] = [];
  const remembered: ProcessRef[] = [];
  afterAll(async () => {
    for (const app of started) await app.kill();
    for (const ref of remembered.filter(isRunning)) process.kill(ref.pid, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves the live hostname again before /readyz answers 200; the gap is measured', async () => {
    const ports = await freePorts();
    const first = ControlPlane.start({ dataDir, ports });
    started.push(first);
    await first.waitUntilReady();
    const { hostname, deploymentId } = await first.deployHelloApi(first.rootKey()!);
    remembered.push(...first.processes());

    // Traffic through the gateway all along: the last good answer before the stop, the first one after the restart.
    let lastGoodBefore = 0;
    let firstGoodAfter = 0;
    let restarted = false;
    let polling = true;
    const poller = (async () => {
      while (polling) {
        try {
          const res = await first.viaGateway(hostname);
          if (res.status === 200) {
            if (!restarted) lastGoodBefore = Date.now();
            else if (!firstGoodAfter) firstGoodAfter = Date.now();
          }
        } catch {
          // the gateway is down between the two processes
        }
        await sleep(20);
      }
    })();
    await sleep(300);
    expect(lastGoodBefore).toBeGreaterThan(0);

    first.signal('SIGTERM');
    // A clean stop exits 0; on anything else, the stop's own log lines (which step failed or timed out) are the answer.
    const firstExit = await first.exited;
    expect({ code: firstExit.code, stopLines: firstExit.code === 0 ? [] : first.output.split('\n').filter((l) => /stop step|forced exit|"stopped"/.test(l)) }).toEqual({ code: 0, stopLines: [] });
    restarted = true;
    const second = ControlPlane.start({ dataDir, ports });
    started.push(second);

    // /readyz: 503 (starting) until the pass that brings instances back is done; at its first 200 the app answers.
    const readyzSeen: string[] = [];
    const deadline = Date.now() + 120_000;
    for (;;) {
      if (!second.running) throw new Error(`the restarted control plane exited:\n${second.output}`);
      const res = await second.readyz().catch(() => undefined);
      if (res) readyzSeen.push(res.status === 200 ? '200' : `${res.status} ${res.body.error?.code}`);
      if (res?.status === 200) break;
      if (Date.now() > deadline) throw new Error(`never ready:\n${second.output}`);
      await sleep(20);
    }
    const atReady = await second.viaGateway(hostname);
    polling = false;
    await poller;
    remembered.push(...second.processes());

    const gapMs = (firstGoodAfter || Date.now()) - lastGoodBefore;
    console.log(
      `restart gap (last good answer before SIGTERM -> first good answer after restart): ${gapMs} ms; ` +
        `/readyz answers seen: ${[...new Set(readyzSeen)].join(', ')}`,
    );
    expect(atReady.status).toBe(200);
    expect(JSON.parse(atReady.body).deploymentId).toBe(deploymentId);
    expect(firstGoodAfter).toBeGreaterThan(0);
    // One JSON line per log record; its fields come in any order.
    const ready = second.output.split('\n').flatMap((line) => (line.includes('"deployflow is ready"') ? [JSON.parse(line)] : []));
    expect(ready).toEqual([expect.objectContaining({ msg: 'deployflow is ready', deployments: 1, healthy: 1 })]);

    second.signal('SIGTERM');
    expect((await second.exited).code).toBe(0);
  }, 300_000);
});
