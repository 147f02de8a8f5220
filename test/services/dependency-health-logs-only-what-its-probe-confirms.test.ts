import { createLogger } from '../../src/logger';
import { DependencyHealth } from '../../src/services/dependency-health';

const tick = () => new Promise((r) => setTimeout(r, 20));

function tracker() {
  const lines: { msg: string; dependency?: string }[] = [];
  const logger = createLogger('info', {}, (line) => {
    lines.push(JSON.parse(line));
    return true;
  });
  const health = new DependencyHealth(logger);
  let reachable = true;
  const stop = health.startProbes({ redis: async () => {
    if (!reachable) throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
  } }, 60_000);
  return { health, lines, stop, setReachable: (value: boolean) => (reachable = value) };
}

describe('dependency health with a probe', () => {
  it('does not flap when a connection reports a refusal it met just before the dependency came back', async () => {
    const t = tracker();
    t.setReachable(false);
    t.health.reportDown('redis', new Error('connect ECONNREFUSED'));
    await tick();
    t.setReachable(true);
    t.health.reportUp('redis'); // one connection is ready again…
    await tick();
    t.health.reportDown('redis', new Error('connect ECONNREFUSED')); // …while another reports the refusal it met a moment ago
    await tick();
    t.stop();
    expect(t.lines.map((l) => l.msg)).toEqual(['dependency unreachable', 'dependency reachable again']);
    expect(t.health.isDown('redis')).toBe(false);
  });

  it('logs a real outage once, however many connections report it, and its end once', async () => {
    const t = tracker();
    t.health.reportUp('redis');
    await tick();
    t.setReachable(false);
    for (let i = 0; i < 20; i++) t.health.reportDown('redis', new Error('connect ECONNREFUSED'));
    await tick();
    expect(t.health.isDown('redis')).toBe(true);
    t.setReachable(true);
    for (let i = 0; i < 5; i++) t.health.reportUp('redis');
    await tick();
    t.stop();
    expect(t.lines.map((l) => l.msg)).toEqual(['dependency unreachable', 'dependency reachable again']);
  });
});
