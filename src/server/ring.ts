// Single-producer single-consumer byte ring in a SharedArrayBuffer. Each message is
// [u32 length][bytes], never split across the end (a zero length marks "wrap to start").
// Positions are free-running 32-bit counters published with Atomics, so the consumer
// never sees a half-written message.

const HEAD = 0; // next write position (producer)
const TAIL = 1; // next read position (consumer)
const HEADER_BYTES = 64; // keep the two counters off the data's cache lines

export class Ring {
  readonly ctl: Int32Array;
  readonly data: Uint8Array;
  readonly view: DataView;
  readonly capacity: number;
  /** Producer-side cursor while a message is being built. */
  private wpos = 0;
  private wstart = 0;

  constructor(readonly sab: SharedArrayBuffer) {
    this.ctl = new Int32Array(sab, 0, 2);
    this.data = new Uint8Array(sab, HEADER_BYTES);
    this.view = new DataView(sab, HEADER_BYTES);
    this.capacity = this.data.length;
  }

  static create(capacity: number): SharedArrayBuffer {
    return new SharedArrayBuffer(HEADER_BYTES + capacity);
  }

  private used(): number {
    return (Atomics.load(this.ctl, HEAD) - Atomics.load(this.ctl, TAIL)) >>> 0;
  }

  /** Largest message body that can ever fit. */
  get maxMessage(): number {
    return (this.capacity >> 1) - 8;
  }

  /**
   * Reserve room for a message of up to `max` bytes; returns the data offset to write
   * the body at, or -1 if the ring is too full right now.
   */
  begin(max: number): number {
    const head = Atomics.load(this.ctl, HEAD) >>> 0;
    let off = head % this.capacity;
    let skip = 0;
    if (off + 4 + max > this.capacity) {
      skip = this.capacity - off; // wrap: waste the tail end
      off = 0;
    }
    if (this.used() + skip + 4 + max > this.capacity) return -1;
    this.wstart = head;
    if (skip > 0) {
      if (skip >= 4) this.view.setUint32(head % this.capacity, 0, true);
      this.wstart = (head + skip) >>> 0;
    }
    this.wpos = off + 4;
    return this.wpos;
  }

  /** Publish a message whose body ends at data offset `end`. */
  commit(end: number): void {
    const off = this.wstart % this.capacity;
    const len = end - (off + 4);
    this.view.setUint32(off, len, true);
    Atomics.store(this.ctl, HEAD, (this.wstart + 4 + len) >>> 0);
  }

  /** Copy one message into the ring; false when it does not fit now. */
  write(body: Uint8Array): boolean {
    const at = this.begin(body.length);
    if (at < 0) return false;
    this.data.set(body, at);
    this.commit(at + body.length);
    return true;
  }

  /**
   * Next message as a view (valid until release()), or null when empty. Skips wrap
   * markers.
   */
  read(): Uint8Array | null {
    for (;;) {
      const tail = Atomics.load(this.ctl, TAIL) >>> 0;
      const head = Atomics.load(this.ctl, HEAD) >>> 0;
      if (tail === head) return null;
      const off = tail % this.capacity;
      const room = this.capacity - off;
      const len = room < 4 ? 0 : this.view.getUint32(off, true);
      if (len === 0) {
        Atomics.store(this.ctl, TAIL, (tail + room) >>> 0);
        continue;
      }
      this.pendingRelease = (tail + 4 + len) >>> 0;
      return this.data.subarray(off + 4, off + 4 + len);
    }
  }

  private pendingRelease = 0;

  /** Free the message returned by the last read(). */
  release(): void {
    Atomics.store(this.ctl, TAIL, this.pendingRelease);
  }
}
