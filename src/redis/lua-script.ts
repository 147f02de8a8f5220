import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';

/** What a script can return, as ioredis hands it over (Lua false and nil become null). */
export type LuaReply = string | number | null | LuaReply[];
type Command = (...keysAndArgs: (string | number)[]) => Promise<unknown>;

// Which connections already have which scripts: defineCommand once per connection, as BullMQ does with its own.
const defined = new WeakMap<Redis, Set<string>>();

/**
 * A Lua script kept in a `.lua` file beside the code that uses it (its KEYS and ARGV are documented at the top of the
 * file), read once at start and defined on each connection with ioredis `defineCommand`: it is sent by EVALSHA, and its
 * body only when Redis does not have it yet (after a restart, for one call).
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

  async run(redis: Redis, keys: readonly string[], args: readonly (string | number)[] = []): Promise<Result> {
    if (keys.length !== this.numberOfKeys) throw new Error(`${this.name} takes ${this.numberOfKeys} key(s), got ${keys.length}`);
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
