import { readFileSync } from 'node:fs';
import type { RedisConnection } from './connection';
import { hashTagOf } from './hash-tag';

/** What a script can return, as ioredis hands it over (Lua false and nil become null). */
export type LuaReply = string | number | null | LuaReply[];
type Command = (...keysAndArgs: (string | number)[]) => Promise<unknown>;

/** A script called with keys in different Redis Cluster slots: refused before it is sent, on a single server too. */
export class CrossSlotKeysError extends Error {
  constructor(script: string, keys: readonly string[]) {
    super(`${script} takes keys that must share one hash tag (one Redis Cluster slot), got ${keys.join(', ')}`);
    this.name = 'CrossSlotKeysError';
  }
}

// Which connections already have which scripts: defineCommand once per connection, as BullMQ does with its own.
const defined = new WeakMap<RedisConnection, Set<string>>();

/**
 * A Lua script kept in a `.lua` file beside the code that uses it (its KEYS and ARGV are documented at the top of the
 * file), read once at start and defined on each connection with ioredis `defineCommand`: it is sent by EVALSHA, and its
 * body only when Redis does not have it yet (after a restart, for one call). On a Redis Cluster the command goes to the
 * node holding its first key's slot: every key of one call must share that slot (checked below, before anything is sent).
 */
export class LuaScript<Result extends LuaReply> {
  private readonly lua: string;

  constructor(
    /** The command name on the connection; unique across the code base. */
    readonly name: string,
    file: string,
    readonly numberOfKeys: number,
  ) {
    this.lua = readFileSync(file, 'utf8');
  }

  async run(redis: RedisConnection, keys: readonly string[], args: readonly (string | number)[] = []): Promise<Result> {
    if (keys.length !== this.numberOfKeys) throw new Error(`${this.name} takes ${this.numberOfKeys} key(s), got ${keys.length}`);
    // Checked here rather than left to a cluster's CROSSSLOT: a key that breaks it fails every test, not only in production.
    if (new Set(keys.map(hashTagOf)).size > 1) throw new CrossSlotKeysError(this.name, keys);
    let names = defined.get(redis);
    if (!names) defined.set(redis, (names = new Set()));
    if (!names.has(this.name)) {
      redis.defineCommand(this.name, { numberOfKeys: this.numberOfKeys, lua: this.lua });
      names.add(this.name);
    }
    // defineCommand adds the method at run time; ioredis' types cannot know it.
    const command = (redis as unknown as Record<string, Command>)[this.name];
    return (await command.call(redis, ...keys, ...args)) as Result;
  }
}
