import { Transform, type TransformCallback } from 'node:stream';

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

/** Passes every chunk on untouched and hands it to a copy (when there is one) as it goes by. */
export class Tap extends Transform {
  constructor(private readonly copy: BodyCopy | undefined) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.copy?.add(chunk);
    callback(null, chunk);
  }
}

export { decodeBody, type DecodedBody } from '../util/content-coding';
