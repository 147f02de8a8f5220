import type { Redis } from 'ioredis';

/**
 * Per-project turns for routing jobs: group concurrency of one per project on open-source BullMQ (SPEC §4.3).
 *
 * A routing job holds a ticket (idempotent per job id, so a crash and re-run keeps its place) and may run only while its
 * ticket is the one the project is serving. Rollback, promote and undo take their ticket when they are requested, so
 * they apply in request order and the last request wins; a deploy's assign-routes takes its ticket when a worker first
 * picks it up (after minutes of polling, it queues behind whatever was requested meanwhile).
 * A job whose turn has not come delays itself without spending an attempt. Finishing (success or final failure)
 * serves the next ticket. Each run that gets the turn also takes a new fencing token: a zombie run of the same job
 * (stalled, then picked up again elsewhere) carries an older token and is refused by the database transaction.
 *
 * All transitions are single Lua scripts: atomic against any number of worker processes.
 */
// A job keeps its ticket across re-runs, unless that ticket was already passed (skipped as abandoned, or finished):
// then it queues again with a new one rather than waiting for a turn that will never come.
const TAKE_TICKET = `
local serving = tonumber(redis.call('HGET', KEYS[1], 'serving') or '1')
local ticket = tonumber(redis.call('HGET', KEYS[1], 't:' .. ARGV[1]) or '0')
if ticket < serving then
  ticket = redis.call('HINCRBY', KEYS[1], 'next', 1)
  redis.call('HSET', KEYS[1], 't:' .. ARGV[1], ticket, 'j:' .. ticket, ARGV[1])
end
return { ticket, serving }
`;

const ACQUIRE = `
local serving = tonumber(redis.call('HGET', KEYS[1], 'serving') or '1')
if serving ~= tonumber(ARGV[2]) then return { 0, serving } end
local fence = redis.call('HINCRBY', KEYS[1], 'fence', 1)
redis.call('HSET', KEYS[1], 'holder', ARGV[1])
return { 1, fence }
`;

// Ends ticket ARGV[2]. If it is being served, serving moves on past any tickets abandoned meanwhile; if it is still
// ahead (its job failed before its turn), it is marked abandoned so serving skips it without waiting.
// Returns the job id holding the ticket now served, if one has taken it.
const FINISH = `
local serving = tonumber(redis.call('HGET', KEYS[1], 'serving') or '1')
local ticket = tonumber(ARGV[2])
local owner = redis.call('HGET', KEYS[1], 'j:' .. ARGV[2])
if owner then redis.call('HDEL', KEYS[1], 't:' .. owner) end
redis.call('HDEL', KEYS[1], 't:' .. ARGV[1], 'j:' .. ARGV[2])
if serving == ticket then
  serving = ticket + 1
  while redis.call('HEXISTS', KEYS[1], 'x:' .. serving) == 1 do
    redis.call('HDEL', KEYS[1], 'x:' .. serving, 'j:' .. serving)
    serving = serving + 1
  end
  redis.call('HSET', KEYS[1], 'serving', serving)
  redis.call('HDEL', KEYS[1], 'holder')
elseif ticket > serving then
  redis.call('HSET', KEYS[1], 'x:' .. ARGV[2], '1')
end
return redis.call('HGET', KEYS[1], 'j:' .. serving) or false
`;

const HOLDER = `
local serving = redis.call('HGET', KEYS[1], 'serving') or '1'
local last = redis.call('HGET', KEYS[1], 'next') or '0'
return { tonumber(serving), tonumber(last), redis.call('HGET', KEYS[1], 'j:' .. serving) or false }
`;

const RAISE_FENCE = `
local fence = tonumber(redis.call('HGET', KEYS[1], 'fence') or '0')
if fence < tonumber(ARGV[1]) then redis.call('HSET', KEYS[1], 'fence', ARGV[1]) end
return 1
`;

const PEEK = `return redis.call('HGET', KEYS[1], 't:' .. ARGV[1]) or false`;

export interface Turn {
  ticket: number;
  serving: number;
}

export class ProjectTurns {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(projectId: string): string {
    return `${this.prefix}:routing:turns:${projectId}`;
  }

  /** The job's ticket (taken now, or the one it took before) and the ticket being served. */
  async ticket(projectId: string, jobId: string): Promise<Turn> {
    const [ticket, serving] = (await this.redis.eval(TAKE_TICKET, 1, this.key(projectId), jobId)) as [number, number];
    return { ticket, serving };
  }

  /** If it is this ticket's turn, a fresh fencing token; otherwise undefined. */
  async acquire(projectId: string, jobId: string, ticket: number): Promise<number | undefined> {
    const [ok, value] = (await this.redis.eval(ACQUIRE, 1, this.key(projectId), jobId, String(ticket))) as [number, number];
    return ok === 1 ? value : undefined;
  }

  /** Ends this ticket's turn; returns the job id whose turn it is now, if one has taken its ticket. */
  async finish(projectId: string, jobId: string, ticket: number): Promise<string | undefined> {
    const next = (await this.redis.eval(FINISH, 1, this.key(projectId), jobId, String(ticket))) as string | null;
    return next ?? undefined;
  }

  /** The ticket being served, the last ticket handed out, and the job holding the served one (to detect a vanished holder). */
  async holder(projectId: string): Promise<{ serving: number; last: number; jobId?: string }> {
    const [serving, last, jobId] = (await this.redis.eval(HOLDER, 1, this.key(projectId))) as [number, number, string | null];
    return { serving, last, jobId: jobId ?? undefined };
  }

  /**
   * Makes the next fencing token greater than `atLeast` (the last token the database accepted). Needed only if Redis
   * lost writes (e.g. the last second before a crash with appendfsync everysec) and its counter fell behind.
   */
  async raiseFence(projectId: string, atLeast: number): Promise<void> {
    await this.redis.eval(RAISE_FENCE, 1, this.key(projectId), String(atLeast));
  }

  /** The job's ticket if it took one. */
  async peek(projectId: string, jobId: string): Promise<number | undefined> {
    const ticket = (await this.redis.eval(PEEK, 1, this.key(projectId), jobId)) as string | null;
    return ticket == null ? undefined : Number(ticket);
  }
}
