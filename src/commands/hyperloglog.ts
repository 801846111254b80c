// HyperLogLog commands (Redis hyperloglog.c): PFADD, PFCOUNT, PFMERGE, PFDEBUG and
// PFSELFTEST. HLLs are plain string values in Redis's byte format (src/types/hll.ts).
// Dense values are edited in place; sparse ones change length, so they are edited in a
// working copy and stored back.

import { register } from "./table.ts";
import type { Client } from "../server/client.ts";
import { T_STRING } from "../keyspace/db.ts";
import { is, str } from "../util/bytes.ts";
import { WRONGTYPE } from "../server/errors.ts";
import { keyAdded } from "./strings.ts";
import { lookupRead } from "./keys.ts";
import {
  CARD_OVERFLOW,
  HLL_DENSE,
  HLL_REGISTERS,
  HLL_SPARSE,
  HllBuffer,
  cacheValid,
  cachedCard,
  decodeOpcodes,
  denseAdd,
  denseGet,
  hllCount,
  invalidateCache,
  isHll,
  mergeInto,
  rawCount,
  selfTest,
  storeCard,
} from "../types/hll.ts";

const NOT_HLL = "WRONGTYPE Key is not a valid HyperLogLog string value.";
const INVALID_HLL = "INVALIDOBJ Corrupted HLL object detected";

const work = new HllBuffer();
const max = new Uint8Array(HLL_REGISTERS);

/** isHLLObjectOrReply: whether the key at addr holds an HLL; replies the error if not. */
function checkHll(c: Client, addr: number): boolean {
  if (c.db.type(addr) !== T_STRING) {
    c.out.error(WRONGTYPE);
    return false;
  }
  if (!isHll(c.db.str(addr))) {
    c.out.error(NOT_HLL);
    return false;
  }
  return true;
}

/**
 * dbUnshareStringValue: the value as raw-encoded storage that may be edited in place
 * (same length only). Returns the possibly moved address.
 */
function unshare(c: Client, key: Uint8Array, addr: number): number {
  const db = c.db;
  if (db.isRaw(addr)) return addr;
  return db.setStr(key, db.str(addr).slice(), true, true);
}

/** Store the working copy under key, keeping its TTL. */
function storeWork(c: Client, key: Uint8Array): void {
  // Sparse values grow a few bytes per update, so they get room; dense ones never change size.
  if (work.dense) c.db.setStr(key, work.value(), true, true);
  else c.db.setStrGrowable(key, work.value());
  work.shrink();
}

function sparseMax(c: Client): number {
  return c.shard.config.getNum("hll-sparse-max-bytes");
}

function pfadd(c: Client, argv: Uint8Array[]): void {
  const db = c.db;
  const key = argv[1];
  const addr = db.lookup(key);
  let updated = 0;
  if (addr === 0) {
    work.create();
    keyAdded(c, key);
    updated++;
  } else {
    if (!checkHll(c, addr)) return;
    const v = db.str(addr);
    if (v[4] === HLL_DENSE && db.isRaw(addr)) {
      for (let j = 2; j < argv.length; j++) updated += denseAdd(v, argv[j]);
      if (updated > 0) invalidateCache(v);
      return pfaddDone(c, key, updated);
    }
    work.load(v);
  }
  const limit = sparseMax(c);
  for (let j = 2; j < argv.length; j++) {
    const r = work.add(argv[j], limit);
    if (r < 0) {
      // Redis edits the value in place, so the elements added before the error stay.
      storeWork(c, key);
      return c.out.error(INVALID_HLL);
    }
    updated += r;
  }
  if (updated > 0) invalidateCache(work.buf);
  storeWork(c, key);
  pfaddDone(c, key, updated);
}

function pfaddDone(c: Client, key: Uint8Array, updated: number): void {
  if (updated > 0) {
    c.written(key, "pfadd", "$");
    c.shard.dirty += updated - 1;
  }
  c.out.int(updated > 0 ? 1 : 0);
}

function replyCard(c: Client, card: number | bigint): void {
  // Redis replies the uint64 as a long long: an overflowed estimate shows as INT64_MIN.
  c.out.int(card === CARD_OVERFLOW ? -(2n ** 63n) : card);
}

function pfcount(c: Client, argv: Uint8Array[]): void {
  const db = c.db;
  if (argv.length > 2) {
    // Cardinality of the union: merge into byte registers, without touching the keys.
    max.fill(0);
    for (let j = 1; j < argv.length; j++) {
      const addr = lookupRead(c, argv[j]);
      if (addr === 0) continue;
      if (!checkHll(c, addr)) return;
      if (!mergeInto(max, db.str(addr))) return c.out.error(INVALID_HLL);
    }
    return replyCard(c, rawCount(max));
  }
  const key = argv[1];
  let addr = lookupRead(c, key);
  if (addr === 0) return c.out.int(0);
  if (!checkHll(c, addr)) return;
  addr = unshare(c, key, addr);
  const v = db.str(addr);
  if (cacheValid(v)) return replyCard(c, cachedCard(v));
  const card = hllCount(v);
  if (card < 0) return c.out.error(INVALID_HLL);
  storeCard(v, card);
  // Updating the cache modifies the string: WATCH sees it and the command is propagated.
  c.shard.keyModified(c.dbIndex, key);
  c.shard.dirty++;
  replyCard(c, card);
}

function pfmerge(c: Client, argv: Uint8Array[]): void {
  const db = c.db;
  max.fill(0);
  let useDense = false;
  for (let j = 1; j < argv.length; j++) {
    const addr = lookupRead(c, argv[j]);
    if (addr === 0) continue;
    if (!checkHll(c, addr)) return;
    const v = db.str(addr);
    if (v[4] === HLL_DENSE) useDense = true;
    if (!mergeInto(max, v)) return c.out.error(INVALID_HLL);
  }
  const key = argv[1];
  const addr = db.lookup(key);
  if (addr === 0) {
    work.create();
    keyAdded(c, key);
  } else {
    // The destination was validated with the sources.
    work.load(db.str(addr));
  }
  if (useDense && !work.toDense()) return c.out.error(INVALID_HLL);
  const limit = sparseMax(c);
  for (let j = 0; j < HLL_REGISTERS; j++) {
    if (max[j] !== 0) work.set(j, max[j], limit);
  }
  invalidateCache(work.buf);
  storeWork(c, key);
  // Redis reports a merge as a mass add.
  c.written(key, "pfadd", "$");
  c.out.ok();
}

function pfselftest(c: Client): void {
  const failure = selfTest(sparseMax(c));
  if (failure === null) c.out.ok();
  else c.out.error("ERR " + failure);
}

function pfdebug(c: Client, argv: Uint8Array[]): void {
  const db = c.db;
  const sub = argv[1];
  const key = argv[2];
  let addr = db.lookup(key);
  if (addr === 0) return c.out.error("ERR The specified key does not exist");
  if (!checkHll(c, addr)) return;
  addr = unshare(c, key, addr);
  const v = db.str(addr);
  if (is(sub, "getreg") || is(sub, "todense")) {
    let converted = false;
    let regs = v;
    if (v[4] === HLL_SPARSE) {
      work.load(v);
      if (!work.toDense()) return c.out.error(INVALID_HLL);
      regs = work.buf;
      storeWork(c, key);
      converted = true;
      // The encoding change must reach replicas and the AOF.
      c.shard.dirty++;
    }
    if (is(sub, "todense")) return c.out.int(converted ? 1 : 0);
    c.out.array(HLL_REGISTERS);
    for (let j = 0; j < HLL_REGISTERS; j++) c.out.int(denseGet(regs, j));
  } else if (is(sub, "decode")) {
    if (v[4] !== HLL_SPARSE) return c.out.error("ERR HLL encoding is not sparse");
    c.out.bulkStr(decodeOpcodes(v));
  } else if (is(sub, "encoding")) {
    c.out.simple(v[4] === HLL_DENSE ? "dense" : "sparse");
  } else {
    c.out.error(`ERR Unknown PFDEBUG subcommand '${str(sub)}'`);
  }
}

register(
  { name: "pfadd", arity: -2, flags: ["write", "denyoom", "fast"], keys: [1, 1, 1], group: "hyperloglog", since: "2.8.9", summary: "Adds the specified elements to the specified HyperLogLog.", complexity: "O(1) to add every element.", acl: ["write", "hyperloglog", "fast"], handler: pfadd },
  { name: "pfcount", arity: -2, flags: ["readonly"], keys: [1, -1, 1], group: "hyperloglog", since: "2.8.9", summary: "Return the approximated cardinality of the set(s) observed by the HyperLogLog at key(s).", complexity: "O(1) with a very small average constant time when called with a single key. O(N) with N being the number of keys, and much bigger constant times, when called with multiple keys.", acl: ["read", "hyperloglog", "slow"], handler: pfcount },
  { name: "pfmerge", arity: -2, flags: ["write", "denyoom"], keys: [1, -1, 1], group: "hyperloglog", since: "2.8.9", summary: "Merge N different HyperLogLogs into a single one.", complexity: "O(N) to merge N HyperLogLogs, but with high constant times.", acl: ["write", "hyperloglog", "slow"], handler: pfmerge },
  { name: "pfdebug", arity: 3, flags: ["write", "denyoom", "admin"], keys: [2, 2, 1], group: "hyperloglog", since: "2.8.9", summary: "Internal commands for debugging HyperLogLog values", complexity: "N/A", acl: ["write", "hyperloglog", "admin", "slow", "dangerous"], handler: pfdebug },
  { name: "pfselftest", arity: 1, flags: ["admin"], group: "hyperloglog", since: "2.8.9", summary: "An internal command for testing HyperLogLog values", complexity: "N/A", acl: ["hyperloglog", "admin", "slow", "dangerous"], handler: pfselftest },
);
