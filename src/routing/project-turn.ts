import type { Redis } from 'ioredis';

/**
 * Per-project turns for routing jobs: group concurrency of one per project on open-source BullMQ (SPEC §4.3).
 *
 * A routing job takes a ticket the first time a worker picks it up (idempotent per job id, so a crash and re-run keeps
 * its place), and may run only while its ticket is the one the project is serving. Tickets are handed out in the order
 * jobs are picked from the routing queue (BullMQ's wait list is FIFO), so per project, jobs apply in arrival order.
 * A job whose turn has not come delays itself without spending an attempt. Finishing (success or final failure)
 * serves the next ticket. Each run that gets the turn also takes a new fencing token: a zombie run of the same job
 * (stalled, then picked up again elsewhere) carries an older token and is refused by the database transaction.
 *
 * All transitions are single Lua scripts: atomic against any number of worker processes.
 */
const TAKE_TICKET = `
local ticket = redis.call('HGET', KEYS[1], 't:' .. ARGV[1])
if not ticket then
  ticket = redis.call('HINCRBY', KEYS[1], 'next', 1)
  redis.call('HSET', KEYS[1], 't:' .. ARGV[1], ticket, 'j:' .. ticket, ARGV[1])
end
local serving = redis.call('HGET', KEYS[1], 'serving') or '1'
return { tonumber(ticket), tonumber(serving) }
`;

const ACQUIRE = `
local serving = tonumber(redis.call('HGET', KEYS[1], 'serving') or '1')
if serving ~= tonumber(ARGV[2]) then return { 0, serving } end
local fence = redis.call('HINCRBY', KEYS[1], 'fence', 1)
redis.call('HSET', KEYS[1], 'holder', ARGV[1])
return { 1, fence }
`;

// Serves the next ticket if ARGV[2] is the one being served; returns the job id holding the next ticket, if known.
const FINISH = `
local serving = tonumber(redis.call('HGET', KEYS[1], 'serving') or '1')
local ticket = tonumber(ARGV[2])
if serving == ticket then
  serving = ticket + 1
  redis.call('HSET', KEYS[1], 'serving', serving)
  redis.call('HDEL', KEYS[1], 'holder')
end
redis.call('HDEL', KEYS[1], 't:' .. ARGV[1], 'j:' .. ARGV[2])
return redis.call('HGET', KEYS[1], 'j:' .. serving) or false
`;

const HOLDER = `
local serving = redis.call('HGET', KEYS[1], 'serving') or '1'
return { tonumber(serving), redis.call('HGET', KEYS[1], 'j:' .. serving) or false }
`;

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

  /** The ticket being served and the job that holds it (for detecting a holder that vanished). */
  async holder(projectId: string): Promise<{ serving: number; jobId?: string }> {
    const [serving, jobId] = (await this.redis.eval(HOLDER, 1, this.key(projectId))) as [number, string | null];
    return { serving, jobId: jobId ?? undefined };
  }
}
