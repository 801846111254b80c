// Transactions: MULTI, EXEC, DISCARD, WATCH, UNWATCH. The dispatcher queues commands while
// c.multi is set (and flags queue-time errors); EXEC runs the queue through call().

import { register } from "./table.ts";
import { onReset } from "./connection.ts";
import { call, resolve } from "../server/dispatch.ts";
import type { Client } from "../server/client.ts";
import type { Shard } from "../server/shard.ts";
import { bytes, fromLatin1, latin1 } from "../util/bytes.ts";

const EXECABORT = "EXECABORT Transaction discarded because of previous errors.";
const MULTI_ARGV = [bytes("MULTI")];
const EXEC_ARGV = [bytes("EXEC")];

function watchKey(c: Client, key: Uint8Array): void {
  if (c.watched?.has(c.dbIndex + ":" + latin1(key))) return;
  // A key already past its TTL is lazily deleted before the watch starts, so its deletion is
  // not a change for this watcher (Redis instead flags such a watch as "expired at WATCH").
  c.db.peek(key);
  c.shard.watch(c, c.dbIndex, key);
}

/**
 * Redis's isWatchedKeyExpired: a watched key that expired since WATCH fails the EXEC even if
 * no one accessed it. Lazily expiring it goes through the shard's expiry path, which marks
 * every watcher (this client included) dirty.
 */
function expireWatchedKeys(c: Client): void {
  if (c.watched === null) return;
  for (const id of c.watched) {
    if (c.watchDirty) return;
    const sep = id.indexOf(":");
    c.shard.dbs[Number(id.slice(0, sep))].peek(fromLatin1(id.slice(sep + 1)));
  }
}

function discardTransaction(c: Client): void {
  c.multi = null;
  c.shard.unwatchAll(c);
}

function multi(c: Client): void {
  if (c.multi) return c.out.error("ERR MULTI calls can not be nested");
  c.multi = { queue: [], aborted: false };
  c.out.ok();
}

function discard(c: Client): void {
  if (!c.multi) return c.out.error("ERR DISCARD without MULTI");
  discardTransaction(c);
  c.out.ok();
}

function exec(c: Client): void {
  const state = c.multi;
  if (!state) return c.out.error("ERR EXEC without MULTI");
  expireWatchedKeys(c);
  if (state.aborted || c.watchDirty) {
    if (state.aborted) c.out.error(EXECABORT);
    else c.out.nilArray();
    discardTransaction(c);
    return;
  }
  discardTransaction(c);
  const shard = c.shard;
  // Effects are collected and propagated after the transaction, wrapped in MULTI/EXEC when
  // there is more than one (Redis 7.0's propagatePendingCommands).
  const effects: [number, Uint8Array[]][] = [];
  const propagate = shard.propagate;
  shard.propagate = (dbIndex, argv) => {
    effects.push([dbIndex, argv]);
  };
  c.noBlock = true;
  c.out.array(state.queue.length);
  try {
    for (const argv of state.queue) {
      const cmd = resolve(c, argv);
      if (cmd !== null) call(c, cmd, argv);
    }
  } finally {
    c.noBlock = false;
    shard.propagate = propagate;
  }
  // The effects were propagated above: nothing more for EXEC itself.
  c.propagateAs = [];
  if (effects.length === 0) return;
  const wrap = effects.length > 1;
  if (wrap) shard.propagate(effects[0][0], MULTI_ARGV);
  for (const [dbIndex, argv] of effects) shard.propagate(dbIndex, argv);
  if (wrap) shard.propagate(effects[effects.length - 1][0], EXEC_ARGV);
}

function watch(c: Client, argv: Uint8Array[]): void {
  if (c.multi) return c.out.error("ERR WATCH inside MULTI is not allowed");
  // Already dirty: the next EXEC fails anyway, so there is nothing to watch.
  if (!c.watchDirty) for (let j = 1; j < argv.length; j++) watchKey(c, argv[j]);
  c.out.ok();
}

function unwatch(c: Client): void {
  c.shard.unwatchAll(c);
  c.out.ok();
}

/** Transactions keep no per-shard state of their own: WATCH tables live in the Shard, which
 *  also drops a disconnected client's watches. */
export function installMulti(_shard: Shard): void {}

onReset(discardTransaction);

register(
  { name: "multi", arity: 1, flags: ["noscript", "loading", "stale", "fast", "allow_busy"], group: "transactions", since: "1.2.0", summary: "Mark the start of a transaction block", complexity: "O(1)", handler: multi },
  { name: "exec", arity: 1, flags: ["noscript", "loading", "stale", "skip_slowlog"], group: "transactions", since: "1.2.0", summary: "Execute all commands issued after MULTI", complexity: "Depends on commands in the transaction", handler: exec },
  { name: "discard", arity: 1, flags: ["noscript", "loading", "stale", "fast", "allow_busy"], group: "transactions", since: "2.0.0", summary: "Discard all commands issued after MULTI", complexity: "O(N), when N is the number of queued commands", handler: discard },
  { name: "watch", arity: -2, flags: ["noscript", "loading", "stale", "fast", "allow_busy"], keys: [1, -1, 1], group: "transactions", since: "2.2.0", summary: "Watch the given keys to determine execution of the MULTI/EXEC block", complexity: "O(1) for every key.", handler: watch },
  { name: "unwatch", arity: 1, flags: ["noscript", "loading", "stale", "fast", "allow_busy"], group: "transactions", since: "2.2.0", summary: "Forget about all watched keys", complexity: "O(1)", handler: unwatch },
);
