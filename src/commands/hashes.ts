// Hash commands (Redis t_hash.c): HSET/HMSET/HSETNX, reads, HDEL, counters, HSCAN and
// HRANDFIELD. Values live in src/types/hash.ts (listpack → hashtable).

import { register } from "./table.ts";
import { addLongDouble, formatLongDouble, LD_ZERO, parseLongDouble, type LongDouble } from "../util/longdouble.ts";
import type { Client } from "../server/client.ts";
import type { Config } from "../config/config.ts";
import { T_HASH } from "../keyspace/db.ts";
import { registerCloner } from "../keyspace/clone.ts";
import { lookupRead, parseCursor, readTyped, registerEncoding, writeTyped } from "./keys.ts";
import { keyAdded } from "./strings.ts";
import { HashValue, type HashLimits } from "../types/hash.ts";
import { bytes, globMatch, INT64_MAX, INT64_MIN, is, parseInt64 } from "../util/bytes.ts";
import { NOT_FLOAT, NOT_INTEGER, SYNTAX, WRONGTYPE, wrongArgs } from "../server/errors.ts";

const HSET = bytes("HSET");
/** LONG_MAX / 2: the bound on HRANDFIELD counts WITHVALUES (the reply has twice as many). */
const HALF_LONG_MAX = 4611686018427387903n;
const COUNT_RANGE = "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807";

registerEncoding(T_HASH, (v) => (v as HashValue).encoding);
registerCloner(T_HASH, (v) => (v as HashValue).clone());

// ---- config values read on hot paths ---------------------------------------------------------

/**
 * A per-config cache of values derived from the config, refreshed on every CONFIG SET, so
 * write paths need no option lookups.
 */
export function cachedSettings<T>(read: (config: Config) => T): (c: Client) => T {
  const cache = new WeakMap<Config, { value: T }>();
  return (c) => {
    const config = c.shard.config;
    let entry = cache.get(config);
    if (entry === undefined) {
      const fresh = { value: read(config) };
      config.onChange(() => {
        fresh.value = read(config);
      });
      cache.set(config, fresh);
      entry = fresh;
    }
    return entry.value;
  };
}

const limits = cachedSettings<HashLimits>((config) => ({
  entries: config.getNum("hash-max-listpack-entries"),
  value: config.getNum("hash-max-listpack-value"),
}));

// ---- lookups ------------------------------------------------------------------------------

const readAddr = (c: Client, key: Uint8Array): number => readTyped(c, key, T_HASH);

const writeAddr = (c: Client, key: Uint8Array): number => writeTyped(c, key, T_HASH);

/** hashTypeLookupWriteOrCreate: the hash at key, created empty if missing; null after WRONGTYPE. */
function hashForUpdate(c: Client, key: Uint8Array): HashValue | null {
  const addr = writeAddr(c, key);
  if (addr < 0) return null;
  if (addr !== 0) return c.db.obj<HashValue>(addr);
  const h = new HashValue();
  c.db.setObj(key, T_HASH, h);
  keyAdded(c, key);
  return h;
}

// ---- writes -------------------------------------------------------------------------------

function hsetGeneric(c: Client, argv: Uint8Array[], hmset: boolean): void {
  if ((argv.length & 1) === 1) return c.out.error(wrongArgs(hmset ? "hmset" : "hset"));
  const key = argv[1];
  const h = hashForUpdate(c, key);
  if (h === null) return;
  const lim = limits(c);
  // hashTypeTryConversion: one long argument turns the whole hash into a table first.
  if (h.lp !== null) {
    for (let j = 2; j < argv.length; j++) {
      if (argv[j].length > lim.value) {
        h.convert();
        break;
      }
    }
  }
  let created = 0;
  for (let j = 2; j < argv.length; j += 2) if (h.set(argv[j], argv[j + 1], lim)) created++;
  if (hmset) c.out.ok();
  else c.out.int(created);
  c.written(key, "hset", "h");
  c.shard.dirty += (argv.length - 2) / 2 - 1;
}

function hset(c: Client, argv: Uint8Array[]): void {
  hsetGeneric(c, argv, false);
}

function hmset(c: Client, argv: Uint8Array[]): void {
  hsetGeneric(c, argv, true);
}

function hsetnx(c: Client, argv: Uint8Array[]): void {
  const key = argv[1];
  const h = hashForUpdate(c, key);
  if (h === null) return;
  if (h.has(argv[2])) return c.out.int(0);
  h.set(argv[2], argv[3], limits(c));
  c.out.int(1);
  c.written(key, "hset", "h");
}

function hdel(c: Client, argv: Uint8Array[]): void {
  const key = argv[1];
  const addr = writeAddr(c, key);
  if (addr < 0) return;
  if (addr === 0) return c.out.int(0);
  const h = c.db.obj<HashValue>(addr);
  let deleted = 0;
  let removed = false;
  for (let j = 2; j < argv.length; j++) {
    if (!h.delete(argv[j])) continue;
    deleted++;
    if (h.size === 0) {
      c.db.removeAddr(addr);
      removed = true;
      break;
    }
  }
  if (deleted > 0) {
    c.written(key, "hdel", "h");
    if (removed) c.shard.notify("g", "del", key, c.dbIndex);
    c.shard.dirty += deleted - 1;
  }
  c.out.int(deleted);
}

function hincrby(c: Client, argv: Uint8Array[]): void {
  const incr = parseInt64(argv[3]);
  if (incr === null) return c.out.error(NOT_INTEGER);
  const key = argv[1];
  const field = argv[2];
  const h = hashForUpdate(c, key);
  if (h === null) return;
  const cur = h.get(field);
  let old: number | bigint = 0;
  if (cur !== null) {
    const v = parseInt64(cur);
    if (v === null) return c.out.error("ERR hash value is not an integer");
    old = v;
  }
  let next: number | bigint;
  if (typeof old === "number" && typeof incr === "number" && Number.isSafeInteger(old + incr)) {
    next = old + incr;
  } else {
    const big = BigInt(old) + BigInt(incr);
    if (big > INT64_MAX || big < INT64_MIN) return c.out.error("ERR increment or decrement would overflow");
    next = big;
  }
  h.set(field, bytes(next.toString()), limits(c));
  c.out.int(next);
  c.written(key, "hincrby", "h");
}

function hincrbyfloat(c: Client, argv: Uint8Array[]): void {
  const incr = parseLongDouble(argv[3]);
  if (incr === null) return c.out.error(NOT_FLOAT);
  if (incr === "inf") return c.out.error("ERR value is NaN or Infinity");
  const key = argv[1];
  const field = argv[2];
  const h = hashForUpdate(c, key);
  if (h === null) return;
  const cur = h.get(field);
  let old: LongDouble | "inf" = LD_ZERO;
  if (cur !== null) {
    const v = parseLongDouble(cur);
    if (v === null) return c.out.error("ERR hash value is not a float");
    old = v;
  }
  const next = old === "inf" ? null : addLongDouble(old, incr);
  if (next === null) return c.out.error("ERR increment would produce NaN or Infinity");
  const text = bytes(formatLongDouble(next));
  h.set(field, text, limits(c));
  c.out.bulk(text);
  c.written(key, "hincrbyfloat", "h");
  // Replicas and the AOF get the final value, so float formatting can never diverge.
  c.rewrite([HSET, key, field, text]);
}

// ---- reads --------------------------------------------------------------------------------

function hget(c: Client, argv: Uint8Array[]): void {
  const addr = readAddr(c, argv[1]);
  if (addr < 0) return;
  if (addr === 0) return c.out.nil();
  c.out.bulk(c.db.obj<HashValue>(addr).get(argv[2]));
}

function hmget(c: Client, argv: Uint8Array[]): void {
  const addr = readAddr(c, argv[1]);
  if (addr < 0) return;
  const h = addr === 0 ? null : c.db.obj<HashValue>(addr);
  c.out.array(argv.length - 2);
  for (let j = 2; j < argv.length; j++) c.out.bulk(h === null ? null : h.get(argv[j]));
}

function hlen(c: Client, argv: Uint8Array[]): void {
  const addr = readAddr(c, argv[1]);
  if (addr < 0) return;
  c.out.int(addr === 0 ? 0 : c.db.obj<HashValue>(addr).size);
}

function hstrlen(c: Client, argv: Uint8Array[]): void {
  const addr = readAddr(c, argv[1]);
  if (addr < 0) return;
  const v = addr === 0 ? null : c.db.obj<HashValue>(addr).get(argv[2]);
  c.out.int(v === null ? 0 : v.length);
}

function hexists(c: Client, argv: Uint8Array[]): void {
  const addr = readAddr(c, argv[1]);
  if (addr < 0) return;
  c.out.int(addr !== 0 && c.db.obj<HashValue>(addr).has(argv[2]) ? 1 : 0);
}

const KEYS = 1;
const VALUES = 2;

/** genericHgetallCommand: fields and/or values; a map when both (RESP3). */
function getAll(c: Client, argv: Uint8Array[], what: number): void {
  const addr = readAddr(c, argv[1]);
  if (addr < 0) return;
  const both = what === (KEYS | VALUES);
  if (addr === 0) return both ? c.out.map(0) : c.out.array(0);
  const h = c.db.obj<HashValue>(addr);
  const out = c.out;
  if (both) out.map(h.size);
  else out.array(h.size);
  const n = h.positions;
  for (let p = 0; p < n; p++) {
    if (!h.live(p)) continue;
    if (what & KEYS) out.bulk(h.fieldAt(p));
    if (what & VALUES) out.bulk(h.valueAt(p));
  }
}

function hkeys(c: Client, argv: Uint8Array[]): void {
  getAll(c, argv, KEYS);
}

function hvals(c: Client, argv: Uint8Array[]): void {
  getAll(c, argv, VALUES);
}

function hgetall(c: Client, argv: Uint8Array[]): void {
  getAll(c, argv, KEYS | VALUES);
}

// ---- HSCAN ----------------------------------------------------------------------------------

export interface ScanOptions {
  count: number;
  /** null when absent or "*" (matches everything). */
  pattern: Uint8Array | null;
}

/** scanGenericCommand's option parsing for HSCAN/SSCAN/ZSCAN (options start at argv[3]). */
export function parseScanOptions(c: Client, argv: Uint8Array[]): ScanOptions | null {
  const opts: ScanOptions = { count: 10, pattern: null };
  for (let i = 3; i < argv.length; i += 2) {
    const more = argv.length - i;
    if (is(argv[i], "count") && more >= 2) {
      const v = parseInt64(argv[i + 1]);
      if (v === null) {
        c.out.error(NOT_INTEGER);
        return null;
      }
      if (v < 1) {
        c.out.error(SYNTAX);
        return null;
      }
      opts.count = Number(v);
    } else if (is(argv[i], "match") && more >= 2) {
      const p = argv[i + 1];
      opts.pattern = p.length === 1 && p[0] === 42 ? null : p;
    } else {
      c.out.error(SYNTAX);
      return null;
    }
  }
  return opts;
}

/** The reply to a scan of a missing key: cursor 0, no elements. */
export function emptyScan(c: Client): void {
  c.out.array(2);
  c.out.bulkStr("0");
  c.out.array(0);
}

function hscan(c: Client, argv: Uint8Array[]): void {
  const cursor = parseCursor(argv[2]);
  if (cursor === null) return c.out.error("ERR invalid cursor");
  const addr = readAddr(c, argv[1]);
  if (addr < 0) return;
  if (addr === 0) return emptyScan(c);
  const opts = parseScanOptions(c, argv);
  if (opts === null) return;
  const h = c.db.obj<HashValue>(addr);
  const pattern = opts.pattern;
  const found: Uint8Array[] = [];
  const take = (p: number): void => {
    const f = h.fieldAt(p);
    if (pattern === null || globMatch(pattern, f)) found.push(f, h.valueAt(p));
  };
  let next = 0;
  // A listpack is small: Redis returns all of it in one call, with cursor 0.
  if (h.lp !== null) for (let p = 0; p < h.size; p++) take(p);
  else next = h.ht!.scan(cursor, opts.count, take);
  c.out.array(2);
  c.out.bulkStr(String(next));
  c.out.bulks(found);
}

// ---- HRANDFIELD -----------------------------------------------------------------------------

/** Positions of count distinct live entries, uniformly chosen (count < size). */
export function samplePositions(size: number, count: number, positions: number, live: (p: number) => boolean, random: () => number): number[] {
  if (count * 3 > size) {
    // Close to the whole collection: drop random entries from the full list instead.
    const all: number[] = [];
    for (let p = 0; p < positions; p++) if (live(p)) all.push(p);
    let n = all.length;
    while (n > count) {
      const i = (Math.random() * n) | 0;
      all[i] = all[--n];
    }
    all.length = n;
    return all;
  }
  const seen = new Set<number>();
  const out: number[] = [];
  while (out.length < count) {
    const p = random();
    if (seen.has(p)) continue;
    seen.add(p);
    out.push(p);
  }
  return out;
}

function hrandfieldWithCount(c: Client, key: Uint8Array, l: number | bigint, withValues: boolean): void {
  const addr = readAddr(c, key);
  if (addr < 0) return;
  if (addr === 0) return c.out.array(0);
  const h = c.db.obj<HashValue>(addr);
  const out = c.out;
  const unique = l >= 0;
  const count = Number(unique ? l : -l);
  if (count === 0) return out.array(0);
  const pairs = withValues && out.proto === 3;
  const emit = (p: number): void => {
    if (pairs) out.array(2);
    out.bulk(h.fieldAt(p));
    if (withValues) out.bulk(h.valueAt(p));
  };
  const size = h.size;
  if (!unique || count === 1) {
    // Repetitions allowed: independent uniform picks.
    out.array(withValues && !pairs ? count * 2 : count);
    for (let i = 0; i < count; i++) emit(h.randomPos());
    return;
  }
  const n = Math.min(count, size);
  out.array(withValues && !pairs ? n * 2 : n);
  if (count >= size) {
    const positions = h.positions;
    for (let p = 0; p < positions; p++) if (h.live(p)) emit(p);
    return;
  }
  for (const p of samplePositions(size, count, h.positions, (p) => h.live(p), () => h.randomPos())) emit(p);
}

function hrandfield(c: Client, argv: Uint8Array[]): void {
  if (argv.length >= 3) {
    const l = parseInt64(argv[2]);
    if (l === null) return c.out.error(NOT_INTEGER);
    if (l === INT64_MIN) return c.out.error(COUNT_RANGE);
    if (argv.length > 4 || (argv.length === 4 && !is(argv[3], "withvalues"))) return c.out.error(SYNTAX);
    const withValues = argv.length === 4;
    if (withValues && (l < -HALF_LONG_MAX || l > HALF_LONG_MAX)) return c.out.error("ERR value is out of range");
    return hrandfieldWithCount(c, argv[1], l, withValues);
  }
  const addr = readAddr(c, argv[1]);
  if (addr < 0) return;
  if (addr === 0) return c.out.nil();
  const h = c.db.obj<HashValue>(addr);
  c.out.bulk(h.fieldAt(h.randomPos()));
}

register(
  { name: "hset", arity: -4, flags: ["write", "denyoom", "fast"], keys: [1, 1, 1], group: "hash", since: "2.0.0", summary: "Set the string value of a hash field", complexity: "O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command is called with multiple field/value pairs.", handler: hset },
  { name: "hsetnx", arity: 4, flags: ["write", "denyoom", "fast"], keys: [1, 1, 1], group: "hash", since: "2.0.0", summary: "Set the value of a hash field, only if the field does not exist", complexity: "O(1)", handler: hsetnx },
  { name: "hget", arity: 3, flags: ["readonly", "fast"], keys: [1, 1, 1], group: "hash", since: "2.0.0", summary: "Get the value of a hash field", complexity: "O(1)", handler: hget },
  { name: "hmget", arity: -3, flags: ["readonly", "fast"], keys: [1, 1, 1], group: "hash", since: "2.0.0", summary: "Get the values of all the given hash fields", complexity: "O(N) where N is the number of fields being requested.", handler: hmget },
  { name: "hmset", arity: -4, flags: ["write", "denyoom", "fast"], keys: [1, 1, 1], group: "hash", since: "2.0.0", summary: "Set multiple hash fields to multiple values", complexity: "O(N) where N is the number of fields being set.", handler: hmset },
  { name: "hdel", arity: -3, flags: ["write", "fast"], keys: [1, 1, 1], group: "hash", since: "2.0.0", summary: "Delete one or more hash fields", complexity: "O(N) where N is the number of fields to be removed.", handler: hdel },
  { name: "hlen", arity: 2, flags: ["readonly", "fast"], keys: [1, 1, 1], group: "hash", since: "2.0.0", summary: "Get the number of fields in a hash", complexity: "O(1)", handler: hlen },
  { name: "hstrlen", arity: 3, flags: ["readonly", "fast"], keys: [1, 1, 1], group: "hash", since: "3.2.0", summary: "Get the length of the value of a hash field", complexity: "O(1)", handler: hstrlen },
  { name: "hexists", arity: 3, flags: ["readonly", "fast"], keys: [1, 1, 1], group: "hash", since: "2.0.0", summary: "Determine if a hash field exists", complexity: "O(1)", handler: hexists },
  { name: "hkeys", arity: 2, flags: ["readonly"], keys: [1, 1, 1], group: "hash", since: "2.0.0", summary: "Get all the fields in a hash", complexity: "O(N) where N is the size of the hash.", tips: ["nondeterministic_output_order"], handler: hkeys },
  { name: "hvals", arity: 2, flags: ["readonly"], keys: [1, 1, 1], group: "hash", since: "2.0.0", summary: "Get all the values in a hash", complexity: "O(N) where N is the size of the hash.", tips: ["nondeterministic_output_order"], handler: hvals },
  { name: "hgetall", arity: 2, flags: ["readonly"], keys: [1, 1, 1], group: "hash", since: "2.0.0", summary: "Get all the fields and values in a hash", complexity: "O(N) where N is the size of the hash.", tips: ["nondeterministic_output_order"], handler: hgetall },
  { name: "hincrby", arity: 4, flags: ["write", "denyoom", "fast"], keys: [1, 1, 1], group: "hash", since: "2.0.0", summary: "Increment the integer value of a hash field by the given number", complexity: "O(1)", handler: hincrby },
  { name: "hincrbyfloat", arity: 4, flags: ["write", "denyoom", "fast"], keys: [1, 1, 1], group: "hash", since: "2.6.0", summary: "Increment the float value of a hash field by the given amount", complexity: "O(1)", handler: hincrbyfloat },
  { name: "hscan", arity: -3, flags: ["readonly"], keys: [1, 1, 1], group: "hash", since: "2.8.0", summary: "Incrementally iterate hash fields and associated values", complexity: "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..", tips: ["nondeterministic_output"], handler: hscan },
  { name: "hrandfield", arity: -2, flags: ["readonly"], keys: [1, 1, 1], group: "hash", since: "6.2.0", summary: "Get one or multiple random fields from a hash", complexity: "O(N) where N is the number of fields returned", tips: ["nondeterministic_output"], handler: hrandfield },
);
