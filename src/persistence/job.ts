// A background save: a snapshot walked in short slices between client events, its chunks
// written to a temp file, then committed (fsync on the thread pool, rename). BGSAVE and
// BGREWRITEAOF both run as one of these; SHUTDOWN and DEBUG RELOAD can finish one at once.

import type { Shard } from "../server/shard.ts";
import { refreshGate } from "./gate.ts";
import type { SafeFile } from "./rdb-file.ts";
import type { Snapshot } from "./snapshot.ts";

/** Walker time per slice; clients are served between slices. */
const SLICE_MS = 3;

export class SnapshotJob {
  readonly startedAt = Date.now();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private immediate: ReturnType<typeof setImmediate> | null = null;
  private finished = false;

  constructor(
    private readonly shard: Shard,
    readonly snapshot: Snapshot,
    private readonly file: SafeFile,
    /** Bytes that end the file (RDB EOF + checksum, or nothing), computed at the end. */
    private readonly tail: () => Uint8Array,
    /** The file's final name, relative to its directory. */
    private readonly target: string,
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
      if (done || this.snapshot.pending > 0) this.file.write(this.snapshot.take());
    } catch (e) {
      this.fail(e);
      return;
    }
    if (!done) return this.schedule();
    this.endSnapshot();
    this.file.commit(this.tail(), this.target, (err) => {
      if (err) this.file.discard();
      this.complete(err);
    });
  }

  /** Walk the rest now and commit synchronously (shutdown, DEBUG RELOAD). */
  finishNow(): void {
    if (this.finished || this.snapshot.done) return;
    if (this.timer !== null) clearTimeout(this.timer);
    if (this.immediate !== null) clearImmediate(this.immediate);
    try {
      while (!this.snapshot.step(Infinity)) this.file.write(this.snapshot.take());
      this.file.write(this.snapshot.take());
      this.endSnapshot();
      this.file.commitSync(this.tail(), this.target);
    } catch (e) {
      this.fail(e);
      return;
    }
    this.complete(null);
  }

  /** Stop and remove the temp file (FLUSHALL, CONFIG SET appendonly no, shutdown). */
  abort(): void {
    if (this.finished) return;
    if (this.timer !== null) clearTimeout(this.timer);
    if (this.immediate !== null) clearImmediate(this.immediate);
    this.endSnapshot();
    this.file.discard();
    this.complete(new Error("aborted"));
  }

  private fail(e: unknown): void {
    this.endSnapshot();
    this.file.discard();
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
