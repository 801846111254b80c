// Traffic between shard workers. Every ordered pair of workers has a SharedArrayBuffer ring
// (src/server/ring.ts) and every worker a doorbell word that senders bump and notify.
//
// Two ways to run a command on another shard:
//  - forward(): asynchronous and batched. Requests made during one turn of the event loop
//    travel as one ring message per destination, and the owner answers a whole batch with
//    one message; the client is paused meanwhile so its commands stay in order.
//  - exclusive(): for commands that touch several shards (and cross-shard MULTI/EXEC).
//    The caller takes a global mutex, asks every other worker to LOCK (each then serves
//    only the holder's requests, blocked in Atomics.wait), runs its steps with execOn(),
//    and UNLOCKs. No other client's command runs on any shard in between, which is what
//    makes MSET, RENAME or EXEC atomic across shards.
// A worker waiting for the mutex keeps serving its rings, so two workers trying at once
// cannot deadlock.

import { Ring } from "./ring.ts";
import { ByteBuilder } from "../util/bytebuilder.ts";
import { Client } from "./client.ts";
import type { Peers, Shard } from "./shard.ts";
import { call, markClock, resolve } from "./dispatch.ts";

const FWD = 1;
const FWD_REPLY = 2;
const LOCK = 3;
const LOCKED = 4;
const SYNC = 5;
const SYNC_REPLY = 6;
const UNLOCK = 7;
const GONE = 8;
const WATCH_CHECK = 9;
const WATCH_CHECK_REPLY = 10;
const PUBLISH = 11;

/** Index of the global mutex word after the per-worker doorbells. */
export function mutexIndex(workers: number): number {
  return workers;
}

export interface MeshInit {
  /** rings[src][dst]; null on the diagonal. */
  rings: (SharedArrayBuffer | null)[][];
  /** Int32 doorbells, one per worker, then the mutex word. */
  bells: SharedArrayBuffer;
  /** Int32 per worker: 1 while it has pub/sub subscribers (keyspace notifications). */
  subscribed: SharedArrayBuffer;
}

export function createMesh(workers: number, ringBytes: number): MeshInit {
  const rings: (SharedArrayBuffer | null)[][] = [];
  for (let s = 0; s < workers; s++) {
    rings.push([]);
    for (let d = 0; d < workers; d++) rings[s].push(s === d ? null : Ring.create(ringBytes));
  }
  return { rings, bells: new SharedArrayBuffer(4 * (workers + 1)), subscribed: new SharedArrayBuffer(4 * workers) };
}

/** Ring message encoder: little-endian u32 lengths, length-prefixed byte strings. */
class MessageBuilder extends ByteBuilder {
  u32(v: number): void {
    this.ensure(4);
    this.view.setUint32(this.len, v, true);
    this.len += 4;
  }

  blob(b: Uint8Array): void {
    this.u32(b.length);
    this.raw(b);
  }

  argv(argv: Uint8Array[]): void {
    this.u32(argv.length);
    for (const a of argv) this.blob(a);
  }
}

class MessageReader {
  pos = 0;
  view: DataView;
  constructor(readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  byte(): number {
    return this.buf[this.pos++];
  }
  u32(): number {
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }
  bytes(): Uint8Array {
    const n = this.u32();
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
  argv(): Uint8Array[] {
    const n = this.u32();
    const out: Uint8Array[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = this.bytes();
    return out;
  }
}

interface Batch {
  builder: MessageBuilder;
  count: number;
}

/** What a paused client is waiting for and how to continue it. */
export type ReplyHandler = (c: Client, reply: Uint8Array) => void;

export class Mesh {
  private readonly outRings: (Ring | null)[];
  private readonly inRings: (Ring | null)[];
  private readonly bells: Int32Array;
  private readonly subscribed: Int32Array;
  /** Delivers a message published on another worker to our subscribers. */
  onPublish: (channel: Uint8Array, message: Uint8Array) => void = () => {};
  private readonly mutex: number;
  private readonly batches: (Batch | null)[];
  /** Messages that did not fit their ring yet, per destination, in order. */
  private readonly backlog: Uint8Array[][];
  private flushQueued = false;
  /** Clients waiting for a forwarded reply, by id. */
  private readonly waiting = new Map<number, { c: Client; onReply: ReplyHandler }>();
  /** Stand-ins for other workers' clients (keeps their db, protocol and WATCH state). */
  private readonly proxies = new Map<number, Client>();
  /** Home worker of each proxied client. */
  private readonly origin = new Map<number, number>();
  /** Forwarded replies that arrived while a synchronous exchange was running. */
  private deferred: (() => void)[] = [];
  private holding = false;
  private readonly replyScratch = new MessageBuilder();

  constructor(private readonly shard: Shard, init: MeshInit) {
    const n = shard.count;
    const me = shard.id;
    this.outRings = [];
    this.inRings = [];
    for (let i = 0; i < n; i++) {
      this.outRings.push(init.rings[me][i] ? new Ring(init.rings[me][i]!) : null);
      this.inRings.push(init.rings[i][me] ? new Ring(init.rings[i][me]!) : null);
    }
    this.bells = new Int32Array(init.bells);
    this.subscribed = new Int32Array(init.subscribed);
    this.mutex = mutexIndex(n);
    this.batches = new Array(n).fill(null);
    this.backlog = Array.from({ length: n }, () => []);
    shard.closeHooks.push((c) => this.clientGone(c));
    this.listen();
  }

  get workers(): number {
    return this.shard.count;
  }

  // ---- doorbells ------------------------------------------------------------------

  private ring(dst: number): void {
    Atomics.add(this.bells, dst, 1);
    Atomics.notify(this.bells, dst);
  }

  /**
   * Wait for our doorbell asynchronously, forever. The bell is read before draining, so a
   * message that lands while we drain changes it and the next wait returns at once.
   */
  private listen(): void {
    const me = this.shard.id;
    const loop = () => {
      const seen = Atomics.load(this.bells, me);
      this.drainAll();
      const r = Atomics.waitAsync(this.bells, me, seen);
      if (r.async) r.value.then(loop);
      else setImmediate(loop);
    };
    loop();
  }

  /** Block (synchronously) until our doorbell moves past what we last saw. */
  private waitBell(seq: number, timeoutMs: number): void {
    Atomics.wait(this.bells, this.shard.id, seq, timeoutMs);
  }

  // ---- asynchronous forwarding ------------------------------------------------------

  /** Whether argv can travel through the rings at all. */
  fits(argv: Uint8Array[], dst: number): boolean {
    let n = 16;
    for (const a of argv) n += a.length + 4;
    return n < this.outRings[dst]!.maxMessage;
  }

  /** Run argv on shard dst for client c; c is paused until onReply delivers the answer. */
  forward(c: Client, dst: number, argv: Uint8Array[], onReply: ReplyHandler): void {
    let b = this.batches[dst];
    if (b === null) {
      b = { builder: new MessageBuilder(), count: 0 };
      b.builder.byte(FWD);
      b.builder.u32(0);
      this.batches[dst] = b;
    }
    const m = b.builder;
    m.u32(c.id);
    m.byte(c.dbIndex);
    m.byte(c.out.proto);
    m.argv(argv);
    b.count++;
    this.waiting.set(c.id, { c, onReply });
    c.paused = true;
    if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(() => this.flushBatches());
    }
  }

  private flushBatches(): void {
    this.flushQueued = false;
    for (let dst = 0; dst < this.batches.length; dst++) {
      const b = this.batches[dst];
      if (b === null) continue;
      this.batches[dst] = null;
      b.builder.view.setUint32(1, b.count, true);
      this.send(dst, b.builder.buf.subarray(0, b.builder.len));
    }
  }

  /** Write a message to dst's ring (or its backlog when full) and ring its bell. */
  private send(dst: number, body: Uint8Array): void {
    const ring = this.outRings[dst]!;
    const q = this.backlog[dst];
    if (q.length > 0 || !ring.write(body)) {
      q.push(body.slice());
      this.retryBacklog();
    }
    this.ring(dst);
  }

  private retryScheduled = false;
  private retryBacklog(): void {
    if (this.retryScheduled) return;
    this.retryScheduled = true;
    setTimeout(() => {
      this.retryScheduled = false;
      let left = false;
      for (let dst = 0; dst < this.backlog.length; dst++) {
        const q = this.backlog[dst];
        while (q.length > 0 && this.outRings[dst]!.write(q[0])) q.shift();
        if (q.length > 0) left = true;
        this.ring(dst);
      }
      if (left) this.retryBacklog();
    }, 1);
  }

  /** Synchronous send for the lock protocol: spins until the ring has room. */
  private sendNow(dst: number, body: Uint8Array): void {
    const ring = this.outRings[dst]!;
    while (this.backlog[dst].length > 0 || !ring.write(body)) {
      const q = this.backlog[dst];
      while (q.length > 0 && ring.write(q[0])) q.shift();
      if (q.length === 0 && ring.write(body)) break;
      this.ring(dst);
      Atomics.wait(this.bells, this.shard.id, Atomics.load(this.bells, this.shard.id), 1);
    }
    this.ring(dst);
  }

  // ---- receiving ------------------------------------------------------------------

  private drainAll(): void {
    for (let src = 0; src < this.inRings.length; src++) {
      const ring = this.inRings[src];
      if (ring === null) continue;
      for (;;) {
        const msg = ring.read();
        if (msg === null) break;
        const type = msg[0];
        if (type === LOCK) {
          ring.release();
          this.servePeer(src);
          continue;
        }
        this.handle(src, msg);
        ring.release();
      }
    }
  }

  /** Handle a message that is not part of a lock exchange. */
  private handle(src: number, msg: Uint8Array): void {
    const r = new MessageReader(msg);
    const type = r.byte();
    if (type === FWD) this.serveBatch(src, r);
    else if (type === FWD_REPLY) this.acceptReplies(r);
    else if (type === GONE) this.dropProxy(r.u32());
    else if (type === PUBLISH) this.onPublish(r.bytes(), r.bytes());
  }

  private proxyFor(id: number): Client {
    let p = this.proxies.get(id);
    if (!p) {
      p = new Client(this.shard, id);
      p.authenticated = true;
      this.proxies.set(id, p);
    }
    return p;
  }

  private dropProxy(id: number): void {
    const p = this.proxies.get(id);
    if (!p) return;
    this.proxies.delete(id);
    this.origin.delete(id);
    this.shard.clientClosed(p);
  }

  /**
   * Execute one request as the remote client; the reply bytes come back, or null when
   * the command blocked (its reply follows later through lateReply()).
   */
  private execute(src: number, id: number, db: number, proto: number, argv: Uint8Array[], mayBlock: boolean): Uint8Array | null {
    const p = this.proxyFor(id);
    this.origin.set(id, src);
    p.select(db);
    p.out.proto = proto as 2 | 3;
    p.out.len = 0;
    p.noBlock = !mayBlock;
    const cmd = resolve(p, argv);
    markClock();
    if (cmd !== null) call(p, cmd, argv);
    this.shard.blocking.serveReady();
    if (mayBlock && this.shard.blocking.isBlocked(p)) return null;
    return p.out.buf.subarray(0, p.out.len);
  }

  /** A proxy's blocking command was answered: send the reply to its home worker. */
  lateReply(p: Client): void {
    const src = this.origin.get(p.id);
    if (src === undefined) return;
    const m = new MessageBuilder();
    m.byte(FWD_REPLY);
    m.u32(1);
    m.u32(p.id);
    m.blob(p.out.buf.subarray(0, p.out.len));
    p.out.len = 0;
    this.send(src, m.buf.subarray(0, m.len));
  }

  private serveBatch(src: number, r: MessageReader): void {
    const count = r.u32();
    const m = this.replyScratch;
    m.len = 0;
    m.byte(FWD_REPLY);
    m.u32(0);
    let answered = 0;
    for (let i = 0; i < count; i++) {
      const id = r.u32();
      const db = r.byte();
      const proto = r.byte();
      const argv = r.argv();
      const reply = this.execute(src, id, db, proto, argv, true);
      if (reply === null) continue;
      m.u32(id);
      m.blob(reply);
      answered++;
    }
    if (answered === 0) return;
    m.view.setUint32(1, answered, true);
    this.send(src, m.buf.subarray(0, m.len));
  }

  private acceptReplies(r: MessageReader): void {
    const count = r.u32();
    for (let i = 0; i < count; i++) {
      const id = r.u32();
      const reply = r.bytes().slice();
      const w = this.waiting.get(id);
      if (!w) continue;
      this.waiting.delete(id);
      if (this.holding || this.inSync) this.deferred.push(() => w.onReply(w.c, reply));
      else w.onReply(w.c, reply);
    }
  }

  private clientGone(c: Client): void {
    this.waiting.delete(c.id);
    if (c.socket === null) return; // a proxy itself
    const m = new MessageBuilder();
    m.byte(GONE);
    m.u32(c.id);
    for (let dst = 0; dst < this.workers; dst++) if (dst !== this.shard.id) this.send(dst, m.buf.subarray(0, m.len));
  }

  // ---- lock protocol ----------------------------------------------------------------

  private inSync = false;

  /** We were asked to LOCK by `holder`: serve only its requests until it UNLOCKs. */
  private servePeer(holder: number): void {
    const wasInSync = this.inSync;
    this.inSync = true;
    this.sendNow(holder, Uint8Array.of(LOCKED));
    const ring = this.inRings[holder]!;
    const me = this.shard.id;
    for (;;) {
      const seq = Atomics.load(this.bells, me);
      const msg = ring.read();
      if (msg === null) {
        this.waitBell(seq, 50);
        continue;
      }
      const type = msg[0];
      if (type === UNLOCK) {
        ring.release();
        break;
      }
      if (type === WATCH_CHECK) {
        const id = new MessageReader(msg).view.getUint32(1, true);
        ring.release();
        this.sendNow(holder, Uint8Array.of(WATCH_CHECK_REPLY, this.proxies.get(id)?.watchDirty ? 1 : 0));
        continue;
      }
      if (type === SYNC) {
        const r = new MessageReader(msg);
        r.byte();
        const id = r.u32();
        const db = r.byte();
        const proto = r.byte();
        const argv = r.argv();
        const reply = this.execute(holder, id, db, proto, argv, false)!;
        const m = this.replyScratch;
        m.len = 0;
        m.byte(SYNC_REPLY);
        m.blob(reply);
        ring.release();
        this.sendNow(holder, m.buf.subarray(0, m.len));
        continue;
      }
      this.handle(holder, msg);
      ring.release();
    }
    this.inSync = wasInSync;
    if (!this.inSync) this.runDeferred();
  }

  /** Read from src until a message of `want` arrives, serving everything else. */
  private await(src: number, want: number): Uint8Array {
    const ring = this.inRings[src]!;
    const me = this.shard.id;
    for (;;) {
      const seq = Atomics.load(this.bells, me);
      const msg = ring.read();
      if (msg === null) {
        this.waitBell(seq, 50);
        continue;
      }
      if (msg[0] === want) {
        const copy = msg.slice();
        ring.release();
        return copy;
      }
      this.handle(src, msg);
      ring.release();
    }
  }

  /**
   * Run fn with every other shard locked. Nested calls run fn directly. While waiting for
   * the mutex we serve LOCK requests from whoever holds it.
   */
  exclusive<T>(fn: () => T): T {
    if (this.holding) return fn();
    const me = this.shard.id;
    while (Atomics.compareExchange(this.bells, this.mutex, 0, me + 1) !== 0) {
      const seq = Atomics.load(this.bells, me);
      this.drainAll();
      this.waitBell(seq, 1);
    }
    this.holding = true;
    try {
      for (let dst = 0; dst < this.workers; dst++) if (dst !== me) this.sendNow(dst, Uint8Array.of(LOCK));
      for (let dst = 0; dst < this.workers; dst++) if (dst !== me) this.await(dst, LOCKED);
      return fn();
    } finally {
      for (let dst = 0; dst < this.workers; dst++) if (dst !== me) this.sendNow(dst, Uint8Array.of(UNLOCK));
      this.holding = false;
      Atomics.store(this.bells, this.mutex, 0);
      this.runDeferred();
    }
  }

  /** Execute argv on shard dst as client c (inside exclusive()); returns the reply bytes. */
  execOn(dst: number, c: Client, argv: Uint8Array[]): Uint8Array {
    const m = new MessageBuilder();
    m.byte(SYNC);
    m.u32(c.id);
    m.byte(c.dbIndex);
    m.byte(c.out.proto);
    m.argv(argv);
    this.sendNow(dst, m.buf.subarray(0, m.len));
    const r = new MessageReader(this.await(dst, SYNC_REPLY));
    r.byte();
    return r.bytes();
  }

  /** Record whether this worker has subscribers, for the others' anySubscribers(). */
  setSubscribed(any: boolean): void {
    Atomics.store(this.subscribed, this.shard.id, any ? 1 : 0);
  }

  /** The other workers as pub/sub peers (keyspace notifications reach all subscribers). */
  peers(): Peers {
    return {
      anySubscribers: () => {
        for (let w = 0; w < this.workers; w++) if (w !== this.shard.id && Atomics.load(this.subscribed, w) === 1) return true;
        return false;
      },
      publish: (channel, message) => {
        const m = new MessageBuilder();
        m.byte(PUBLISH);
        m.blob(channel);
        m.blob(message);
        for (let w = 0; w < this.workers; w++) {
          if (w !== this.shard.id && Atomics.load(this.subscribed, w) === 1) this.send(w, m.buf.subarray(0, m.len));
        }
      },
    };
  }

  /** Whether any WATCHed key of c held by the given shards changed (inside exclusive()). */
  remoteWatchDirty(c: Client, shards: Set<number> | null): boolean {
    if (!shards) return false;
    let dirty = false;
    for (const dst of shards) {
      const m = new MessageBuilder();
      m.byte(WATCH_CHECK);
      m.u32(c.id);
      this.sendNow(dst, m.buf.subarray(0, m.len));
      if (this.await(dst, WATCH_CHECK_REPLY)[1] === 1) dirty = true;
    }
    return dirty;
  }

  /** Drop c's stand-ins (and so its WATCHes) on the given shards. */
  forget(c: Client, shards: Set<number>): void {
    const m = new MessageBuilder();
    m.byte(GONE);
    m.u32(c.id);
    for (const dst of shards) this.send(dst, m.buf.subarray(0, m.len));
  }

  private runDeferred(): void {
    if (this.deferred.length === 0) return;
    const list = this.deferred;
    this.deferred = [];
    queueMicrotask(() => {
      for (const f of list) f();
    });
  }
}
