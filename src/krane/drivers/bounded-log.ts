/** The most recent output of a process, at most `limitBytes` of it; older output is dropped first. */
export class BoundedLog {
  private chunks: Buffer[] = [];
  private size = 0;

  constructor(private readonly limitBytes = 64 * 1024) {}

  append(chunk: Buffer): void {
    if (chunk.length >= this.limitBytes) {
      this.chunks = [chunk.subarray(chunk.length - this.limitBytes)];
      this.size = this.limitBytes;
      return;
    }
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size > this.limitBytes) {
      const first = this.chunks[0];
      const excess = this.size - this.limitBytes;
      if (first.length <= excess) {
        this.chunks.shift();
        this.size -= first.length;
      } else {
        this.chunks[0] = first.subarray(excess);
        this.size -= excess;
      }
    }
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}
