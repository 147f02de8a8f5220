import { createHash } from 'node:crypto';

export interface KeyedLine {
  lineNumber: number;
  text: string;
  workspace: string;
}

/**
 * The idempotency key of each line: a hash of the line's text and its workspace, so running a file again (or a
 * file with lines added, removed or reordered) finds the operations the same lines created before. A line repeated
 * word for word is numbered by its occurrence: the second copy is an operation of its own, as the file says.
 */
export function lineIdempotencyKeys(lines: KeyedLine[]): Map<number, string> {
  const seen = new Map<string, number>();
  const keys = new Map<number, string>();
  for (const line of lines) {
    const identity = `${line.workspace}\n${line.text}`;
    const occurrence = seen.get(identity) ?? 0;
    seen.set(identity, occurrence + 1);
    const hash = createHash('sha256').update(`${identity}\n${occurrence}`).digest('hex');
    keys.set(line.lineNumber, `bulk:${hash.slice(0, 40)}`);
  }
  return keys;
}

/** The operation key the operation services store for an idempotency key: a dry run looks it up without writing. */
export { operationIdempotencyKey as storedOperationKey } from '../operations/operation-key';
