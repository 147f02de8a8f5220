export interface SseEvent {
  event: string;
  id?: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  data: any;
}

/** Parses a whole `text/event-stream` body (events separated by blank lines; `data` holds JSON). */
export function parseSse(text: string): SseEvent[] {
  return text
    .split(/\n\n/)
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const fields: Record<string, string> = {};
      for (const line of block.split('\n')) {
        const colon = line.indexOf(':');
        if (colon <= 0) continue;
        const name = line.slice(0, colon);
        const value = line.slice(colon + 1).replace(/^ /, '');
        fields[name] = name in fields ? `${fields[name]}\n${value}` : value;
      }
      return { event: fields.event ?? 'message', id: fields.id, data: fields.data === undefined ? undefined : JSON.parse(fields.data) };
    });
}
