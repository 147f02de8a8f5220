import type Docker from 'dockerode';

/**
 * The text of a non-TTY container's log as the Engine API sends it: frames of an 8-byte header (stream, 0, 0, 0,
 * big-endian length) and their payload, stdout and stderr interleaved in the order written. A TTY container's log
 * has no frames and is returned as it is.
 */
export function demuxDockerLog(raw: Buffer): string {
  const framed = raw.length >= 8 && raw[0] <= 2 && raw[1] === 0 && raw[2] === 0 && raw[3] === 0;
  if (!framed) return raw.toString('utf8');
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= raw.length) {
    const size = raw.readUInt32BE(offset + 4);
    parts.push(raw.subarray(offset + 8, Math.min(raw.length, offset + 8 + size)));
    offset += 8 + size;
  }
  return Buffer.concat(parts).toString('utf8');
}

/** The last `lines` lines a container wrote (stdout and stderr), at most `maxBytes` of them. */
export async function containerOutput(container: Docker.Container, lines: number, maxBytes: number): Promise<string> {
  const raw = (await container.logs({ stdout: true, stderr: true, follow: false, tail: lines })) as unknown as Buffer;
  const text = demuxDockerLog(Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw)));
  const bytes = Buffer.from(text, 'utf8');
  return bytes.length > maxBytes ? bytes.subarray(bytes.length - maxBytes).toString('utf8') : text;
}
