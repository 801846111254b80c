// The replication backlog: the last repl-backlog-size bytes of the replication stream in a
// SharedArrayBuffer ring, so any shard worker can append to it and any worker can read a
// replica's missing range out of it. Appends are serialised by a spin lock word: taking it
// reserves the next range of the one global offset, writes the bytes and publishes the new
// end, so the stream is a single sequence whichever worker produced a command.
//
// Offsets are Redis's: master_repl_offset counts every byte ever appended, and the byte at
// offset o (1-based) sits at ring index (o - 1) % size.

/** Header: lock word (Int32 0), then end offset and history length as float64 (exact up to 2^53). */
const HEADER = 64;
const LOCK = 0;
const END = 1;
const HISTLEN = 2;

export class Backlog {
  readonly sab: SharedArrayBuffer;
  readonly size: number;
  private readonly lockWord: Int32Array;
  private readonly meta: Float64Array;
  private readonly data: Uint8Array;

  constructor(sab: SharedArrayBuffer) {
    this.sab = sab;
    this.size = sab.byteLength - HEADER;
    this.lockWord = new Int32Array(sab, 0, 1);
    this.meta = new Float64Array(sab, 8, 3);
    this.data = new Uint8Array(sab, HEADER);
  }

  /** An empty backlog whose next byte gets offset `offset + 1`. */
  static create(size: number, offset: number): Backlog {
    const b = new Backlog(new SharedArrayBuffer(HEADER + size));
    b.meta[END] = offset;
    b.meta[HISTLEN] = 0;
    return b;
  }

  /** A backlog of another size holding as much of this one's history as fits. */
  resized(size: number): Backlog {
    this.lock();
    try {
      const end = this.meta[END];
      const keep = Math.min(this.meta[HISTLEN], size);
      const b = Backlog.create(size, end - keep);
      b.appendUnlocked(this.readUnlocked(end - keep, end));
      return b;
    } finally {
      this.unlock();
    }
  }

  /** master_repl_offset: bytes ever appended. */
  get offset(): number {
    return this.meta[END];
  }

  get histlen(): number {
    return this.meta[HISTLEN];
  }

  /** repl_backlog_first_byte_offset. */
  get firstByte(): number {
    return this.meta[END] - this.meta[HISTLEN] + 1;
  }

  /** Whether a PSYNC asking for offset `from` can be served (Redis's backlog range check). */
  covers(from: number): boolean {
    const first = this.firstByte;
    return from >= first && from <= first + this.meta[HISTLEN];
  }

  /** Appends are short copies: a contended writer retries after at most a millisecond. */
  private lock(): void {
    while (Atomics.compareExchange(this.lockWord, LOCK, 0, 1) !== 0) Atomics.wait(this.lockWord, LOCK, 1, 1);
  }

  private unlock(): void {
    Atomics.store(this.lockWord, LOCK, 0);
  }

  /** Append bytes at the end of the stream; returns the new end offset. */
  append(b: Uint8Array): number {
    this.lock();
    try {
      return this.appendUnlocked(b);
    } finally {
      this.unlock();
    }
  }

  private appendUnlocked(b: Uint8Array): number {
    const size = this.size;
    const end = this.meta[END];
    // Only the last `size` bytes of a record larger than the ring can stay.
    const src = b.length > size ? b.subarray(b.length - size) : b;
    const start = (end + b.length - src.length) % size;
    const first = Math.min(src.length, size - start);
    this.data.set(src.subarray(0, first), start);
    if (first < src.length) this.data.set(src.subarray(first), 0);
    const newEnd = end + b.length;
    this.meta[END] = newEnd;
    this.meta[HISTLEN] = Math.min(size, this.meta[HISTLEN] + b.length);
    return newEnd;
  }

  /** Copy of the stream bytes after offset `from` up to offset `to` (both 0-based byte counts). */
  read(from: number, to: number): Uint8Array | null {
    this.lock();
    try {
      const end = this.meta[END];
      if (from < end - this.meta[HISTLEN] || to > end || from > to) return null;
      return this.readUnlocked(from, to);
    } finally {
      this.unlock();
    }
  }

  private readUnlocked(from: number, to: number): Uint8Array {
    const n = to - from;
    const out = new Uint8Array(n);
    const start = from % this.size;
    const first = Math.min(n, this.size - start);
    out.set(this.data.subarray(start, start + first), 0);
    if (first < n) out.set(this.data.subarray(0, n - first), first);
    return out;
  }
}
