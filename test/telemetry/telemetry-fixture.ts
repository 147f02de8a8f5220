import { Reply, send } from '../gateway/gateway-fixture';

/** `count` GETs to the gateway with `host`, `concurrency` at a time, each on a new connection (so a cluster of gateway processes shares them). */
export async function sendMany(port: number, host: string, count: number, concurrency = 8, path = '/'): Promise<Reply[]> {
  const replies: Reply[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        next++;
        replies.push(await send(port, host, { path }));
      }
    }),
  );
  return replies;
}

/** Waits until just past the next second boundary and returns that boundary (ms): what comes after is in new buckets. */
export async function nextSecond(): Promise<number> {
  const boundary = Math.ceil((Date.now() + 1) / 1000) * 1000;
  await new Promise((r) => setTimeout(r, boundary - Date.now() + 30));
  return boundary;
}

/** A window wide enough for everything a test did from `fromMs` on. */
export function since(fromMs: number): { fromMs: number; toMs: number } {
  return { fromMs, toMs: Date.now() + 5_000 };
}
