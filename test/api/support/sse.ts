export interface SseEvent {
  event: string;
  id?: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  data: any;
}

/** A whole `text/event-stream` body as a client sees it: the events, the `retry:` values, the comment lines. */
export interface SseStream {
  events: SseEvent[];
  retry: number[];
  comments: string[];
}

/**
 * Parses a whole `text/event-stream` body (blocks separated by blank lines; `data` holds JSON). As an EventSource
 * does, a block without `data` is no event (it may set `retry:`), and lines starting with `:` are comments.
 */
export function parseSseStream(text: string): SseStream {
  const out: SseStream = { events: [], retry: [], comments: [] };
  for (const block of text.split(/\n\n/)) {
    if (block.trim() === '') continue;
    const fields: Record<string, string> = {};
    for (const line of block.split('\n')) {
      const colon = line.indexOf(':');
      if (colon === 0) {
        out.comments.push(line.slice(1).trim());
        continue;
      }
      if (colon < 0) continue;
      const name = line.slice(0, colon);
      const value = line.slice(colon + 1).replace(/^ /, '');
      if (name === 'retry') out.retry.push(Number(value));
      else fields[name] = name in fields ? `${fields[name]}\n${value}` : value;
    }
    if (fields.data === undefined) continue;
    out.events.push({ event: fields.event ?? 'message', id: fields.id, data: JSON.parse(fields.data) });
  }
  return out;
}

/** The events of a whole `text/event-stream` body. */
export function parseSse(text: string): SseEvent[] {
  return parseSseStream(text).events;
}

/** What a client read from a live stream before it stopped (or the server closed it). */
export interface SseRead extends SseStream {
  /** The server closed the stream (rather than the reader stopping). */
  ended: boolean;
}

/**
 * Reads a live `text/event-stream` response until `stop` says so (then drops the connection, as a client that goes
 * away does), the server closes it, or `timeoutMs` passes (then fails). Only complete blocks are parsed.
 */
export async function readSseUntil(res: Response, stop: (read: SseStream) => boolean, timeoutMs = 60_000): Promise<SseRead> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const deadline = Date.now() + timeoutMs;
  const complete = () => parseSseStream(text.slice(0, text.lastIndexOf('\n\n') + 2));
  for (;;) {
    const left = deadline - Date.now();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), Math.max(0, left))));
    const chunk = await Promise.race([reader.read(), timedOut]);
    clearTimeout(timer);
    if (chunk === 'timeout') {
      await reader.cancel();
      throw new Error(`stream did not reach the expected point within ${timeoutMs} ms; read so far:\n${text}`);
    }
    if (chunk.done) return { ...complete(), ended: true };
    text += decoder.decode(chunk.value, { stream: true });
    const read = complete();
    if (stop(read)) {
      await reader.cancel();
      return { ...read, ended: false };
    }
  }
}
