// Clients blocked on keys (BLPOP, BLMOVE, BZPOPMIN, XREAD BLOCK, ...), as Redis's
// blocked.c: a blocked client stops parsing; writes that may serve it signal the key as
// ready, and after the writing command returns the waiters of each ready key are retried
// in the order they blocked. Timeouts and CLIENT UNBLOCK end the wait.

import type { Client } from "./client.ts";
import type { Shard } from "./shard.ts";
import { latin1 } from "../util/bytes.ts";

export interface BlockSpec {
  /** Keys to wait on (copies; argv memory does not outlive the command). */
  keys: Uint8Array[];
  dbIndex: number;
  /** Absolute ms deadline, 0 = wait forever. */
  deadline: number;
  /**
   * Try to serve the client now that a key it waits on may be ready. Writes the reply and
   * returns true when served; returns false to keep waiting.
   */
  retry: (c: Client) => boolean;
  /** Write the timeout reply (null array, null bulk, ...). */
  onTimeout: (c: Client) => void;
}

interface Blocked {
  spec: BlockSpec;
  timer: ReturnType<typeof setTimeout> | null;
  /** Tells the client's front end (socket or another shard) that its reply is ready. */
  wake: (c: Client) => void;
}

const UNBLOCKED = "UNBLOCKED client unblocked via CLIENT UNBLOCK";
const MAX_TIMER = 2 ** 31 - 1;

export class BlockingState {
  /** "db:latin1(key)" → clients waiting on it, oldest first. */
  private readonly waiters = new Map<string, Client[]>();
  private readonly blocked = new Map<Client, Blocked>();
  private ready: string[] = [];
  private readySet = new Set<string>();
  /** Installed by the front end: resumes a client after its blocking reply is written. */
  wake: (c: Client) => void = () => {};

  constructor(private readonly shard: Shard) {
    shard.closeHooks.push((c) => this.forget(c));
  }

  get count(): number {
    return this.blocked.size;
  }

  isBlocked(c: Client): boolean {
    return this.blocked.has(c);
  }

  /** Block c until spec.retry serves it, the deadline passes, or CLIENT UNBLOCK. */
  block(c: Client, spec: BlockSpec): void {
    const entry: Blocked = { spec, timer: null, wake: this.wake };
    this.blocked.set(c, entry);
    for (const key of spec.keys) {
      const id = spec.dbIndex + ":" + latin1(key);
      let list = this.waiters.get(id);
      if (!list) this.waiters.set(id, (list = []));
      if (!list.includes(c)) list.push(c);
    }
    if (spec.deadline > 0) this.arm(c, entry);
    c.paused = true;
  }

  /** Whether anyone waits on this key (cheap check for write commands). */
  hasWaiters(dbIndex: number, key: Uint8Array): boolean {
    return this.waiters.size > 0 && this.waiters.has(dbIndex + ":" + latin1(key));
  }

  /** A write may have made key able to serve waiters; handled after the current command. */
  signal(dbIndex: number, key: Uint8Array): void {
    if (this.waiters.size === 0) return;
    const id = dbIndex + ":" + latin1(key);
    if (!this.waiters.has(id) || this.readySet.has(id)) return;
    this.readySet.add(id);
    this.ready.push(id);
  }

  /** Every waited key of a database may be ready (SWAPDB brought in other contents). */
  signalDb(dbIndex: number): void {
    const prefix = dbIndex + ":";
    for (const id of this.waiters.keys()) {
      if (!id.startsWith(prefix) || this.readySet.has(id)) continue;
      this.readySet.add(id);
      this.ready.push(id);
    }
  }

  /** Retry the waiters of every signalled key (Redis's handleClientsBlockedOnKeys). */
  serveReady(): void {
    if (this.ready.length === 0) return;
    while (this.ready.length > 0) {
      const batch = this.ready;
      this.ready = [];
      this.readySet.clear();
      for (const id of batch) {
        const list = this.waiters.get(id);
        if (!list) continue;
        for (const c of [...list]) {
          const entry = this.blocked.get(c);
          if (!entry) continue;
          const db = c.dbIndex;
          c.select(entry.spec.dbIndex);
          const served = entry.spec.retry(c);
          c.select(db);
          if (served) this.finish(c);
        }
      }
    }
  }

  /** Timers take at most 2^31-1 ms (~24.8 days): longer waits re-arm until the deadline. */
  private arm(c: Client, entry: Blocked): void {
    const left = Math.max(0, entry.spec.deadline - Date.now());
    entry.timer = setTimeout(() => (left > MAX_TIMER ? this.arm(c, entry) : this.timeout(c)), Math.min(left, MAX_TIMER));
  }

  private timeout(c: Client): void {
    const entry = this.blocked.get(c);
    if (!entry) return;
    entry.timer = null;
    entry.spec.onTimeout(c);
    this.finish(c);
  }

  /** CLIENT UNBLOCK: answer as a timeout, or with the UNBLOCKED error. */
  unblock(c: Client, withError: boolean): boolean {
    const entry = this.blocked.get(c);
    if (!entry) return false;
    if (withError) c.out.error(UNBLOCKED);
    else entry.spec.onTimeout(c);
    this.finish(c);
    return true;
  }

  private finish(c: Client): void {
    const entry = this.forget(c);
    if (entry) entry.wake(c);
  }

  private forget(c: Client): Blocked | undefined {
    const entry = this.blocked.get(c);
    if (!entry) return undefined;
    this.blocked.delete(c);
    if (entry.timer) clearTimeout(entry.timer);
    for (const key of entry.spec.keys) {
      const id = entry.spec.dbIndex + ":" + latin1(key);
      const list = this.waiters.get(id);
      if (!list) continue;
      const i = list.indexOf(c);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) this.waiters.delete(id);
    }
    return entry;
  }
}
