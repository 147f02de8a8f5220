import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { ProjectTurns } from '../../src/routing/turns/project-turns';
import { REPO_ROOT } from '../support/engine-harness';
import { testRedis } from '../support/test-redis';

function luaFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return luaFiles(full);
    return entry.name.endsWith('.lua') ? [full] : [];
  });
}

describe('Lua scripts', () => {
  let redis: Redis;
  let prefix: string;
  beforeAll(() => {
    const info = testRedis();
    redis = info.connect();
    prefix = `{${info.prefix}}`;
  });
  afterAll(async () => redis.quit());

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
  });
});
