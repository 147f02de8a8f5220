/** Lines and bytes of an instance's output kept in a failure reason: enough to see why, small enough for a status row. */
export const FAILURE_TAIL_LINES = 20;
export const FAILURE_TAIL_BYTES = 2_000;

/**
 * The last `maxLines` lines of `text`, at most `maxBytes` bytes of them (cut at the front), trailing blank lines
 * dropped. What a step's reason quotes of a crashed instance's output.
 */
export function logTail(text: string, maxLines = FAILURE_TAIL_LINES, maxBytes = FAILURE_TAIL_BYTES): string {
  const lines = text.replace(/\s+$/, '').split('\n');
  let tail = lines.slice(-maxLines).join('\n');
  const bytes = Buffer.from(tail, 'utf8');
  if (bytes.length > maxBytes) tail = '…' + bytes.subarray(bytes.length - maxBytes).toString('utf8').replace(/^\uFFFD+/, '');
  return tail;
}

/** `how it ended; last output: …`, or just `how it ended` when the instance printed nothing. */
export function failureReason(ending: string, output: string): string {
  const tail = logTail(output);
  return tail ? `${ending}; last output:\n${tail}` : ending;
}
