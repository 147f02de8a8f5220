import type { RedisConnection } from '../redis/connection';

/**
 * Ends a connection politely when Redis is there (QUIT lets replies in flight arrive) and at once when it is not:
 * QUIT on a connection that is reconnecting would wait in the offline queue for a Redis that may never come back.
 */
export async function quitRedis(connection: RedisConnection, graceMs = 1_000): Promise<void> {
  if (connection.status !== 'ready') {
    connection.disconnect();
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, graceMs);
  });
  await Promise.race([connection.quit().catch(() => undefined), gaveUp]);
  clearTimeout(timer);
  if ((connection.status as string) !== 'end') connection.disconnect();
}
