// Generic keyspace commands: DEL, UNLINK, EXISTS, TYPE, KEYS, SCAN, RANDOMKEY, RENAME,
// RENAMENX, COPY, MOVE, SWAPDB, TOUCH, OBJECT.

import { register } from "./table.ts";
import type { Client } from "../server/client.ts";
import type { Shard } from "../server/shard.ts";
import { type Db, T_STRING, TYPE_NAMES, accessPolicy, lruClock } from "../keyspace/db.ts";
import { cloneValue } from "../keyspace/clone.ts";
import { equal, globMatch, is, isIntEncodable, lower, parseInt64 } from "../util/bytes.ts";
import { BAD_DB, NOT_INTEGER, NO_SUCH_KEY, SYNTAX, WRONGTYPE } from "../server/errors.ts";

const SAME_OBJECT = "ERR source and destination objects are the same";
const INT_MAX = 2147483647;
/** Redis's refcount of its shared integer objects (OBJ_SHARED_REFCOUNT). */
const SHARED_REFCOUNT = 2147483647;
const SHARED_INTEGERS = 10000;

// ---- lookups shared with other generic commands ---------------------------------------

/**
 * Redis's lookupKeyRead: the address of a live key or 0, counting keyspace hits/misses and
 * firing "keymiss". touch=false is LOOKUP_NOTOUCH (EXISTS, TYPE, TTL); notifyMiss=false
 * is LOOKUP_NONOTIFY (OBJECT).
 */
export function lookupRead(c: Client, key: Uint8Array, touch = true, notifyMiss = true): number {
  const addr = touch ? c.db.lookup(key) : c.db.peek(key);
  if (addr !== 0) {
    c.shard.stats.keyspaceHits++;
  } else {
    c.shard.stats.keyspaceMisses++;
    if (notifyMiss) c.shard.notify("m", "keymiss", key, c.dbIndex);
  }
  return addr;
}

/** lookupKeyRead + checkType: the key's address, 0 when missing, -1 after a WRONGTYPE reply. */
export function readTyped(c: Client, key: Uint8Array, type: number): number {
  const addr = lookupRead(c, key);
  if (addr !== 0 && c.db.type(addr) !== type) {
    c.out.error(WRONGTYPE);
    return -1;
  }
  return addr;
}

/** lookupKeyWrite + checkType (no hit/miss stats): address, 0 when missing, -1 after WRONGTYPE. */
export function writeTyped(c: Client, key: Uint8Array, type: number): number {
  const addr = c.db.lookup(key);
  if (addr !== 0 && c.db.type(addr) !== type) {
    c.out.error(WRONGTYPE);
    return -1;
  }
  return addr;
}

/** c.written() for a key of another database of this shard (MOVE, COPY ... DB n). */
function writtenIn(c: Client, dbIndex: number, key: Uint8Array, event: string, cls: string): void {
  const own = c.dbIndex;
  c.dbIndex = dbIndex;
  c.written(key, event, cls);
  c.dbIndex = own;
}

/** A key's value and metadata, copied out before the database is written again. */
interface Taken {
  type: number;
  value: unknown;
  raw: boolean;
  expire: number;
  lru: number;
}

function take(db: Db, addr: number, duplicate: boolean): Taken {
  const type = db.type(addr);
  let value: unknown;
  if (type === T_STRING) value = db.str(addr).slice();
  else value = duplicate ? cloneValue(type, db.obj(addr)) : db.obj(addr);
  return { type, value, raw: type === T_STRING && db.isRaw(addr), expire: db.expireAt(addr), lru: db.lru(addr) };
}

/** Store a taken value under key (replacing what is there); returns the new address. */
function put(db: Db, key: Uint8Array, t: Taken): number {
  const addr = t.type === T_STRING ? db.setStr(key, t.value as Uint8Array, false, t.raw) : db.setObj(key, t.type, t.value);
  if (t.expire !== -1) db.setExpire(addr, t.expire);
  return addr;
}

/**
 * getIntFromObjectOrReply: a strict integer within C int range, or null after replying
 * with Redis's error (`message` replaces both errors when given, as in SWAPDB).
 */
function intArg(c: Client, b: Uint8Array, message?: string): number | null {
  const v = parseInt64(b);
  if (v === null) {
    c.out.error(message ?? NOT_INTEGER);
    return null;
  }
  if (v > INT_MAX || v < -INT_MAX - 1) {
    c.out.error(message ?? `ERR value is out of range, value must between ${-INT_MAX - 1} and ${INT_MAX}`);
    return null;
  }
  return Number(v);
}

function clusterEnabled(c: Client): boolean {
  return c.shard.config.getBool("cluster-enabled");
}

// ---- DEL / UNLINK / EXISTS / TYPE / TOUCH ---------------------------------------------

function del(c: Client, argv: Uint8Array[]): void {
  const db = c.db;
  let n = 0;
  for (let i = 1; i < argv.length; i++) {
    if (db.del(argv[i])) {
      c.written(argv[i], "del", "g");
      n++;
    }
  }
  c.out.int(n);
}

function exists(c: Client, argv: Uint8Array[]): void {
  let n = 0;
  for (let i = 1; i < argv.length; i++) if (lookupRead(c, argv[i], false) !== 0) n++;
  c.out.int(n);
}

function type(c: Client, argv: Uint8Array[]): void {
  const addr = lookupRead(c, argv[1], false);
  c.out.simple(addr === 0 ? "none" : TYPE_NAMES[c.db.type(addr)]);
}

function touch(c: Client, argv: Uint8Array[]): void {
  let n = 0;
  for (let i = 1; i < argv.length; i++) if (lookupRead(c, argv[i], true) !== 0) n++;
  c.out.int(n);
}

// ---- KEYS / SCAN / RANDOMKEY ------------------------------------------------------------

function keys(c: Client, argv: Uint8Array[]): void {
  const db = c.db;
  const pattern = argv[1];
  const all = pattern.length === 1 && pattern[0] === 42;
  const now = Date.now();
  const found: number[] = [];
  // Like Redis, KEYS hides expired keys but leaves deleting them to other paths.
  db.forEach((addr) => {
    if ((all || globMatch(pattern, db.keyOf(addr))) && !db.isExpired(addr, now)) found.push(addr);
  });
  c.out.array(found.length);
  for (const addr of found) c.out.bulk(db.keyOf(addr));
}

const U64 = 1n << 64n;

/**
 * A SCAN cursor as Redis's strtoul() reads it (optional sign, decimal digits, no spaces,
 * negative values wrap, overflow rejected). Only the low 32 bits can address our buckets.
 */
export function parseCursor(b: Uint8Array): number | null {
  const n = b.length;
  let i = 0;
  let neg = false;
  if (n > 0 && (b[0] === 43 || b[0] === 45)) {
    neg = b[0] === 45;
    i = 1;
    if (n === 1) return null;
  }
  let v = 0n;
  let small = 0;
  for (let j = i; j < n; j++) {
    const d = b[j] - 48;
    if (d < 0 || d > 9) return null;
    if (j - i < 15) small = small * 10 + d;
    else {
      if (j - i === 15) v = BigInt(small);
      v = v * 10n + BigInt(d);
      if (v >= U64) return null;
    }
  }
  if (n - i <= 15) v = BigInt(small);
  if (neg && v !== 0n) v = U64 - v;
  return Number(v & 0xffffffffn);
}

function scan(c: Client, argv: Uint8Array[]): void {
  const cursor = parseCursor(argv[1]);
  if (cursor === null) return c.out.error("ERR invalid cursor");
  let count = 10;
  let pattern: Uint8Array | null = null;
  let typeName: string | null = null;
  for (let i = 2; i < argv.length; i += 2) {
    const more = argv.length - i;
    if (is(argv[i], "count") && more >= 2) {
      const v = parseInt64(argv[i + 1]);
      if (v === null) return c.out.error(NOT_INTEGER);
      if (v < 1) return c.out.error(SYNTAX);
      count = Number(v);
    } else if (is(argv[i], "match") && more >= 2) {
      const p = argv[i + 1];
      pattern = p.length === 1 && p[0] === 42 ? null : p;
    } else if (is(argv[i], "type") && more >= 2) {
      typeName = lower(argv[i + 1]);
    } else {
      return c.out.error(SYNTAX);
    }
  }

  const db = c.db;
  const found: Uint8Array[] = [];
  // COUNT bounds the keys visited, before MATCH filters them (as in Redis).
  let visited = 0;
  const visit = (addr: number): void => {
    visited++;
    const key = db.keyOf(addr);
    if (pattern === null || globMatch(pattern, key)) found.push(key.slice());
  };
  let next = cursor;
  let budget = count * 10;
  do next = db.scanStep(next, visit);
  while (next !== 0 && budget-- !== 0 && visited < count);

  let kept = 0;
  for (let i = 0; i < found.length; i++) {
    const key = found[i];
    // The TYPE filter is a read lookup in Redis (it counts hits/misses); either way
    // expired keys are deleted here and left out.
    const addr = typeName !== null ? lookupRead(c, key, false) : db.peek(key);
    if (addr === 0) continue;
    if (typeName !== null && TYPE_NAMES[db.type(addr)] !== typeName) continue;
    found[kept++] = key;
  }
  c.out.array(2);
  c.out.bulkStr(String(next));
  c.out.array(kept);
  for (let i = 0; i < kept; i++) c.out.bulk(found[i]);
}

function randomkey(c: Client): void {
  const db = c.db;
  const allVolatile = db.size === db.volatileCount;
  let tries = 100;
  for (;;) {
    const addr = db.randomAddr();
    if (addr === 0) return c.out.nil();
    if (db.expireAt(addr) !== -1) {
      // A replica keeps expired keys until the master's DEL: if every key is volatile
      // they may all be logically expired, so give up after some tries.
      if (allVolatile && !db.deleteExpired && --tries === 0) return c.out.bulk(db.keyOf(addr));
      if (db.expireIfNeeded(addr)) continue;
    }
    return c.out.bulk(db.keyOf(addr));
  }
}

// ---- RENAME / RENAMENX / COPY / MOVE / SWAPDB -----------------------------------------

function renameGeneric(c: Client, argv: Uint8Array[], nx: boolean): void {
  const db = c.db;
  const from = argv[1];
  const to = argv[2];
  const src = db.lookup(from);
  if (src === 0) return c.out.error(NO_SUCH_KEY);
  if (equal(from, to)) return nx ? c.out.int(0) : c.out.ok();
  const t = take(db, src, false);
  if (db.lookup(to) !== 0 && nx) return c.out.int(0);
  const addr = put(db, to, t);
  db.setLru(addr, t.lru);
  // Records only move between commands, so src is still the source record.
  db.removeAddr(src);
  c.shard.notify("n", "new", to, c.dbIndex);
  c.written(from, "rename_from", "g");
  c.written(to, "rename_to", "g");
  if (nx) c.out.int(1);
  else c.out.ok();
}

function rename(c: Client, argv: Uint8Array[]): void {
  renameGeneric(c, argv, false);
}

function renamenx(c: Client, argv: Uint8Array[]): void {
  renameGeneric(c, argv, true);
}

function copy(c: Client, argv: Uint8Array[]): void {
  const dbs = c.shard.dbs;
  const srcIndex = c.dbIndex;
  let dstIndex = srcIndex;
  let replace = false;
  for (let j = 3; j < argv.length; j++) {
    if (is(argv[j], "replace")) {
      replace = true;
    } else if (is(argv[j], "db") && j + 1 < argv.length) {
      const id = intArg(c, argv[++j]);
      if (id === null) return;
      if (id < 0 || id >= dbs.length) return c.out.error(BAD_DB);
      dstIndex = id;
    } else {
      return c.out.error(SYNTAX);
    }
  }
  if (clusterEnabled(c) && (srcIndex !== 0 || dstIndex !== 0)) {
    return c.out.error("ERR Copying to another database is not allowed in cluster mode");
  }
  const from = argv[1];
  const to = argv[2];
  if (srcIndex === dstIndex && equal(from, to)) return c.out.error(SAME_OBJECT);
  const src = lookupRead(c, from, true);
  if (src === 0) return c.out.int(0);
  const dst = dbs[dstIndex];
  if (dst.lookup(to) !== 0 && !replace) return c.out.int(0);
  put(dst, to, take(c.db, src, true));
  c.shard.notify("n", "new", to, dstIndex);
  writtenIn(c, dstIndex, to, "copy_to", "g");
  c.out.int(1);
}

function move(c: Client, argv: Uint8Array[]): void {
  if (clusterEnabled(c)) return c.out.error("ERR MOVE is not allowed in cluster mode");
  const id = intArg(c, argv[2]);
  if (id === null) return;
  if (id < 0 || id >= c.shard.dbs.length) return c.out.error(BAD_DB);
  if (id === c.dbIndex) return c.out.error(SAME_OBJECT);
  const key = argv[1];
  const db = c.db;
  const src = db.lookup(key);
  if (src === 0) return c.out.int(0);
  const dst = c.shard.dbs[id];
  if (dst.lookup(key) !== 0) return c.out.int(0);
  const t = take(db, src, false);
  dst.setLru(put(dst, key, t), t.lru);
  db.removeAddr(src);
  c.shard.notify("n", "new", key, id);
  c.written(key, "move_from", "g");
  writtenIn(c, id, key, "move_to", "g");
  c.out.int(1);
}

function swapdb(c: Client, argv: Uint8Array[]): void {
  if (clusterEnabled(c)) return c.out.error("ERR SWAPDB is not allowed in cluster mode");
  const a = intArg(c, argv[1], "ERR invalid first DB index");
  if (a === null) return;
  const b = intArg(c, argv[2], "ERR invalid second DB index");
  if (b === null) return;
  const dbs = c.shard.dbs;
  if (a < 0 || a >= dbs.length || b < 0 || b >= dbs.length) return c.out.error(BAD_DB);
  if (a !== b) {
    c.shard.dbModified(a, b);
    c.shard.dbModified(b, a);
    dbs[a].swapWith(dbs[b]);
    c.shard.blocking.signalDb(a);
    c.shard.blocking.signalDb(b);
  }
  c.shard.dirty++;
  c.out.ok();
}

// ---- OBJECT -------------------------------------------------------------------------

export type EncodingHook = (value: unknown) => string;
const encodings = new Map<number, EncodingHook>();

/** Data-type modules report the OBJECT ENCODING name of their values through this. */
export function registerEncoding(type: number, fn: EncodingHook): void {
  encodings.set(type, fn);
}

function isLfuPolicy(c: Client): boolean {
  return c.shard.config.getStr("maxmemory-policy").endsWith("-lfu");
}

/** Whether a string is stored "int"-encoded (not made raw by APPEND/SETRANGE/SETBIT). */
function isIntString(db: Db, addr: number): boolean {
  return !db.isRaw(addr) && db.strLen(addr) <= 20 && isIntEncodable(db.str(addr));
}

function stringEncoding(db: Db, addr: number): string {
  if (db.isRaw(addr)) return "raw";
  if (isIntString(db, addr)) return "int";
  return db.strLen(addr) <= 44 ? "embstr" : "raw";
}

/**
 * Redis shares one object for the integers 0..9999 unless maxmemory evicts by LRU/LFU
 * (each key then needs its own access clock).
 */
function refcount(c: Client, db: Db, addr: number): number {
  if (db.type(addr) !== T_STRING || !isIntString(db, addr)) return 1;
  const v = parseInt64(db.str(addr));
  if (typeof v !== "number" || v < 0 || v >= SHARED_INTEGERS) return 1;
  const policy = c.shard.config.getStr("maxmemory-policy");
  const evictsByAccess = policy.endsWith("-lru") || policy.endsWith("-lfu");
  if (c.shard.config.getNum("maxmemory") !== 0 && evictsByAccess) return 1;
  return SHARED_REFCOUNT;
}

function objectLookup(c: Client, key: Uint8Array): number {
  const addr = lookupRead(c, key, false, false);
  if (addr === 0) c.out.nil();
  return addr;
}

function objectEncoding(c: Client, argv: Uint8Array[]): void {
  const addr = objectLookup(c, argv[2]);
  if (addr === 0) return;
  const db = c.db;
  const t = db.type(addr);
  if (t === T_STRING) return c.out.bulkStr(stringEncoding(db, addr));
  const hook = encodings.get(t);
  c.out.bulkStr(hook ? hook(db.obj(addr)) : "unknown");
}

function objectRefcount(c: Client, argv: Uint8Array[]): void {
  const addr = objectLookup(c, argv[2]);
  if (addr !== 0) c.out.int(refcount(c, c.db, addr));
}

function objectIdletime(c: Client, argv: Uint8Array[]): void {
  const addr = objectLookup(c, argv[2]);
  if (addr === 0) return;
  if (isLfuPolicy(c)) {
    return c.out.error("ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.");
  }
  const idle = lruClock() - c.db.lru(addr);
  c.out.int(idle > 0 ? idle : 0);
}

function objectFreq(c: Client, argv: Uint8Array[]): void {
  const addr = objectLookup(c, argv[2]);
  if (addr === 0) return;
  if (!isLfuPolicy(c)) {
    return c.out.error("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.");
  }
  c.out.int(c.db.lfu(addr));
}

const OBJECT_HELP = [
  "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "ENCODING <key>",
  "    Return the kind of internal representation used in order to store the value",
  "    associated with a <key>.",
  "FREQ <key>",
  "    Return the access frequency index of the <key>. The returned integer is",
  "    proportional to the logarithm of the recent access frequency of the key.",
  "IDLETIME <key>",
  "    Return the idle time of the <key>, that is the approximated number of",
  "    seconds elapsed since the last access to the key.",
  "REFCOUNT <key>",
  "    Return the number of references of the value associated with the specified",
  "    <key>.",
  "HELP",
  "    Prints this help.",
];

function objectHelp(c: Client): void {
  c.out.array(OBJECT_HELP.length);
  for (const line of OBJECT_HELP) c.out.simple(line);
}

// ---- registration ---------------------------------------------------------------------

/**
 * Keep what the keyspace records per access (LRU clock or LFU counter) in step with
 * maxmemory-policy, lfu-log-factor and lfu-decay-time, as Redis does on every lookup.
 */
export function installKeys(shard: Shard): void {
  const sync = (): void => {
    const config = shard.config;
    accessPolicy.lfu = config.getStr("maxmemory-policy").endsWith("-lfu");
    accessPolicy.logFactor = config.getNum("lfu-log-factor");
    accessPolicy.decayTime = config.getNum("lfu-decay-time");
  };
  sync();
  shard.config.onChange((names) => {
    if (names.some((n) => n === "maxmemory-policy" || n === "lfu-log-factor" || n === "lfu-decay-time")) sync();
  });
}

const MULTI_KEY_TIPS = ["request_policy:multi_shard", "response_policy:agg_sum"];

register(
  {
    name: "del", arity: -2, flags: ["write"], keys: [1, -1, 1], group: "generic", since: "1.0.0", summary: "Delete a key",
    complexity: "O(N) where N is the number of keys that will be removed. When a key to remove holds a value other than a string, the individual complexity for this key is O(M) where M is the number of elements in the list, set, sorted set or hash. Removing a single key that holds a string value is O(1).",
    tips: MULTI_KEY_TIPS, handler: del,
  },
  {
    name: "unlink", arity: -2, flags: ["write", "fast"], keys: [1, -1, 1], group: "generic", since: "4.0.0",
    summary: "Delete a key asynchronously in another thread. Otherwise it is just as DEL, but non blocking.",
    complexity: "O(1) for each key removed regardless of its size. Then the command does O(N) work in a different thread in order to reclaim memory, where N is the number of allocations the deleted objects where composed of.",
    tips: MULTI_KEY_TIPS, handler: del,
  },
  {
    name: "exists", arity: -2, flags: ["readonly", "fast"], keys: [1, -1, 1], group: "generic", since: "1.0.0", summary: "Determine if a key exists",
    complexity: "O(N) where N is the number of keys to check.", tips: MULTI_KEY_TIPS, handler: exists,
  },
  {
    name: "type", arity: 2, flags: ["readonly", "fast"], keys: [1, 1, 1], group: "generic", since: "1.0.0", summary: "Determine the type stored at key",
    complexity: "O(1)", handler: type,
  },
  {
    name: "touch", arity: -2, flags: ["readonly", "fast"], keys: [1, -1, 1], group: "generic", since: "3.2.1",
    summary: "Alters the last access time of a key(s). Returns the number of existing keys specified.",
    complexity: "O(N) where N is the number of keys that will be touched.", tips: MULTI_KEY_TIPS, handler: touch,
  },
  {
    name: "keys", arity: 2, flags: ["readonly"], group: "generic", since: "1.0.0", summary: "Find all keys matching the given pattern",
    complexity: "O(N) with N being the number of keys in the database, under the assumption that the key names in the database and the given pattern have limited length.",
    acl: ["keyspace", "read", "slow", "dangerous"], tips: ["request_policy:all_shards", "nondeterministic_output_order"], handler: keys,
  },
  {
    name: "scan", arity: -2, flags: ["readonly"], group: "generic", since: "2.8.0", summary: "Incrementally iterate the keys space",
    complexity: "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.",
    tips: ["nondeterministic_output", "request_policy:special"], handler: scan,
  },
  {
    name: "randomkey", arity: 1, flags: ["readonly"], group: "generic", since: "1.0.0", summary: "Return a random key from the keyspace",
    complexity: "O(1)", tips: ["request_policy:all_shards", "nondeterministic_output"], handler: randomkey,
  },
  {
    name: "rename", arity: 3, flags: ["write"], keys: [1, 2, 1], group: "generic", since: "1.0.0", summary: "Rename a key",
    complexity: "O(1)", handler: rename,
  },
  {
    name: "renamenx", arity: 3, flags: ["write", "fast"], keys: [1, 2, 1], group: "generic", since: "1.0.0",
    summary: "Rename a key, only if the new key does not exist", complexity: "O(1)", handler: renamenx,
  },
  {
    name: "copy", arity: -3, flags: ["write", "denyoom"], keys: [1, 2, 1], group: "generic", since: "6.2.0", summary: "Copy a key",
    complexity: "O(N) worst case for collections, where N is the number of nested items. O(1) for string values.", handler: copy,
  },
  {
    name: "move", arity: 3, flags: ["write", "fast"], keys: [1, 1, 1], group: "generic", since: "1.0.0", summary: "Move a key to another database",
    complexity: "O(1)", handler: move,
  },
  {
    name: "swapdb", arity: 3, flags: ["write", "fast"], group: "server", since: "4.0.0", summary: "Swaps two Redis databases",
    complexity: "O(N) where N is the count of clients watching or blocking on keys from both databases.",
    acl: ["keyspace", "write", "fast", "dangerous"], handler: swapdb,
  },
  {
    name: "object", arity: -2, group: "generic", since: "2.2.3", summary: "A container for object introspection commands",
    complexity: "Depends on subcommand.", acl: ["slow"],
    subcommands: [
      {
        name: "encoding", arity: 3, flags: ["readonly"], keys: [2, 2, 1], group: "generic", since: "2.2.3",
        summary: "Inspect the internal encoding of a Redis object", complexity: "O(1)", tips: ["nondeterministic_output"], handler: objectEncoding,
      },
      {
        name: "freq", arity: 3, flags: ["readonly"], keys: [2, 2, 1], group: "generic", since: "4.0.0",
        summary: "Get the logarithmic access frequency counter of a Redis object", complexity: "O(1)", tips: ["nondeterministic_output"], handler: objectFreq,
      },
      {
        name: "idletime", arity: 3, flags: ["readonly"], keys: [2, 2, 1], group: "generic", since: "2.2.3",
        summary: "Get the time since a Redis object was last accessed", complexity: "O(1)", tips: ["nondeterministic_output"], handler: objectIdletime,
      },
      {
        name: "refcount", arity: 3, flags: ["readonly"], keys: [2, 2, 1], group: "generic", since: "2.2.3",
        summary: "Get the number of references to the value of the key", complexity: "O(1)", tips: ["nondeterministic_output"], handler: objectRefcount,
      },
      {
        name: "help", arity: 2, flags: ["loading", "stale"], group: "generic", since: "6.2.0",
        summary: "Show helpful text about the different subcommands", complexity: "O(1)", handler: objectHelp,
      },
    ],
  },
);
