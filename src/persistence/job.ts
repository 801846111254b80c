// A background save: a snapshot walked in short slices between client events, its chunks
// handed to a sink (a temp file, or the coordinator assembling one RDB from every shard
// worker), then committed. BGSAVE and BGREWRITEAOF run as one of these.

import type { Shard } from "../server/shard.ts";
import { refreshGate } from "./gate.ts";
import type { SafeFile } from "./rdb-file.ts";
import type { Snapshot } from "./snapshot.ts";

/** Walker time per slice; clients are served between slices. */
const SLICE_MS = 3;

/** Where a snapshot's chunks go. */
export interface SnapshotSink {
  write(chunk: Uint8Array): void;
  /** Every chunk was written: make the result durable, then done(null) or done(error). */
  commit(done: (err: unknown) => void): void;
  /** Give up and leave nothing behind (aborted: on purpose, not after a failure). */
  discard(aborted: boolean): void;
}

/** A snapshot into a temp file renamed to target, ended with tail() (EOF + checksum). */
export function fileSink(file: SafeFile, tail: () => Uint8Array, target: string): SnapshotSink {
  return {
    write: (chunk) => file.write(chunk),
    commit: (done) =>
      file.commit(tail(), target, (err) => {
        if (err) file.discard();
        done(err);
      }),
    discard: () => file.discard(),
  };
}

export class SnapshotJob {
  readonly startedAt = Date.now();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private immediate: ReturnType<typeof setImmediate> | null = null;
  private finished = false;
  private slices = 0;

  constructor(
    private readonly shard: Shard,
    readonly snapshot: Snapshot,
    private readonly sink: SnapshotSink,
    private readonly onDone: (err: unknown) => void,
  ) {}

  start(): void {
    this.snapshot.start();
    refreshGate(this.shard);
    this.schedule();
  }

  private schedule(): void {
    const delayUs = this.shard.config.getNum("rdb-key-save-delay");
    if (delayUs > 0) this.timer = setTimeout(() => this.slice(1), delayUs / 1000);
    else this.immediate = setImmediate(() => this.slice(Infinity));
  }

  private slice(maxKeys: number): void {
    this.timer = null;
    this.immediate = null;
    let done: boolean;
    try {
      done = this.snapshot.step(performance.now() + SLICE_MS, maxKeys);
      if (done || this.snapshot.pending > 0) this.sink.write(this.snapshot.take());
    } catch (e) {
      this.fail(e);
      return;
    }
    // Serializing creates a few short-lived views per key; the engine would let them pile up
    // until the heap grew by a fraction of its (large) size. A minor collection every few
    // slices keeps a snapshot's extra memory down to what writes really copy.
    if ((++this.slices & 7) === 0) Bun.gc(false);
    if (!done) return this.schedule();
    this.endSnapshot();
    this.sink.commit((err) => this.complete(err));
  }

  /** Stop and leave nothing behind (FLUSHALL, CONFIG SET appendonly no, shutdown). */
  abort(): void {
    if (this.finished) return;
    if (this.timer !== null) clearTimeout(this.timer);
    if (this.immediate !== null) clearImmediate(this.immediate);
    this.endSnapshot();
    this.sink.discard(true);
    this.complete(new Error("aborted"));
  }

  private fail(e: unknown): void {
    this.endSnapshot();
    this.sink.discard(false);
    this.complete(e);
  }

  private endSnapshot(): void {
    this.snapshot.stop();
    refreshGate(this.shard);
  }

  private complete(err: unknown): void {
    if (this.finished) return;
    this.finished = true;
    this.onDone(err);
  }
}
