// SORT and SORT_RO (Redis sort.c): sort the elements of a list, set or sorted set numerically
// or lexicographically, by themselves or by external keys (BY pattern, with "->field" for
// hashes), fetch related keys (GET), page (LIMIT) and optionally STORE the result as a list.

import { register } from "./table.ts";
import type { Client } from "../server/client.ts";
import { T_HASH, T_LIST, T_SET, T_STRING, T_ZSET } from "../keyspace/db.ts";
import { lookupRead } from "./keys.ts";
import { keyAdded } from "./strings.ts";
import type { HashValue } from "../types/hash.ts";
import { QuickList } from "../types/list.ts";
import { memberBytes, type SetValue } from "../types/set.ts";
import { type ZSet, zsetRange } from "../types/zset.ts";
import { compare, EMPTY, is, parseInt64 } from "../util/bytes.ts";
import { NOT_INTEGER, SYNTAX, WRONGTYPE } from "../server/errors.ts";

const STAR = 42;
const HASH_SIGN = 35;
const DASH = 45;
const GREATER = 62;

/**
 * lookupKeyByPattern: the value the pattern names for one element. "#" is the element itself;
 * otherwise the first '*' is replaced by the element, and "key->field" (a non-empty field
 * after the '*') reads a hash field instead of a string. Missing keys, wrong types and
 * patterns without '*' give null. Lookups count as reads (hits, misses, keymiss).
 */
function lookupByPattern(c: Client, pattern: Uint8Array, subst: Uint8Array): Uint8Array | null {
  if (pattern.length === 1 && pattern[0] === HASH_SIGN) return subst;
  const star = pattern.indexOf(STAR);
  if (star < 0) return null;
  let arrow = -1;
  for (let i = star + 1; i + 1 < pattern.length; i++) {
    if (pattern[i] === DASH && pattern[i + 1] === GREATER) {
      arrow = i;
      break;
    }
  }
  // "->" at the very end names no field: the whole pattern is then a string key.
  if (arrow >= 0 && arrow + 2 === pattern.length) arrow = -1;
  const keyEnd = arrow >= 0 ? arrow : pattern.length;
  const key = new Uint8Array(star + subst.length + keyEnd - star - 1);
  key.set(pattern.subarray(0, star));
  key.set(subst, star);
  key.set(pattern.subarray(star + 1, keyEnd), star + subst.length);
  const addr = lookupRead(c, key, true);
  if (addr === 0) return null;
  const db = c.db;
  if (arrow >= 0) {
    if (db.type(addr) !== T_HASH) return null;
    return db.obj<HashValue>(addr).get(pattern.subarray(arrow + 2));
  }
  if (db.type(addr) !== T_STRING) return null;
  // A copy: string values are views into keyspace memory.
  return db.str(addr).slice();
}

const WHITESPACE = new Set([32, 9, 10, 11, 12, 13]);
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const HEX = /^[+-]?0[xX][0-9a-fA-F]+$/;
const INFINITE = /^[+-]?inf(?:inity)?$/i;
const MIN_NORMAL = 2.2250738585072014e-308;

/**
 * A SORT weight as strtod() reads it where Redis requires the whole string to be consumed:
 * leading whitespace is skipped, the text ends at a NUL byte (an empty text is 0), and NaN
 * or overflow/underflow (ERANGE) is an error (null).
 */
function sortWeight(b: Uint8Array): number | null {
  let end = b.indexOf(0);
  if (end < 0) end = b.length;
  if (end === 0) return 0;
  let i = 0;
  while (i < end && WHITESPACE.has(b[i])) i++;
  let s = "";
  for (let j = i; j < end; j++) s += String.fromCharCode(b[j]);
  if (INFINITE.test(s)) return s.charCodeAt(0) === 45 ? -Infinity : Infinity;
  let v: number;
  if (DECIMAL.test(s)) v = Number(s);
  else if (HEX.test(s)) v = s.charCodeAt(0) === 45 ? -parseInt(s.slice(3), 16) : parseInt(s.replace(/^\+/, "").slice(2), 16);
  else return null;
  if (!Number.isFinite(v)) return null;
  const underflow = v === 0 ? /[1-9]/.test(s.replace(/[eE].*$/, "")) : Math.abs(v) < MIN_NORMAL;
  return underflow ? null : v;
}

/** Copies of the list elements from index start to end, or from the end backwards when desc. */
function listRange(list: QuickList, start: number, end: number, desc: boolean, out: Uint8Array[]): void {
  const from = desc ? list.length - 1 - start : start;
  list.range(from, end - start + 1, desc, (buf, off, len) => {
    out.push(buf.slice(off, off + len));
  });
}

/** A LIMIT argument (a C long): the value, or null after the integer error. */
function limitArg(c: Client, b: Uint8Array): number | bigint | null {
  const v = parseInt64(b);
  if (v === null) c.out.error(NOT_INTEGER);
  return v;
}

/** min(max(v, lo), hi) for an int64 argument and small bounds. */
function clamp(v: number | bigint, lo: number, hi: number): number {
  if (v < lo) return lo;
  if (v > hi) return hi;
  return Number(v);
}

function sortGeneric(c: Client, argv: Uint8Array[], readonly: boolean): void {
  let desc = false;
  let alpha = false;
  let limitStart: number | bigint = 0;
  let limitCount: number | bigint = -1;
  let dontsort = false;
  let sortby: Uint8Array | null = null;
  let storekey: Uint8Array | null = null;
  const gets: Uint8Array[] = [];
  const cluster = c.shard.config.getBool("cluster-enabled");
  for (let j = 2; j < argv.length; j++) {
    const left = argv.length - j - 1;
    const opt = argv[j];
    if (is(opt, "asc")) {
      desc = false;
    } else if (is(opt, "desc")) {
      desc = true;
    } else if (is(opt, "alpha")) {
      alpha = true;
    } else if (is(opt, "limit") && left >= 2) {
      const s = limitArg(c, argv[j + 1]);
      if (s === null) return;
      const n = limitArg(c, argv[j + 2]);
      if (n === null) return;
      limitStart = s;
      limitCount = n;
      j += 2;
    } else if (!readonly && is(opt, "store") && left >= 1) {
      storekey = argv[++j];
    } else if (is(opt, "by") && left >= 1) {
      sortby = argv[++j];
      // A constant BY (no '*') means "don't sort": no weights to look up.
      if (sortby.indexOf(STAR) < 0) dontsort = true;
      else if (cluster) return c.out.error("ERR BY option of SORT denied in Cluster mode.");
    } else if (is(opt, "get") && left >= 1) {
      if (cluster) return c.out.error("ERR GET option of SORT denied in Cluster mode.");
      gets.push(argv[++j]);
    } else {
      return c.out.error(SYNTAX);
    }
  }

  const db = c.db;
  const addr = lookupRead(c, argv[1], true);
  let type = T_LIST;
  if (addr !== 0) {
    type = db.type(addr);
    if (type !== T_SET && type !== T_LIST && type !== T_ZSET) return c.out.error(WRONGTYPE);
  }
  // An unsorted set would come out in hash order: a stored result must not depend on it.
  if (dontsort && type === T_SET && storekey !== null) {
    dontsort = false;
    alpha = true;
    sortby = null;
  }

  const value = addr === 0 ? null : db.obj<unknown>(addr);
  const vectorlen = value === null ? 0 : type === T_SET ? (value as SetValue).size : type === T_ZSET ? (value as ZSet).size : (value as QuickList).length;
  let start = clamp(limitStart, 0, vectorlen);
  const count = clamp(limitCount, -1, vectorlen);
  let end = count < 0 ? vectorlen - 1 : start + count - 1;
  if (start >= vectorlen) {
    start = vectorlen - 1;
    end = vectorlen - 2;
  }
  if (end >= vectorlen) end = vectorlen - 1;

  // Lists and sorted sets keep their own order when not sorted: load just the range.
  const ranged = dontsort && (type === T_ZSET || type === T_LIST);
  const elements: Uint8Array[] = [];
  if (value !== null) {
    if (ranged) {
      if (end >= start) {
        if (type === T_ZSET) zsetRange(value as ZSet, start, end, desc, (m) => elements.push(m));
        else listRange(value as QuickList, start, end, desc, elements);
      }
      end -= start;
      start = 0;
    } else if (type === T_SET) {
      const s = value as SetValue;
      const n = s.positions;
      for (let p = 0; p < n; p++) if (s.live(p)) elements.push(memberBytes(s.memberAt(p)));
    } else if (type === T_ZSET) {
      zsetRange(value as ZSet, 0, -1, false, (m) => elements.push(m));
    } else {
      listRange(value as QuickList, 0, vectorlen - 1, false, elements);
    }
  }

  const order: number[] = [];
  for (let j = 0; j < elements.length; j++) order.push(j);
  let badWeight = false;
  if (!dontsort) {
    const n = elements.length;
    const scores = new Float64Array(n);
    const cmps: (Uint8Array | null)[] = new Array(n).fill(null);
    for (let j = 0; j < n; j++) {
      const by = sortby !== null ? lookupByPattern(c, sortby, elements[j]) : elements[j];
      if (by === null) continue;
      if (alpha) {
        if (sortby !== null) cmps[j] = by;
      } else {
        const w = sortWeight(by);
        if (w === null) badWeight = true;
        else scores[j] = w;
      }
    }
    if (!badWeight) {
      const byPattern = sortby !== null;
      const sign = desc ? -1 : 1;
      order.sort((x, y) => {
        let cmp: number;
        if (!alpha) {
          const a = scores[x];
          const b = scores[y];
          // Equal weights fall back to the elements so the result is deterministic.
          cmp = a > b ? 1 : a < b ? -1 : compare(elements[x], elements[y]);
        } else if (byPattern) {
          const a = cmps[x];
          const b = cmps[y];
          cmp = a === null || b === null ? (a === b ? 0 : a === null ? -1 : 1) : compare(a, b);
        } else {
          cmp = compare(elements[x], elements[y]);
        }
        return sign * cmp;
      });
    }
  }
  if (badWeight) return c.out.error("ERR One or more scores can't be converted into double");

  const outputlen = end >= start ? (gets.length > 0 ? gets.length : 1) * (end - start + 1) : 0;
  if (storekey === null) {
    const out = c.out;
    out.array(outputlen);
    for (let j = start; j <= end; j++) {
      const ele = elements[order[j]];
      if (gets.length === 0) out.bulk(ele);
      for (const pattern of gets) out.bulk(lookupByPattern(c, pattern, ele));
    }
    return;
  }
  const result: Uint8Array[] = [];
  for (let j = start; j <= end; j++) {
    const ele = elements[order[j]];
    if (gets.length === 0) result.push(ele);
    for (const pattern of gets) result.push(lookupByPattern(c, pattern, ele) ?? EMPTY);
  }
  if (outputlen > 0) {
    const existed = db.lookup(storekey) !== 0;
    const list = new QuickList(c.shard.config.getNum("list-max-listpack-size"));
    for (const e of result) list.pushTail(e);
    db.setObj(storekey, T_LIST, list);
    if (!existed) keyAdded(c, storekey);
    c.written(storekey, "sortstore", "l");
    c.shard.dirty += outputlen - 1;
    c.shard.blocking.signal(c.dbIndex, storekey);
  } else if (db.del(storekey)) {
    c.written(storekey, "del", "g");
  }
  c.out.int(outputlen);
}

function sort(c: Client, argv: Uint8Array[]): void {
  sortGeneric(c, argv, false);
}

function sortRo(c: Client, argv: Uint8Array[]): void {
  sortGeneric(c, argv, true);
}

/**
 * sortGetKeys: the sorted key, and the last STORE destination. LIMIT, GET and BY skip their
 * arguments; anything else is taken for a flag.
 */
function sortKeys(argv: Uint8Array[]): number[] {
  const keys = [1];
  let store = -1;
  for (let i = 2; i < argv.length; i++) {
    if (is(argv[i], "limit")) i += 2;
    else if (is(argv[i], "get") || is(argv[i], "by")) i += 1;
    else if (is(argv[i], "store") && i + 1 < argv.length) store = i + 1;
  }
  if (store >= 0) keys.push(store);
  return keys;
}

const COMPLEXITY = "O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N).";

register(
  { name: "sort", arity: -2, flags: ["write", "denyoom"], keys: [1, 1, 1], getKeys: sortKeys, group: "generic", since: "1.0.0", summary: "Sort the elements in a list, set or sorted set", complexity: COMPLEXITY, acl: ["write", "set", "sortedset", "list", "slow", "dangerous"], handler: sort },
  { name: "sort_ro", arity: -2, flags: ["readonly"], keys: [1, 1, 1], getKeys: () => [1], group: "generic", since: "7.0.0", summary: "Sort the elements in a list, set or sorted set. Read-only variant of SORT.", complexity: COMPLEXITY, acl: ["read", "set", "sortedset", "list", "slow", "dangerous"], handler: sortRo },
);
