import type { ApiKey } from '../generated/prisma/client';
import type { ApiKeyStore } from './api-key';

/** `lastUsedAt` is kept to the minute: finer would cost a database write per request. */
export const LAST_USED_RESOLUTION_MS = 60_000;
/** Past this many remembered keys the memory of recent writes is pruned (entries older than the resolution go). */
const MAX_REMEMBERED = 10_000;

/**
 * Records that a key was used, at most once a minute per key: skipped when the row read for the request says it was
 * noted less than a minute ago, or when this process noted it less than a minute ago (a burst of requests arrives
 * before the first write commits); otherwise one conditional UPDATE that only the first process in a minute wins.
 */
export class KeyUseRecorder {
  private readonly notedAt = new Map<string, number>();

  constructor(private readonly store: ApiKeyStore) {}

  async record(key: Pick<ApiKey, 'id' | 'lastUsedAt'>, now = new Date()): Promise<boolean> {
    const at = now.getTime();
    if (key.lastUsedAt && at - key.lastUsedAt.getTime() < LAST_USED_RESOLUTION_MS) return false;
    const noted = this.notedAt.get(key.id);
    if (noted !== undefined && at - noted < LAST_USED_RESOLUTION_MS) return false;
    this.remember(key.id, at);
    const staleBefore = new Date(at - LAST_USED_RESOLUTION_MS);
    const { count } = await this.store.apiKey.updateMany({
      where: { id: key.id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: staleBefore } }] },
      data: { lastUsedAt: now },
    });
    return count === 1;
  }

  private remember(id: string, at: number): void {
    if (this.notedAt.size >= MAX_REMEMBERED) {
      for (const [key, when] of this.notedAt) if (at - when >= LAST_USED_RESOLUTION_MS) this.notedAt.delete(key);
      if (this.notedAt.size >= MAX_REMEMBERED) this.notedAt.clear();
    }
    this.notedAt.set(id, at);
  }
}
