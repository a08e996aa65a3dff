/** The first `cap` bytes of a body that streams past; the rest is counted, not kept. */
export class BodyCopy {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  truncated = false;

  constructor(private readonly cap: number) {}

  add(chunk: Buffer): void {
    const room = this.cap - this.kept;
    if (chunk.length > room) {
      if (room > 0) this.chunks.push(Buffer.from(chunk.subarray(0, room)));
      this.kept = this.cap;
      this.truncated = true;
      return;
    }
    this.chunks.push(chunk);
    this.kept += chunk.length;
  }

  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

export { decodeBody, type DecodedBody } from '../util/content-coding';
