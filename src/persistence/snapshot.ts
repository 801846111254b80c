// Point-in-time snapshots without fork(). A snapshot freezes the logical content of a
// worker's databases at one instant (start()) and then walks them in short slices between
// client commands, while writes go on:
//
//  - Copy on first write. While any snapshot runs, the databases' mutating methods (and the
//    lookups of write commands, which may change a value in place afterwards) are hooked: the
//    first time a key is touched after the snapshot point, its old value is serialized into
//    the snapshot stream right then, and the key is remembered as handled so the walker skips
//    it. Keys created after the snapshot point are remembered the same way (as absent). Extra
//    memory is one small string per key touched ahead of the walker, not a copy of the data.
//  - The walker visits home buckets in SCAN's reverse-binary order. Its position is a
//    watermark in hash space: keys whose reversed hash is below it were already visited, so
//    touching them needs no bookkeeping at all, and keys it meets again after the index
//    shrank are recognised and skipped (no duplicates in the file).
//  - FLUSHDB/FLUSHALL move the doomed data to a detached database the walker finishes from;
//    SWAPDB swaps which instance each snapshot database is read from.
//
// The output is a stream of self-contained chunks (each begins with SELECTDB), the same for
// BGSAVE files, AOF rewrites and replication's full sync.

import { Db, hashBytes } from "../keyspace/db.ts";
import { latin1 } from "../util/bytes.ts";
import { FLUSH_BYTES } from "./rdb-writer.ts";

/** How keys become bytes: RDB entries, or AOF commands for a rewrite without preamble. */
export interface EntryWriter {
  /** Serialize the key at addr, which belongs to snapshot database dbId. */
  entry(dbId: number, db: Db, addr: number): void;
  /** A database's part starts (SELECTDB/RESIZEDB for RDB). */
  dbStart(dbId: number, size: number, expires: number): void;
  /** Bytes written and not taken yet. */
  readonly pending: number;
  /** What was written since the last take(); the next entry re-selects its database. */
  take(): Uint8Array;
}

interface DbState {
  /** The database number this part of the snapshot is written as. */
  readonly id: number;
  /** The instance holding this database's snapshot-time data now. */
  src: Db;
  cursor: number;
  /** reverse32(cursor): keys whose reversed hash is below this were visited. */
  watermark: number;
  begun: boolean;
  done: boolean;
  /** Keys (latin1) ahead of the walker already written or created after the snapshot point. */
  readonly handled: Set<string>;
  /** Index size at the last step; a smaller one means visited keys can come round again. */
  buckets: number;
  shrunk: boolean;
}

function reverse32(v: number): number {
  v = ((v >>> 1) & 0x55555555) | ((v & 0x55555555) << 1);
  v = ((v >>> 2) & 0x33333333) | ((v & 0x33333333) << 2);
  v = ((v >>> 4) & 0x0f0f0f0f) | ((v & 0x0f0f0f0f) << 4);
  v = ((v >>> 8) & 0x00ff00ff) | ((v & 0x00ff00ff) << 8);
  return ((v >>> 16) | (v << 16)) >>> 0;
}

/** Set while a write command (or a blocked client being served) runs during a snapshot. */
export const writeContext = { depth: 0 };

const active: Snapshot[] = [];
const P = Db.prototype;

/** Whether any snapshot is running (the command gate then marks write commands). */
export function snapshotsRunning(): boolean {
  return active.length > 0;
}

export class Snapshot {
  readonly startedAt = Date.now();
  keysTotal = 0;
  keysDone = 0;
  done = false;
  private readonly states: DbState[] = [];
  /** Instance → the snapshot database whose data it holds. */
  private readonly live = new Map<Db, DbState>();
  private readonly now = Date.now();

  constructor(
    private readonly dbs: Db[],
    private readonly writer: EntryWriter,
  ) {}

  /** The snapshot point: from here on the content written is the content as of now. */
  start(): void {
    for (const db of this.dbs) {
      const st: DbState = {
        id: db.id,
        src: db,
        cursor: 0,
        watermark: 0,
        begun: false,
        done: db.size === 0,
        handled: new Set(),
        buckets: db.buckets,
        shrunk: false,
      };
      this.keysTotal += db.size;
      this.states.push(st);
      if (!st.done) this.live.set(db, st);
    }
    if (active.length === 0) for (const db of this.dbs) hook(db);
    active.push(this);
  }

  /** Stop tracking writes (after the walk, or when abandoned). */
  stop(): void {
    const i = active.indexOf(this);
    if (i < 0) return;
    active.splice(i, 1);
    if (active.length === 0) for (const db of this.dbs) unhook(db);
    this.live.clear();
  }

  /**
   * Walk until performance.now() passes deadline, maxKeys keys were written or a chunk's
   * worth of output is pending; returns true once every database was walked (the caller
   * then takes the last chunk and stops).
   */
  step(deadline: number, maxKeys = Infinity): boolean {
    let written = 0;
    let steps = 0;
    for (const st of this.states) {
      if (st.done) continue;
      const src = st.src;
      if (!st.begun) {
        this.writer.dbStart(st.id, src.size, src.volatileCount);
        st.begun = true;
      }
      const handled = st.handled;
      const writer = this.writer;
      const now = this.now;
      let w = 0;
      let filter = false;
      const visit = (addr: number): void => {
        if (filter || handled.size > 0) {
          const key = src.keyOf(addr);
          if (filter && reverse32(hashBytes(key)) < w) return;
          if (handled.has(latin1(key))) return;
        }
        if (src.isExpired(addr, now)) return;
        writer.entry(st.id, src, addr);
        written++;
      };
      while (!st.done) {
        const buckets = src.buckets;
        if (buckets < st.buckets) st.shrunk = true;
        st.buckets = buckets;
        w = st.watermark;
        filter = st.shrunk;
        const next = src.scanStep(st.cursor, visit);
        st.cursor = next;
        st.watermark = reverse32(next);
        if (next === 0) this.finishDb(st);
        if (written >= maxKeys || this.writer.pending >= CHUNK_BYTES || ((++steps & 31) === 0 && performance.now() >= deadline)) {
          this.keysDone += written;
          return this.allDone();
        }
      }
    }
    this.keysDone += written;
    return this.allDone();
  }

  private finishDb(st: DbState): void {
    st.done = true;
    st.handled.clear();
    for (const [db, s] of this.live) if (s === st) this.live.delete(db);
  }

  private allDone(): boolean {
    if (!this.done && this.states.every((s) => s.done)) this.done = true;
    return this.done;
  }

  /** Bytes the writer holds. */
  get pending(): number {
    return this.writer.pending;
  }

  take(): Uint8Array {
    return this.writer.take();
  }

  // ---- write hooks ----------------------------------------------------------------------

  /** Key is about to change (or be created) in db: write its snapshot-time value first. */
  touchKey(db: Db, key: Uint8Array): void {
    const st = this.live.get(db);
    if (st === undefined || reverse32(hashBytes(key)) < st.watermark) return;
    const k = latin1(key);
    if (st.handled.has(k)) return;
    st.handled.add(k);
    // peek() may expire the key on the way; that deletion arrives here via touchAddr and finds it handled.
    const addr = P.peek.call(db, key);
    if (addr !== 0) this.write(st, db, addr);
  }

  /** The record at addr is about to change or go. */
  touchAddr(db: Db, addr: number): void {
    const st = this.live.get(db);
    if (st === undefined) return;
    const key = db.keyOf(addr);
    if (reverse32(hashBytes(key)) < st.watermark) return;
    const k = latin1(key);
    if (st.handled.has(k)) return;
    st.handled.add(k);
    if (!db.isExpired(addr, this.now)) this.write(st, db, addr);
  }

  private write(st: DbState, db: Db, addr: number): void {
    if (!st.begun) {
      this.writer.dbStart(st.id, db.size, db.volatileCount);
      st.begun = true;
    }
    this.writer.entry(st.id, db, addr);
    this.keysDone++;
  }

  /** db is being emptied: keep its data readable for the walker in a detached instance. */
  detach(db: Db, frozen: () => Db): void {
    const st = this.live.get(db);
    if (st === undefined) return;
    st.src = frozen();
    this.live.delete(db);
  }

  /** a and b exchange contents: each snapshot database follows its data. */
  swapped(a: Db, b: Db): void {
    const sa = this.live.get(a);
    const sb = this.live.get(b);
    this.live.delete(a);
    this.live.delete(b);
    if (sa !== undefined) {
      sa.src = b;
      this.live.set(b, sa);
    }
    if (sb !== undefined) {
      sb.src = a;
      this.live.set(a, sb);
    }
  }
}

// ---- Db instance hooks (installed while at least one snapshot runs) ------------------------

const HOOKED = ["lookup", "peek", "setStr", "setStrGrowable", "setObj", "replaceObj", "removeAddr", "del", "setExpire", "clearExpire", "flush", "swapWith"] as const;

function touchKey(db: Db, key: Uint8Array): void {
  for (const s of active) s.touchKey(db, key);
}

function touchAddr(db: Db, addr: number): void {
  for (const s of active) s.touchAddr(db, addr);
}

function hook(db: Db): void {
  db.lookup = function (this: Db, key: Uint8Array): number {
    if (writeContext.depth > 0) touchKey(this, key);
    return P.lookup.call(this, key);
  };
  db.peek = function (this: Db, key: Uint8Array): number {
    if (writeContext.depth > 0) touchKey(this, key);
    return P.peek.call(this, key);
  };
  db.setStr = function (this: Db, key: Uint8Array, val: Uint8Array, keepTtl?: boolean, raw?: boolean): number {
    touchKey(this, key);
    return P.setStr.call(this, key, val, keepTtl, raw);
  };
  db.setStrGrowable = function (this: Db, key: Uint8Array, val: Uint8Array): number {
    touchKey(this, key);
    return P.setStrGrowable.call(this, key, val);
  };
  db.setObj = function (this: Db, key: Uint8Array, type: number, value: unknown, keepTtl?: boolean): number {
    touchKey(this, key);
    return P.setObj.call(this, key, type, value, keepTtl);
  };
  db.del = function (this: Db, key: Uint8Array): boolean {
    touchKey(this, key);
    return P.del.call(this, key);
  };
  db.replaceObj = function (this: Db, addr: number, value: unknown): void {
    touchAddr(this, addr);
    P.replaceObj.call(this, addr, value);
  };
  db.removeAddr = function (this: Db, addr: number): void {
    touchAddr(this, addr);
    P.removeAddr.call(this, addr);
  };
  db.setExpire = function (this: Db, addr: number, when: number): void {
    touchAddr(this, addr);
    P.setExpire.call(this, addr, when);
  };
  db.clearExpire = function (this: Db, addr: number): boolean {
    touchAddr(this, addr);
    return P.clearExpire.call(this, addr);
  };
  db.flush = function (this: Db): void {
    let frozen: Db | null = null;
    const make = (): Db => {
      if (frozen === null) {
        frozen = new Db(this.id);
        P.swapWith.call(frozen, this);
      }
      return frozen;
    };
    for (const s of active) s.detach(this, make);
    P.flush.call(this);
  };
  db.swapWith = function (this: Db, other: Db): void {
    for (const s of active) s.swapped(this, other);
    P.swapWith.call(this, other);
  };
}

function unhook(db: Db): void {
  for (const name of HOOKED) delete (db as unknown as Record<string, unknown>)[name];
}

/** Chunks of about this size are handed to the sink. */
const CHUNK_BYTES = FLUSH_BYTES;
