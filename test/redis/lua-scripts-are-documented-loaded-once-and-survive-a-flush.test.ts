import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import IORedis, { type Redis } from 'ioredis';
import { ProjectTurns } from '../../src/routing/turns/project-turns';
import { RunningRedis, startRedisServer } from '../../src/services/redis-server';
import { REPO_ROOT } from '../support/engine-harness';

function luaFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return luaFiles(full);
    return entry.name.endsWith('.lua') ? [full] : [];
  });
}

describe('Lua scripts', () => {
  // A redis-server of this file's own: SCRIPT FLUSH and a restart would pull the scripts from under every other test
  // file running on the shared one (BullMQ's MULTI blocks then fail with NOSCRIPT).
  let dir: string;
  let server: RunningRedis;
  let redis: Redis;
  const prefix = '{lua-scripts}';
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'deployflow-lua-'));
    server = await startRedisServer({ dir, durable: true });
    redis = new IORedis(server.url, { maxRetriesPerRequest: null });
  });
  afterAll(async () => {
    redis.disconnect();
    await server.service.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('live in .lua files that document their KEYS, ARGV and what they return', () => {
    const files = luaFiles(path.join(REPO_ROOT, 'src'));
    expect(files.length).toBeGreaterThanOrEqual(9);
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      const header = text.slice(0, text.indexOf(']]'));
      expect({ file: path.relative(REPO_ROOT, file), opensWithDoc: text.startsWith('--[[') }).toEqual({ file: path.relative(REPO_ROOT, file), opensWithDoc: true });
      if (/KEYS\[1\]/.test(text)) expect(header).toContain('KEYS[1]');
      if (/ARGV\[1\]/.test(text)) expect(header).toContain('ARGV[1]');
      expect(header).toContain('Returns');
    }
  });

  it('are loaded into Redis once (then sent by hash) and still run after Redis forgot them (SCRIPT FLUSH, a restart)', async () => {
    const sha = createHash('sha1').update(readFileSync(path.join(REPO_ROOT, 'src/routing/turns/scripts/take-ticket.lua'), 'utf8')).digest('hex');
    const turns = new ProjectTurns(redis, prefix);
    expect(await turns.ticket('p1', 'job-a')).toEqual({ ticket: 1, serving: 1 });
    expect(await redis.script('EXISTS', sha)).toEqual([1]);
    await redis.script('FLUSH');
    expect(await redis.script('EXISTS', sha)).toEqual([0]);
    expect(await turns.ticket('p1', 'job-b')).toEqual({ ticket: 2, serving: 1 });
    expect(await redis.script('EXISTS', sha)).toEqual([1]);
    expect(await turns.acquire('p1', 'job-a', 1)).toBe(1);
    expect(await turns.finish('p1', 'job-a', 1)).toBe('job-b');

    // A restart forgets every script (the AOF keeps the data): the same connection reconnects and runs them again.
    await server.service.stop();
    server = await startRedisServer({ dir, port: server.port, durable: true });
    await new Promise((r) => setTimeout(r, 200));
    expect(await redis.script('EXISTS', sha)).toEqual([0]);
    expect(await turns.ticket('p1', 'job-c')).toEqual({ ticket: 3, serving: 2 });
    expect(await redis.script('EXISTS', sha)).toEqual([1]);
  });
});
