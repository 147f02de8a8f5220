import { Client } from 'pg';

/**
 * Records every statement this process sends to PostgreSQL through `pg` (Prisma's driver adapter included), with its
 * whitespace collapsed, while `recording` is true: how statement-count tests see what a request or a step costs,
 * whatever the machine's load. `restore()` puts `pg` back.
 */
export function recordStatements(options: { recording?: boolean } = {}) {
  const query = Client.prototype.query;
  const recorder = {
    statements: [] as string[],
    recording: options.recording ?? true,
    restore: () => {
      Client.prototype.query = query;
    },
  };
  Client.prototype.query = function (this: Client, ...args: unknown[]) {
    const first = args[0] as string | { text?: string };
    if (recorder.recording) recorder.statements.push((typeof first === 'string' ? first : (first?.text ?? '')).replace(/\s+/g, ' ').trim());
    return (query as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof Client.prototype.query;
  return recorder;
}
