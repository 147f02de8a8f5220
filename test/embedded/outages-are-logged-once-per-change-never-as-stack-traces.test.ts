import { rmSync } from 'node:fs';
import { OwnServices, startOwnServices } from '../support/own-services';
import { ControlPlane, freePorts, newDataDir } from './support/control-plane';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const OUTAGE_MS = 8_000;

interface LogLine {
  msg?: string;
  dependency?: string;
  [field: string]: unknown;
}

describe('Redis and PostgreSQL outages while npm start runs', () => {
  const dataDir = newDataDir();
  let services: OwnServices;
  let app: ControlPlane | undefined;
  beforeAll(async () => {
    services = await startOwnServices();
  }, 120_000);
  afterAll(async () => {
    await app?.kill();
    await services?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const waitForLine = async (from: number, test: (line: LogLine) => boolean, what: string) => {
    const deadline = Date.now() + 60_000;
    while (!parse(app!.output.slice(from)).some(test)) {
      if (Date.now() > deadline) throw new Error(`no log line for ${what}:\n${app!.output.slice(from).slice(-4000)}`);
      await sleep(100);
    }
  };

  function parse(text: string): LogLine[] {
    return text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => {
        try {
          return JSON.parse(line) as LogLine;
        } catch {
          return { msg: `NOT JSON: ${line}` };
        }
      });
  }

  it('log one structured line when each goes down and one when it is back, and nothing raw', async () => {
    app = ControlPlane.start({ dataDir, ports: await freePorts(), env: { REDIS_URL: services.redisUrl, DATABASE_URL: services.databaseUrl } });
    await app.waitUntilReady();
    const from = app.output.length;

    await services.killRedis();
    await waitForLine(from, (l) => l.msg === 'dependency unreachable' && l.dependency === 'redis', 'redis down');
    await sleep(OUTAGE_MS); // ioredis retries every connection many times meanwhile
    await services.startRedis();
    await waitForLine(from, (l) => l.msg === 'dependency reachable again' && l.dependency === 'redis', 'redis back');

    await services.stopPostgres('crash');
    await waitForLine(from, (l) => l.msg === 'dependency unreachable' && l.dependency === 'database', 'database down');
    await sleep(OUTAGE_MS);
    await services.startPostgres();
    await waitForLine(from, (l) => l.msg === 'dependency reachable again' && l.dependency === 'database', 'database back');
    await sleep(1_000);

    const window = app.output.slice(from);
    const lines = parse(window);
    const count = (msg: string, dependency: string) => lines.filter((l) => l.msg === msg && l.dependency === dependency).length;
    console.log(
      `${OUTAGE_MS / 1000} s Redis outage then ${OUTAGE_MS / 1000} s PostgreSQL outage: ${lines.length} log lines in all:\n` +
        lines.map((l) => `  ${l.level ?? ''} ${l.msg}${l.dependency ? ` (${l.dependency})` : ''}${l.error ? `: ${String(l.error).slice(0, 120)}` : ''}`).join('\n'),
    );
    expect(lines.filter((l) => l.msg?.startsWith('NOT JSON'))).toEqual([]);
    expect(window).not.toContain('Unhandled error event');
    expect(count('dependency unreachable', 'redis')).toBe(1);
    expect(count('dependency reachable again', 'redis')).toBe(1);
    expect(count('dependency unreachable', 'database')).toBe(1);
    expect(count('dependency reachable again', 'database')).toBe(1);
    // Not a flood: a handful of lines for two outages, not one per reconnect attempt.
    expect(lines.length).toBeLessThanOrEqual(12);
    expect((await app.readyz()).status).toBe(200);
  }, 300_000);
});
