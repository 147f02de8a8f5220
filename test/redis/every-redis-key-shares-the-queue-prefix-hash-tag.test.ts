import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Queue } from 'bullmq';
import { reconcilerLeaseKey } from '../../src/app/reconciler';
import { ALL_QUEUES } from '../../src/engine/queue-names';
import { eventChannel } from '../../src/engine/state-events';
import { hashTagOf, prefixFixesTheSlot } from '../../src/redis/hash-tag';
import { CrossSlotKeysError, LuaScript } from '../../src/redis/lua-script';
import { routesChannel, routesVersionKey } from '../../src/routing/publication/route-publication';
import { routingTraceKey } from '../../src/routing/routing-trace';
import { telemetryBucketKey } from '../../src/telemetry/telemetry-keys';
import { REPO_ROOT } from '../support/engine-harness';
import { testRedis } from '../support/test-redis';

function files(dir: string, ending: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'generated' ? [] : files(full, ending);
    return entry.name.endsWith(ending) ? [full] : [];
  });
}

// The expressions the code base names its key prefix by (QUEUE_PREFIX, handed down as `prefix`).
const PREFIX_EXPRESSIONS = new Set([
  'prefix',
  'this.prefix',
  'options.prefix',
  'ctx.config.QUEUE_PREFIX',
  'config.QUEUE_PREFIX',
  'engine.queues.prefix',
  // BullMQ's `<prefix>:<queue>` of a job.
  'job.queueQualifiedName',
]);

/**
 * On a Redis Cluster a script or MULTI may only touch keys of one slot. Every key deployflow writes starts with
 * QUEUE_PREFIX, whose `{hash tag}` puts them all in the same slot; these checks fail as soon as a key (or a script)
 * does not, without needing a cluster.
 */
describe('every Redis key shares the queue prefix hash tag', () => {
  it('follows Redis’ own hash tag rule', () => {
    expect(hashTagOf('{deployflow}:steps:wait')).toBe('deployflow');
    expect(hashTagOf('{deployflow}:routing:turns:{p1}')).toBe('deployflow');
    expect(hashTagOf('deployflow:steps')).toBe('deployflow:steps');
    expect(hashTagOf('{}x{a}')).toBe('{}x{a}');
    expect(prefixFixesTheSlot('{deployflow}')).toBe(true);
    expect(prefixFixesTheSlot('acme:{deployflow}')).toBe(true);
    expect(prefixFixesTheSlot('deployflow')).toBe(false);
    expect(prefixFixesTheSlot('{}deployflow')).toBe(false);
  });

  it('the key builders of scripts, leases, publication, the trace and telemetry all carry the prefix’s tag', () => {
    for (const prefix of ['{deployflow}', '{t1234}', 'acme:{x}']) {
      const keys = [routesVersionKey(prefix), routesChannel(prefix), routingTraceKey(prefix), reconcilerLeaseKey(prefix), eventChannel(prefix, 'op_1'), telemetryBucketKey(prefix, 'dep_1', 1_800_000_000)];
      expect(keys.map(hashTagOf)).toEqual(keys.map(() => hashTagOf(prefix)));
    }
  });

  it('BullMQ’s keys of all three queues share one slot, so a flow can span them in one script', async () => {
    const { connect } = testRedis();
    const connection = connect();
    try {
      const queues = ALL_QUEUES.map((name) => new Queue(name, { connection, prefix: '{deployflow}' }));
      const keys = queues.flatMap((q) => Object.values(q.keys).filter((k) => k !== ''));
      expect(keys.length).toBeGreaterThan(20);
      expect([...new Set(keys.map(hashTagOf))]).toEqual(['deployflow']);
      await Promise.all(queues.map((q) => q.close()));
    } finally {
      connection.disconnect();
    }
  });

  it('every key or channel built from a template in code that talks to Redis starts with the prefix', () => {
    const offenders: string[] = [];
    const talksToRedis = /RedisConnection|LuaScript|keyPrefix|from 'ioredis'|from 'bullmq'/;
    for (const file of files(path.join(REPO_ROOT, 'src'), '.ts')) {
      const text = readFileSync(file, 'utf8');
      if (!talksToRedis.test(text)) continue;
      // Template literals shaped like Redis keys: `${x}:…` (a colon right after the first substitution, no space).
      for (const match of text.matchAll(/`\$\{([^}]+)\}:(?! )[^`]*`/g)) {
        const expression = match[1].trim();
        if (PREFIX_EXPRESSIONS.has(expression)) continue;
        // A lease's token is a value, not a key.
        if (expression === 'process.pid') continue;
        // host:port, not a key.
        if (/host$/i.test(expression)) continue;
        offenders.push(`${path.relative(REPO_ROOT, file)}: ${match[0].slice(0, 80)}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('a script whose keys fall in different slots is refused before it is sent', async () => {
    const scriptFile = files(path.join(REPO_ROOT, 'src'), '.lua')[0];
    const script = new LuaScript<number>('deployflowSlotCheck', scriptFile, 2);
    const { connect } = testRedis();
    const connection = connect();
    try {
      await expect(script.run(connection, ['{a}:x', '{b}:y'])).rejects.toBeInstanceOf(CrossSlotKeysError);
      await expect(script.run(connection, ['a:x', 'a:y'])).rejects.toBeInstanceOf(CrossSlotKeysError);
    } finally {
      connection.disconnect();
    }
  });

  it('the Lua scripts take the number of keys they document', () => {
    for (const file of files(path.join(REPO_ROOT, 'src'), '.lua')) {
      const text = readFileSync(file, 'utf8');
      const used = Math.max(0, ...[...text.matchAll(/KEYS\[(\d+)\]/g)].map((m) => Number(m[1])));
      const name = path.basename(file);
      // Find the LuaScript built from this file and the key count it declares.
      const users = files(path.join(REPO_ROOT, 'src'), '.ts').filter((f) => readFileSync(f, 'utf8').includes(`'${name}'`));
      expect({ name, users: users.length }).toEqual({ name, users: 1 });
      const source = readFileSync(users[0], 'utf8');
      const declared = new RegExp(`'${name.replace('.', '\\.')}'\\)?,\\s*(\\d+)\\)`).exec(source)?.[1] ?? /new LuaScript<[^>]*>\([^)]*\),\s*(\d+)\)/.exec(source)?.[1];
      expect({ name, keys: Number(declared) }).toEqual({ name, keys: used });
    }
  });
});
