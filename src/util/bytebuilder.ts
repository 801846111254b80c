// A growable byte buffer with a DataView over it: the base of every binary encoder here
// (ring messages between shards, RDB/DUMP payloads).

export class ByteBuilder {
  buf: Uint8Array;
  view: DataView;
  len = 0;

  constructor(capacity = 64 * 1024) {
    this.buf = new Uint8Array(capacity);
    this.view = new DataView(this.buf.buffer);
  }

  /** Make room for n more bytes. */
  ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const nb = new Uint8Array(cap);
    nb.set(this.buf.subarray(0, this.len));
    this.buf = nb;
    this.view = new DataView(nb.buffer);
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.len++] = b;
  }

  raw(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  /** The bytes written so far (a view; copy to keep past the next write). */
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}
