import { rmSync } from 'node:fs';
import { ControlPlane, ControlPlanePorts, embeddedRedisPid, freePorts, isRunning, newDataDir, ProcessRef, waitUntilGone } from './support/control-plane';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Ctrl-C in a terminal reaches every process of the foreground group; a redis-server that gets it is gone before node
// starts stopping its workers. Reproduced here by killing (or freezing) the embedded redis-server before signalling node.
describe('shutdown of npm start when Redis is already gone', () => {
  const dataDir = newDataDir();
  let ports: ControlPlanePorts;
  const started: ControlPlane[] = [];
  const remembered: ProcessRef[] = [];
  afterAll(async () => {
    for (const app of started) await app.kill();
    for (const ref of remembered.filter(isRunning)) process.kill(ref.pid, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  const start = () => {
    const app = ControlPlane.start({ dataDir, ports });
    started.push(app);
    return app;
  };

  it('SIGKILLed redis-server: SIGTERM still stops node and every app instance within the bound', async () => {
    ports = await freePorts();
    const app = start();
    await app.waitUntilReady();
    const { hostname } = await app.deployHelloApi(app.rootKey()!);
    expect((await app.viaGateway(hostname)).status).toBe(200);
    const processes = app.processes();
    remembered.push(...processes);
    expect(processes.some((p) => /hello-api/.test(p.command))).toBe(true);

    process.kill(embeddedRedisPid(dataDir), 'SIGKILL');
    await sleep(1_000); // its clients notice and start reconnecting, as after a Ctrl-C
    const signalledAt = Date.now();
    app.signal('SIGTERM');
    const exit = await app.exited;
    const stopMs = exit.at - signalledAt;
    const left = await waitUntilGone(processes, 2_000);
    console.log(`redis-server SIGKILLed, then SIGTERM: node exited after ${stopMs} ms with code ${exit.code}`);
    expect(left.map((p) => p.command)).toEqual([]);
    // SHUTDOWN_TIMEOUT_MS is 10 s; the rest is slack for a loaded machine.
    expect(stopMs).toBeLessThan(13_000);
    expect(app.output).not.toContain('Unhandled error event');
  }, 300_000);

  it('frozen redis-server: a second signal stops at once, app instances and redis-server included', async () => {
    // The same DATA_DIR: the restart brings the deployed instance back before it reports ready.
    const app = start();
    await app.waitUntilReady();
    const processes = app.processes();
    remembered.push(...processes);
    expect(processes.some((p) => /hello-api/.test(p.command))).toBe(true);
    const redisPid = embeddedRedisPid(dataDir);

    // SIGSTOP: connections stay open and every command hangs, the worst case for an orderly stop.
    process.kill(redisPid, 'SIGSTOP');
    app.signal('SIGTERM');
    await sleep(1_500);
    expect(app.running).toBe(true);
    const secondAt = Date.now();
    app.signal('SIGINT');
    const exit = await app.exited;
    const forcedMs = exit.at - secondAt;
    const left = await waitUntilGone(processes, 2_000);
    console.log(`redis-server frozen, SIGTERM then SIGINT 1.5 s later: node exited ${forcedMs} ms after the second signal, code ${exit.code}`);
    expect(left.map((p) => p.command)).toEqual([]);
    // At once, but measured across two loaded processes; the orderly path would run until the 10 s deadline.
    expect(forcedMs).toBeLessThan(5_000);
    expect(exit.code).toBe(1);
    expect(app.output).toContain('"msg":"forced exit"');
  }, 300_000);
});
