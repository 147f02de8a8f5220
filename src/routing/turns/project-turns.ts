import path from 'node:path';
import type { RedisConnection } from '../../redis/connection';
import { LuaReply, LuaScript } from '../../redis/lua-script';

/**
 * Per-project turns for routing jobs: group concurrency of one per project on open-source BullMQ (SPEC §4.3).
 *
 * A routing job holds a ticket (idempotent per job id, so a crash and re-run keeps its place) and may run only while its
 * ticket is the one the project is serving. Rollback, promote and undo take their ticket when they are requested, so
 * they apply in request order and the last request wins; a deploy's assign-routes takes its ticket when a worker first
 * picks it up (after minutes of polling, it queues behind whatever was requested meanwhile).
 * A job whose turn has not come delays itself without spending an attempt. Finishing (success or final failure)
 * serves the next ticket. Each run that gets the turn also takes a new fencing token: a zombie run of the same job
 * (stalled, then picked up again elsewhere) carries an older token and is refused by the database transaction, and
 * cannot end the turn its newer run holds (`finish` with its token).
 *
 * Every transition is one Lua script (`scripts/*.lua`, KEYS and ARGV documented there): atomic against any number of
 * worker processes.
 */
// Every script takes the project's turns hash as its one key; a Lua `false` arrives as null.
const script = <Result extends LuaReply>(name: string, file: string) => new LuaScript<Result | null>(name, path.join(__dirname, 'scripts', file), 1);

const TAKE_TICKET = script<[number, number]>('deployflowTakeTicket', 'take-ticket.lua');
const ACQUIRE = script<[number, number]>('deployflowAcquireTurn', 'acquire-turn.lua');
const TAKE_TURN = script<[number, number, number]>('deployflowTakeTurn', 'take-turn.lua');
const FINISH = script<string>('deployflowFinishTurn', 'finish-turn.lua');
const HOLDER = script<[number, number, string | null]>('deployflowTurnHolder', 'turn-holder.lua');
const RAISE_FENCE = script<number>('deployflowRaiseFence', 'raise-fence.lua');
const PEEK = script<string>('deployflowPeekTicket', 'peek-ticket.lua');

export interface Turn {
  ticket: number;
  serving: number;
}

export class ProjectTurns {
  constructor(
    private readonly redis: RedisConnection,
    private readonly prefix: string,
  ) {}

  private key(projectId: string): string[] {
    return [`${this.prefix}:routing:turns:${projectId}`];
  }

  /** The job's ticket (taken now, or the one it took before) and the ticket being served. */
  async ticket(projectId: string, jobId: string): Promise<Turn> {
    const [ticket, serving] = (await TAKE_TICKET.run(this.redis, this.key(projectId), [jobId])) ?? [0, 0];
    return { ticket, serving };
  }

  /** If it is this ticket's turn, a fresh fencing token; otherwise undefined. */
  async acquire(projectId: string, jobId: string, ticket: number): Promise<number | undefined> {
    const [ok, value] = (await ACQUIRE.run(this.redis, this.key(projectId), [jobId, ticket])) ?? [0, 0];
    return ok === 1 ? value : undefined;
  }

  /**
   * The job's ticket (as `ticket` gives it) and, if that ticket is being served, its turn with a fresh fencing token
   * (as `acquire` gives it), in one round trip; `fence` undefined: the run waits for its turn.
   */
  async take(projectId: string, jobId: string): Promise<Turn & { fence?: number }> {
    const [ticket, serving, fence] = (await TAKE_TURN.run(this.redis, this.key(projectId), [jobId])) ?? [0, 0, 0];
    return fence > 0 ? { ticket, serving, fence } : { ticket, serving };
  }

  /**
   * Ends this ticket's turn; returns the job id whose turn it is now, if one has taken its ticket. The run that held the
   * turn passes its `fence`: the turn ends only if no newer run of its job (BullMQ's re-run of a stalled job) has taken
   * it since, and then nothing changes (undefined). Without a fence (an operation that ended for good, a holder that
   * vanished) the ticket ends whoever holds it.
   */
  async finish(projectId: string, jobId: string, ticket: number, fence?: number): Promise<string | undefined> {
    return (await FINISH.run(this.redis, this.key(projectId), fence === undefined ? [jobId, ticket] : [jobId, ticket, fence])) ?? undefined;
  }

  /** The ticket being served, the last ticket handed out, and the job holding the served one (to detect a vanished holder). */
  async holder(projectId: string): Promise<{ serving: number; last: number; jobId?: string }> {
    const [serving, last, jobId] = (await HOLDER.run(this.redis, this.key(projectId))) ?? [1, 0, null];
    return { serving, last, jobId: jobId ?? undefined };
  }

  /**
   * Makes the next fencing token greater than `atLeast` (the last token the database accepted). Needed only if Redis
   * lost writes (e.g. the last second before a crash with appendfsync everysec) and its counter fell behind.
   */
  async raiseFence(projectId: string, atLeast: number): Promise<void> {
    await RAISE_FENCE.run(this.redis, this.key(projectId), [atLeast]);
  }

  /** The job's ticket if it took one. */
  async peek(projectId: string, jobId: string): Promise<number | undefined> {
    const ticket = await PEEK.run(this.redis, this.key(projectId), [jobId]);
    return ticket == null ? undefined : Number(ticket);
  }
}
