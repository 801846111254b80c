// State of one shard worker: its databases, connected clients, counters and the hooks the
// command modules share (WATCH invalidation, keyspace notifications, propagation).

import { Db, T_LIST, T_STREAM, T_ZSET, tickLruClock } from "../keyspace/db.ts";
import type { Config } from "../config/config.ts";
import type { Client } from "./client.ts";
import { fromLatin1, latin1 } from "../util/bytes.ts";
import { BlockingState } from "./blocking.ts";

export interface Stats {
  connectionsReceived: number;
  commandsProcessed: number;
  rejectedConnections: number;
  expiredKeys: number;
  evictedKeys: number;
  keyspaceHits: number;
  keyspaceMisses: number;
  netInput: number;
  netOutput: number;
  errorReplies: number;
  unexpectedErrorReplies: number;
  /** Error replies by their first word (INFO errorstats). */
  errors: Map<string, number>;
  pubsubMessages: number;
  expireCycleCpuMs: number;
}

function freshStats(): Stats {
  return {
    connectionsReceived: 0,
    commandsProcessed: 0,
    rejectedConnections: 0,
    expiredKeys: 0,
    evictedKeys: 0,
    keyspaceHits: 0,
    keyspaceMisses: 0,
    netInput: 0,
    netOutput: 0,
    errorReplies: 0,
    unexpectedErrorReplies: 0,
    errors: new Map(),
    pubsubMessages: 0,
    expireCycleCpuMs: 0,
  };
}

/** Other shard workers, for messages that must reach their subscribers too. */
export interface Peers {
  /** Whether any other worker has global subscribers. */
  anySubscribers(): boolean;
  /** Deliver a message to the other workers' subscribers (fire and forget). */
  publish(channel: Uint8Array, message: Uint8Array): void;
}

const NO_PEERS: Peers = { anySubscribers: () => false, publish: () => {} };

/** Keyspace-notification publisher; installed by the pub/sub module. */
export type Notifier = (type: string, event: string, key: Uint8Array, dbIndex: number) => void;
/** Receives every effect to propagate (AOF, replication); installed by those modules. */
export type Propagator = (dbIndex: number, argv: Uint8Array[]) => void;

export class Shard {
  readonly dbs: Db[] = [];
  readonly clients = new Map<number, Client>();
  stats: Stats = freshStats();
  /** Changes since the last save (rdb_changes_since_last_save, and "did this write?"). */
  dirty = 0;
  readonly startedAt = Date.now();
  readonly blocking: BlockingState;
  /** Clients watching each key: "db:latin1(key)" → clients. */
  readonly watchedKeys = new Map<string, Set<Client>>();
  notifier: Notifier | null = null;
  peers: Peers = NO_PEERS;
  /** Extra work for every cron tick (shared INFO counters, ...). */
  cronHooks: (() => void)[] = [];
  /** Cleanup run when a client goes away (subscriptions, WATCH, blocked state). */
  closeHooks: ((c: Client) => void)[] = [];
  logger: (level: string, message: string) => void = () => {};
  propagators: Propagator[] = [];
  lastSave = Math.floor(Date.now() / 1000);
  /** maxmemory in bytes (0 = no limit), kept here so dispatch needs no config lookup. */
  maxmemory = 0;
  /** Active expiry can be switched off by DEBUG SET-ACTIVE-EXPIRE 0. */
  activeExpire = true;
  /** CLIENT PAUSE deadline (ms) and mode ("write" or "all"); 0 = not paused. */
  pausedUntil = 0;
  pauseWritesOnly = false;

  constructor(
    public readonly id: number,
    public readonly count: number,
    public config: Config,
    public readonly runId: string,
    /** Next client id, shared by all workers (Atomics on a SharedArrayBuffer). */
    private readonly idCounter: Int32Array,
  ) {
    this.blocking = new BlockingState(this);
    this.maxmemory = config.getNum("maxmemory");
    const n = config.getNum("databases");
    for (let i = 0; i < n; i++) {
      const db = new Db(i);
      db.onExpired = (d, key) => this.expired(d.id, key);
      // Clients blocked on a key wake whenever a list, zset or stream appears there, however
      // it got there (Redis's signalKeyAsReady in dbAdd).
      db.onObjectStored = (d, key, type) => {
        if (type === T_LIST || type === T_ZSET || type === T_STREAM) this.blocking.signal(d.id, key);
      };
      this.dbs.push(db);
    }
  }

  nextClientId(): number {
    return Atomics.add(this.idCounter, 0, 1) + 1;
  }

  log(level: string, message: string): void {
    this.logger(level, message);
  }

  clientClosed(c: Client): void {
    this.clients.delete(c.id);
    this.unwatchAll(c);
    for (const h of this.closeHooks) h(c);
  }

  countError(message: string): void {
    const sp = message.indexOf(" ");
    const code = sp < 0 ? message : message.slice(0, sp);
    this.stats.errorReplies++;
    this.stats.errors.set(code, (this.stats.errors.get(code) ?? 0) + 1);
  }

  resetStats(): void {
    this.stats = freshStats();
  }

  /** A key was deleted by expiry: count, notify, invalidate WATCH, propagate DEL. */
  private expired(dbIndex: number, key: Uint8Array): void {
    this.stats.expiredKeys++;
    this.keyModified(dbIndex, key);
    this.notify("x", "expired", key, dbIndex);
    this.propagate(dbIndex, [DEL, key]);
  }

  watch(c: Client, dbIndex: number, key: Uint8Array): void {
    const k = dbIndex + ":" + latin1(key);
    (c.watched ??= new Set()).add(k);
    let set = this.watchedKeys.get(k);
    if (!set) this.watchedKeys.set(k, (set = new Set()));
    set.add(c);
  }

  unwatchAll(c: Client): void {
    if (c.watched) {
      for (const k of c.watched) {
        const set = this.watchedKeys.get(k);
        if (!set) continue;
        set.delete(c);
        if (set.size === 0) this.watchedKeys.delete(k);
      }
      c.watched = null;
    }
    c.watchDirty = false;
  }

  keyModified(dbIndex: number, key: Uint8Array): void {
    if (this.watchedKeys.size === 0) return;
    const set = this.watchedKeys.get(dbIndex + ":" + latin1(key));
    if (set) for (const c of set) c.watchDirty = true;
  }

  /** FLUSHDB/FLUSHALL/SWAPDB invalidate every watcher of the database (all dbs: -1). */
  dbModified(dbIndex: number, swappedWith = -1): void {
    for (const [k, set] of this.watchedKeys) {
      const sep = k.indexOf(":");
      const d = Number(k.slice(0, sep));
      if (dbIndex >= 0 && d !== dbIndex) continue;
      const key = fromLatin1(k.slice(sep + 1));
      // peek() lazily deletes a stale key first: an expired key is already gone logically.
      const touched = this.dbs[d].peek(key) !== 0 || (swappedWith >= 0 && this.dbs[swappedWith].peek(key) !== 0);
      if (touched) for (const c of set) c.watchDirty = true;
    }
  }

  notify(type: string, event: string, key: Uint8Array, dbIndex: number): void {
    if (this.notifier) this.notifier(type, event, key, dbIndex);
  }

  propagate(dbIndex: number, argv: Uint8Array[]): void {
    for (const p of this.propagators) p(dbIndex, argv);
  }

  /** Housekeeping between commands: slab compaction and active expiry. */
  cron(): void {
    tickLruClock();
    for (const h of this.cronHooks) h();
    for (const db of this.dbs) db.maintenance();
    if (this.activeExpire) this.activeExpireCycle();
  }

  /**
   * Redis's adaptive active expiry: sample 20 volatile keys per db, delete the expired ones,
   * repeat while more than 10% of a sample was expired and the time budget (25% of a 100 ms
   * tick, scaled by active-expire-effort) remains.
   */
  private activeExpireCycle(): void {
    const start = performance.now();
    const effort = this.config.getNum("active-expire-effort") - 1;
    const perLoop = 20 + 5 * effort;
    const budgetMs = 25 + 2 * effort;
    const now = Date.now();
    for (const db of this.dbs) {
      if (db.volatileCount === 0) continue;
      let ttlSum = 0;
      let ttlSamples = 0;
      for (;;) {
        let expired = 0;
        const n = Math.min(perLoop, db.volatileCount);
        for (let i = 0; i < n; i++) {
          const addr = db.randomVolatile();
          if (addr === 0) break;
          const at = db.expireAt(addr);
          if (db.expireIfNeeded(addr, now)) expired++;
          else {
            ttlSum += at - now;
            ttlSamples++;
          }
        }
        if (ttlSamples > 0) db.avgTtl = db.avgTtl === 0 ? ttlSum / ttlSamples : (db.avgTtl * 49 + ttlSum / ttlSamples) / 50;
        if (expired * 10 <= n || db.volatileCount === 0) break;
        if (performance.now() - start > budgetMs) break;
      }
    }
    this.stats.expireCycleCpuMs += performance.now() - start;
  }
}

const DEL = new TextEncoder().encode("DEL");
