// Set commands (Redis 7.0 t_set.c): membership, SPOP/SRANDMEMBER, SMOVE, the SINTER/SUNION/
// SDIFF algebra with their STORE variants, SINTERCARD and SSCAN. Values live in
// src/types/set.ts (intset → hashtable).

import { register } from "./table.ts";
import type { Client } from "../server/client.ts";
import type { ReplyWriter } from "../resp/writer.ts";
import { T_SET } from "../keyspace/db.ts";
import { registerCloner } from "../keyspace/clone.ts";
import { lookupRead, parseCursor, readTyped, registerEncoding, writeTyped } from "./keys.ts";
import { keyAdded } from "./strings.ts";
import { cachedSettings, emptyScan, parseScanOptions, samplePositions } from "./hashes.ts";
import { isIntMember, memberBytes, SetValue, type Member } from "../types/set.ts";
import { bytes, globMatch, INT64_MIN, is, parseInt64 } from "../util/bytes.ts";
import { NOT_INTEGER, SYNTAX, WRONGTYPE } from "../server/errors.ts";

const SREM = bytes("SREM");
const DEL = bytes("DEL");
const COUNT_RANGE = "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807";
/** SPOP's "create a new set" strategy is used when the remainder is this many times smaller. */
const SPOP_MOVE_STRATEGY_MUL = 5;

registerEncoding(T_SET, (v) => (v as SetValue).encoding);
registerCloner(T_SET, (v) => (v as SetValue).clone());

const maxIntset = cachedSettings((config) => config.getNum("set-max-intset-entries"));

// ---- lookups and replies ----------------------------------------------------------------------

const readAddr = (c: Client, key: Uint8Array): number => readTyped(c, key, T_SET);

const writeAddr = (c: Client, key: Uint8Array): number => writeTyped(c, key, T_SET);

function emit(out: ReplyWriter, m: Member): void {
  out.bulk(memberBytes(m));
}

/** The key's set is gone: delete it and fire "del" after the command's own event. */
function removeEmpty(c: Client, addr: number, key: Uint8Array): void {
  c.db.removeAddr(addr);
  c.shard.notify("g", "del", key, c.dbIndex);
}

/**
 * setKey for a computed set (the *STORE commands): replace whatever dst holds, dropping its
 * TTL; "new" fires when the key did not exist.
 */
function storeSet(c: Client, dst: Uint8Array, value: SetValue): void {
  const existed = c.db.lookup(dst) !== 0;
  c.db.setObj(dst, T_SET, value);
  if (!existed) keyAdded(c, dst);
}

// ---- SADD / SREM / SMOVE ------------------------------------------------------------------------

function sadd(c: Client, argv: Uint8Array[]): void {
  const key = argv[1];
  const addr = writeAddr(c, key);
  if (addr < 0) return;
  let s: SetValue;
  if (addr === 0) {
    s = new SetValue(parseInt64(argv[2]) !== null);
    c.db.setObj(key, T_SET, s);
    keyAdded(c, key);
  } else {
    s = c.db.obj<SetValue>(addr);
  }
  const max = maxIntset(c);
  let added = 0;
  for (let j = 2; j < argv.length; j++) if (s.addBytes(argv[j], max)) added++;
  if (added > 0) {
    c.written(key, "sadd", "s");
    c.shard.dirty += added - 1;
  }
  c.out.int(added);
}

function srem(c: Client, argv: Uint8Array[]): void {
  const key = argv[1];
  const addr = writeAddr(c, key);
  if (addr < 0) return;
  if (addr === 0) return c.out.int(0);
  const s = c.db.obj<SetValue>(addr);
  let deleted = 0;
  let emptied = false;
  for (let j = 2; j < argv.length; j++) {
    if (!s.removeBytes(argv[j])) continue;
    deleted++;
    if (s.size === 0) {
      emptied = true;
      break;
    }
  }
  if (deleted > 0) {
    c.written(key, "srem", "s");
    if (emptied) removeEmpty(c, addr, key);
    c.shard.dirty += deleted - 1;
  }
  c.out.int(deleted);
}

function smove(c: Client, argv: Uint8Array[]): void {
  const db = c.db;
  const srcKey = argv[1];
  const dstKey = argv[2];
  const ele = argv[3];
  const srcAddr = db.lookup(srcKey);
  const dstAddr = db.lookup(dstKey);
  if (srcAddr === 0) return c.out.int(0);
  if (db.type(srcAddr) !== T_SET || (dstAddr !== 0 && db.type(dstAddr) !== T_SET)) return c.out.error(WRONGTYPE);
  const src = db.obj<SetValue>(srcAddr);
  if (srcAddr === dstAddr) return c.out.int(src.hasBytes(ele) ? 1 : 0);
  if (!src.removeBytes(ele)) return c.out.int(0);
  c.shard.notify("s", "srem", srcKey, c.dbIndex);
  let dst = dstAddr !== 0 ? db.obj<SetValue>(dstAddr) : null;
  if (src.size === 0) removeEmpty(c, srcAddr, srcKey);
  if (dst === null) {
    dst = new SetValue(parseInt64(ele) !== null);
    db.setObj(dstKey, T_SET, dst);
    keyAdded(c, dstKey);
  }
  c.shard.keyModified(c.dbIndex, srcKey);
  c.shard.dirty++;
  // Only a real addition is a change of the destination.
  if (dst.addBytes(ele, maxIntset(c))) c.written(dstKey, "sadd", "s");
  c.out.int(1);
}

// ---- membership and size -----------------------------------------------------------------------

function sismember(c: Client, argv: Uint8Array[]): void {
  const addr = readAddr(c, argv[1]);
  if (addr < 0) return;
  c.out.int(addr !== 0 && c.db.obj<SetValue>(addr).hasBytes(argv[2]) ? 1 : 0);
}

function smismember(c: Client, argv: Uint8Array[]): void {
  const addr = readAddr(c, argv[1]);
  if (addr < 0) return;
  const s = addr === 0 ? null : c.db.obj<SetValue>(addr);
  c.out.array(argv.length - 2);
  for (let j = 2; j < argv.length; j++) c.out.int(s !== null && s.hasBytes(argv[j]) ? 1 : 0);
}

function scard(c: Client, argv: Uint8Array[]): void {
  const addr = readAddr(c, argv[1]);
  if (addr < 0) return;
  c.out.int(addr === 0 ? 0 : c.db.obj<SetValue>(addr).size);
}

// ---- SPOP / SRANDMEMBER ----------------------------------------------------------------------------

function spop(c: Client, argv: Uint8Array[]): void {
  if (argv.length === 3) return spopWithCount(c, argv);
  if (argv.length > 3) return c.out.error(SYNTAX);
  const key = argv[1];
  const addr = writeAddr(c, key);
  if (addr < 0) return;
  if (addr === 0) return c.out.nil();
  const s = c.db.obj<SetValue>(addr);
  const m = s.memberAt(s.randomPos());
  s.remove(m);
  const b = memberBytes(m);
  c.written(key, "spop", "s");
  c.rewrite([SREM, key, b]);
  c.out.bulk(b);
  if (s.size === 0) removeEmpty(c, addr, key);
}

function spopWithCount(c: Client, argv: Uint8Array[]): void {
  const l = parseInt64(argv[2]);
  if (l === null || l < 0) return c.out.error("ERR value is out of range, must be positive");
  const key = argv[1];
  const addr = writeAddr(c, key);
  if (addr < 0) return;
  const out = c.out;
  if (addr === 0 || l === 0) return out.set(0);
  const s = c.db.obj<SetValue>(addr);
  const size = s.size;
  const count = Number(l);
  c.written(key, "spop", "s");
  if (count >= size) {
    out.set(size);
    const n = s.positions;
    for (let p = 0; p < n; p++) if (s.live(p)) emit(out, s.memberAt(p));
    removeEmpty(c, addr, key);
    c.rewrite([DEL, key]);
    c.shard.dirty += size - 1;
    return;
  }
  c.shard.dirty += count - 1;
  out.set(count);
  const remaining = size - count;
  if (remaining * SPOP_MOVE_STRATEGY_MUL > count) {
    for (let i = 0; i < count; i++) {
      const m = s.memberAt(s.randomPos());
      s.remove(m);
      const b = memberBytes(m);
      out.bulk(b);
      c.rewrite([SREM, key, b]);
    }
    return;
  }
  // Most of the set goes: move the few survivors to a new set (setTypeCreate picks its
  // encoding from the first of them) and reply with what is left in the old one.
  const max = maxIntset(c);
  let kept: SetValue | null = null;
  for (let i = 0; i < remaining; i++) {
    const m = s.memberAt(s.randomPos());
    if (kept === null) kept = new SetValue(isIntMember(m));
    kept.add(m, max);
    s.remove(m);
  }
  const n = s.positions;
  for (let p = 0; p < n; p++) {
    if (!s.live(p)) continue;
    const b = memberBytes(s.memberAt(p));
    out.bulk(b);
    c.rewrite([SREM, key, b]);
  }
  c.db.replaceObj(addr, kept);
}

function srandmember(c: Client, argv: Uint8Array[]): void {
  if (argv.length === 3) return srandmemberWithCount(c, argv);
  if (argv.length > 3) return c.out.error(SYNTAX);
  const addr = readAddr(c, argv[1]);
  if (addr < 0) return;
  if (addr === 0) return c.out.nil();
  const s = c.db.obj<SetValue>(addr);
  emit(c.out, s.memberAt(s.randomPos()));
}

function srandmemberWithCount(c: Client, argv: Uint8Array[]): void {
  const l = parseInt64(argv[2]);
  if (l === null) return c.out.error(NOT_INTEGER);
  if (l === INT64_MIN) return c.out.error(COUNT_RANGE);
  const addr = readAddr(c, argv[1]);
  if (addr < 0) return;
  const out = c.out;
  if (addr === 0) return out.array(0);
  const s = c.db.obj<SetValue>(addr);
  const unique = l >= 0;
  const count = Number(unique ? l : -l);
  if (count === 0) return out.array(0);
  const size = s.size;
  if (!unique || count === 1) {
    out.array(count);
    for (let i = 0; i < count; i++) emit(out, s.memberAt(s.randomPos()));
    return;
  }
  if (count >= size) {
    out.array(size);
    const n = s.positions;
    for (let p = 0; p < n; p++) if (s.live(p)) emit(out, s.memberAt(p));
    return;
  }
  out.array(count);
  for (const p of samplePositions(size, count, s.positions, (p) => s.live(p), () => s.randomPos())) emit(out, s.memberAt(p));
}

// ---- SINTER / SINTERCARD / SINTERSTORE / SMEMBERS -------------------------------------------------

/**
 * The sets at keys (null for missing keys, which count as empty), or null after a WRONGTYPE
 * reply. Every key is checked before any result, as in Redis.
 */
function lookupSets(c: Client, argv: Uint8Array[], from: number, to: number): (SetValue | null)[] | null {
  const sets: (SetValue | null)[] = [];
  for (let j = from; j < to; j++) {
    const addr = readAddr(c, argv[j]);
    if (addr < 0) return null;
    sets.push(addr === 0 ? null : c.db.obj<SetValue>(addr));
  }
  return sets;
}

/** An empty result for a *STORE command: the destination is deleted. */
function storeEmpty(c: Client, dst: Uint8Array): void {
  if (c.db.del(dst)) c.written(dst, "del", "g");
  c.out.int(0);
}

/**
 * sinterGenericCommand. dst set: SINTERSTORE; cardOnly: SINTERCARD, stopping once limit
 * members are found (0 = no limit).
 */
function sinterGeneric(c: Client, argv: Uint8Array[], from: number, to: number, dst: Uint8Array | null, cardOnly: boolean, limit: number): void {
  const found = lookupSets(c, argv, from, to);
  if (found === null) return;
  if (found.includes(null)) {
    if (dst !== null) storeEmpty(c, dst);
    else if (cardOnly) c.out.int(0);
    else c.out.set(0);
    return;
  }
  // Smallest first: every member of the result is a member of the first set.
  const sets = (found as SetValue[]).sort((a, b) => a.size - b.size);
  const first = sets[0];
  const result: Member[] = [];
  const n = first.positions;
  for (let p = 0; p < n; p++) {
    if (!first.live(p)) continue;
    const m = first.memberAt(p);
    let j = 1;
    for (; j < sets.length; j++) if (sets[j] !== first && !sets[j].has(m)) break;
    if (j < sets.length) continue;
    result.push(m);
    if (cardOnly && limit !== 0 && result.length >= limit) break;
  }
  if (cardOnly) return c.out.int(result.length);
  if (dst === null) {
    c.out.set(result.length);
    for (const m of result) emit(c.out, m);
    return;
  }
  if (result.length === 0) return storeEmpty(c, dst);
  const max = maxIntset(c);
  const value = new SetValue(true);
  for (const m of result) value.add(m, max);
  storeSet(c, dst, value);
  c.out.int(value.size);
  c.written(dst, "sinterstore", "s");
}

function sinter(c: Client, argv: Uint8Array[]): void {
  sinterGeneric(c, argv, 1, argv.length, null, false, 0);
}

function sinterstore(c: Client, argv: Uint8Array[]): void {
  sinterGeneric(c, argv, 2, argv.length, argv[1], false, 0);
}

function sintercard(c: Client, argv: Uint8Array[]): void {
  const numkeys = parseInt64(argv[1]);
  if (numkeys === null || numkeys < 1) return c.out.error("ERR numkeys should be greater than 0");
  if (numkeys > argv.length - 2) return c.out.error("ERR Number of keys can't be greater than number of args");
  const end = 2 + Number(numkeys);
  let limit = 0;
  for (let j = end; j < argv.length; j++) {
    if (is(argv[j], "limit") && j + 1 < argv.length) {
      const v = parseInt64(argv[++j]);
      if (v === null || v < 0) return c.out.error("ERR LIMIT can't be negative");
      limit = Number(v);
    } else {
      return c.out.error(SYNTAX);
    }
  }
  sinterGeneric(c, argv, 2, end, null, true, limit);
}

// ---- SUNION / SDIFF and their STORE variants ----------------------------------------------------------

const UNION = 0;
const DIFF = 1;

function sunionDiffGeneric(c: Client, argv: Uint8Array[], from: number, dst: Uint8Array | null, op: number): void {
  const sets = lookupSets(c, argv, from, argv.length);
  if (sets === null) return;
  const first = sets[0];
  let sameSet = false;
  for (let j = 1; j < sets.length; j++) if (sets[j] !== null && sets[j] === first) sameSet = true;

  // Algorithm 1 (test each member of the first set against the others) or algorithm 2
  // (add the first set, remove all the others), whichever does less work.
  let diffAlgo = 1;
  if (op === DIFF && first !== null && !sameSet) {
    let one = 0;
    let two = 0;
    for (const s of sets) {
      if (s === null) continue;
      one += first.size;
      two += s.size;
    }
    one = Math.floor(one / 2);
    diffAlgo = one <= two ? 1 : 2;
    if (diffAlgo === 1 && sets.length > 1) {
      // Biggest sets first: duplicates are found sooner.
      const rest = sets.slice(1).sort((a, b) => (b?.size ?? 0) - (a?.size ?? 0));
      for (let j = 1; j < sets.length; j++) sets[j] = rest[j - 1];
    }
  }

  const max = maxIntset(c);
  const result = new SetValue(true);
  if (op === UNION) {
    for (const s of sets) {
      if (s === null) continue;
      const n = s.positions;
      for (let p = 0; p < n; p++) if (s.live(p)) result.add(s.memberAt(p), max);
    }
  } else if (first !== null && !sameSet && diffAlgo === 1) {
    const n = first.positions;
    for (let p = 0; p < n; p++) {
      if (!first.live(p)) continue;
      const m = first.memberAt(p);
      let j = 1;
      for (; j < sets.length; j++) {
        const s = sets[j];
        if (s !== null && s.has(m)) break;
      }
      if (j === sets.length) result.add(m, max);
    }
  } else if (first !== null && !sameSet) {
    for (let j = 0; j < sets.length; j++) {
      const s = sets[j];
      if (s === null) continue;
      const n = s.positions;
      for (let p = 0; p < n; p++) {
        if (!s.live(p)) continue;
        if (j === 0) result.add(s.memberAt(p), max);
        else result.remove(s.memberAt(p));
      }
      if (result.size === 0) break;
    }
  }

  if (dst === null) {
    c.out.set(result.size);
    const n = result.positions;
    for (let p = 0; p < n; p++) if (result.live(p)) emit(c.out, result.memberAt(p));
    return;
  }
  if (result.size === 0) return storeEmpty(c, dst);
  storeSet(c, dst, result);
  c.out.int(result.size);
  c.written(dst, op === UNION ? "sunionstore" : "sdiffstore", "s");
}

function smembers(c: Client, argv: Uint8Array[]): void {
  sinterGeneric(c, argv, 1, 2, null, false, 0);
}

function sunion(c: Client, argv: Uint8Array[]): void {
  sunionDiffGeneric(c, argv, 1, null, UNION);
}

function sunionstore(c: Client, argv: Uint8Array[]): void {
  sunionDiffGeneric(c, argv, 2, argv[1], UNION);
}

function sdiff(c: Client, argv: Uint8Array[]): void {
  sunionDiffGeneric(c, argv, 1, null, DIFF);
}

function sdiffstore(c: Client, argv: Uint8Array[]): void {
  sunionDiffGeneric(c, argv, 2, argv[1], DIFF);
}

// ---- SSCAN ---------------------------------------------------------------------------------------------

function sscan(c: Client, argv: Uint8Array[]): void {
  const cursor = parseCursor(argv[2]);
  if (cursor === null) return c.out.error("ERR invalid cursor");
  const addr = readAddr(c, argv[1]);
  if (addr < 0) return;
  if (addr === 0) return emptyScan(c);
  const opts = parseScanOptions(c, argv);
  if (opts === null) return;
  const s = c.db.obj<SetValue>(addr);
  const pattern = opts.pattern;
  const found: Uint8Array[] = [];
  const take = (p: number): void => {
    const b = memberBytes(s.memberAt(p));
    if (pattern === null || globMatch(pattern, b)) found.push(b);
  };
  let next = 0;
  // An intset is small: Redis returns all of it in one call, with cursor 0.
  if (s.ints !== null) for (let p = 0; p < s.size; p++) take(p);
  else next = s.ht!.scan(cursor, opts.count, take);
  c.out.array(2);
  c.out.bulkStr(String(next));
  c.out.bulks(found);
}

/** SINTERCARD's keys: numkeys of them after the count. */
function sintercardKeys(argv: Uint8Array[]): number[] {
  const n = parseInt64(argv[1]);
  if (n === null || n < 1 || n > argv.length - 2) return [];
  const out: number[] = [];
  for (let j = 2; j < 2 + Number(n); j++) out.push(j);
  return out;
}

const ORDER_TIP = ["nondeterministic_output_order"];
const RANDOM_TIP = ["nondeterministic_output"];

register(
  { name: "sadd", arity: -3, flags: ["write", "denyoom", "fast"], keys: [1, 1, 1], group: "set", since: "1.0.0", summary: "Add one or more members to a set", complexity: "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.", handler: sadd },
  { name: "srem", arity: -3, flags: ["write", "fast"], keys: [1, 1, 1], group: "set", since: "1.0.0", summary: "Remove one or more members from a set", complexity: "O(N) where N is the number of members to be removed.", handler: srem },
  { name: "scard", arity: 2, flags: ["readonly", "fast"], keys: [1, 1, 1], group: "set", since: "1.0.0", summary: "Get the number of members in a set", complexity: "O(1)", handler: scard },
  { name: "sismember", arity: 3, flags: ["readonly", "fast"], keys: [1, 1, 1], group: "set", since: "1.0.0", summary: "Determine if a given value is a member of a set", complexity: "O(1)", handler: sismember },
  { name: "smismember", arity: -3, flags: ["readonly", "fast"], keys: [1, 1, 1], group: "set", since: "6.2.0", summary: "Returns the membership associated with the given elements for a set", complexity: "O(N) where N is the number of elements being checked for membership", handler: smismember },
  { name: "smembers", arity: 2, flags: ["readonly"], keys: [1, 1, 1], group: "set", since: "1.0.0", summary: "Get all the members in a set", complexity: "O(N) where N is the set cardinality.", tips: ORDER_TIP, handler: smembers },
  { name: "spop", arity: -2, flags: ["write", "fast"], keys: [1, 1, 1], group: "set", since: "1.0.0", summary: "Remove and return one or multiple random members from a set", complexity: "Without the count argument O(1), otherwise O(N) where N is the value of the passed count.", tips: RANDOM_TIP, handler: spop },
  { name: "srandmember", arity: -2, flags: ["readonly"], keys: [1, 1, 1], group: "set", since: "1.0.0", summary: "Get one or multiple random members from a set", complexity: "Without the count argument O(1), otherwise O(N) where N is the absolute value of the passed count.", tips: RANDOM_TIP, handler: srandmember },
  { name: "smove", arity: 4, flags: ["write", "fast"], keys: [1, 2, 1], group: "set", since: "1.0.0", summary: "Move a member from one set to another", complexity: "O(1)", handler: smove },
  { name: "sinter", arity: -2, flags: ["readonly"], keys: [1, -1, 1], group: "set", since: "1.0.0", summary: "Intersect multiple sets", complexity: "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.", tips: ORDER_TIP, handler: sinter },
  { name: "sintercard", arity: -3, flags: ["readonly"], getKeys: sintercardKeys, group: "set", since: "7.0.0", summary: "Intersect multiple sets and return the cardinality of the result", complexity: "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.", handler: sintercard },
  { name: "sunion", arity: -2, flags: ["readonly"], keys: [1, -1, 1], group: "set", since: "1.0.0", summary: "Add multiple sets", complexity: "O(N) where N is the total number of elements in all given sets.", tips: ORDER_TIP, handler: sunion },
  { name: "sdiff", arity: -2, flags: ["readonly"], keys: [1, -1, 1], group: "set", since: "1.0.0", summary: "Subtract multiple sets", complexity: "O(N) where N is the total number of elements in all given sets.", tips: ORDER_TIP, handler: sdiff },
  { name: "sinterstore", arity: -3, flags: ["write", "denyoom"], keys: [1, -1, 1], group: "set", since: "1.0.0", summary: "Intersect multiple sets and store the resulting set in a key", complexity: "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.", handler: sinterstore },
  { name: "sunionstore", arity: -3, flags: ["write", "denyoom"], keys: [1, -1, 1], group: "set", since: "1.0.0", summary: "Add multiple sets and store the resulting set in a key", complexity: "O(N) where N is the total number of elements in all given sets.", handler: sunionstore },
  { name: "sdiffstore", arity: -3, flags: ["write", "denyoom"], keys: [1, -1, 1], group: "set", since: "1.0.0", summary: "Subtract multiple sets and store the resulting set in a key", complexity: "O(N) where N is the total number of elements in all given sets.", handler: sdiffstore },
  { name: "sscan", arity: -3, flags: ["readonly"], keys: [1, 1, 1], group: "set", since: "2.8.0", summary: "Incrementally iterate Set elements", complexity: "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..", tips: RANDOM_TIP, handler: sscan },
);
