// List commands (Redis t_list.c): pushes and pops at both ends, indexed access, ranges,
// LINSERT/LREM/LTRIM/LPOS, LMOVE, LMPOP, and the blocking variants (BLPOP, BRPOP, BLMOVE,
// BRPOPLPUSH, BLMPOP), which wait through the shard's BlockingState. Blocking variants that
// are served propagate as their non-blocking forms, as in Redis 7.0.

import { register } from "./table.ts";
import { lookupRead, registerEncoding } from "./keys.ts";
import { keyAdded } from "./strings.ts";
import type { Client } from "../server/client.ts";
import type { ReplyWriter } from "../resp/writer.ts";
import { T_LIST } from "../keyspace/db.ts";
import { registerCloner } from "../keyspace/clone.ts";
import { QuickList, sameBytes } from "../types/list.ts";
import { bytes, is, parseDouble, parseInt64 } from "../util/bytes.ts";
import { NOT_INTEGER, NO_SUCH_KEY, OUT_OF_RANGE, SYNTAX, WRONGTYPE, wrongArgs } from "../server/errors.ts";

const LPOP = bytes("LPOP");
const RPOP = bytes("RPOP");
const LMOVE = bytes("LMOVE");
const RPOPLPUSH = bytes("RPOPLPUSH");
const LEFT = bytes("left");
const RIGHT = bytes("right");

const RANK_ZERO = "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list";
/** Redis parses timeouts into a long long of ms: infinities and overflows come out negative. */
const TIMEOUT_MS_LIMIT = 2 ** 63;

registerEncoding(T_LIST, () => "quicklist");
registerCloner(T_LIST, (value) => (value as QuickList).clone());

// ---- argument parsing ---------------------------------------------------------------------

/**
 * getLongFromObjectOrReply: a 64-bit integer, or null after the error reply. Values past
 * 2^53 become the nearest double, which only ever lands out of any list's range.
 */
function longArg(c: Client, b: Uint8Array): number | null {
  const v = parseInt64(b);
  if (v === null) {
    c.out.error(NOT_INTEGER);
    return null;
  }
  return typeof v === "number" ? v : Number(v);
}

/** getRangeLongFromObjectOrReply(min, LONG_MAX, msg): msg answers both bad syntax and range. */
function atLeast(c: Client, b: Uint8Array, min: number, message: string): number | null {
  const v = parseInt64(b);
  if (v === null || v < min) {
    c.out.error("ERR " + message);
    return null;
  }
  return typeof v === "number" ? v : Number(v);
}

/** LEFT/RIGHT: true for LEFT (the head), null after a syntax error. */
function sideArg(c: Client, b: Uint8Array): boolean | null {
  if (is(b, "left")) return true;
  if (is(b, "right")) return false;
  c.out.error(SYNTAX);
  return null;
}

/**
 * getTimeoutFromObjectOrReply in seconds: the absolute deadline in ms (0 = wait forever), or
 * null after the error reply. Fractions round up to the next millisecond.
 */
function parseTimeout(c: Client, b: Uint8Array): number | null {
  const seconds = parseDouble(b);
  if (seconds === null) {
    c.out.error("ERR timeout is not a float or out of range");
    return null;
  }
  const ms = Math.ceil(seconds * 1000);
  if (!(ms >= 0 && ms < TIMEOUT_MS_LIMIT)) {
    c.out.error("ERR timeout is negative");
    return null;
  }
  return ms === 0 ? 0 : Date.now() + ms;
}

// ---- shared helpers -------------------------------------------------------------------------

/** A new empty list with the configured node size (created before its first push). */
function createList(c: Client): QuickList {
  return new QuickList(c.shard.config.getNum("list-max-listpack-size"));
}

/** lookupKeyWrite + checkType: the list, null when missing, undefined after WRONGTYPE. */
function writeList(c: Client, key: Uint8Array): QuickList | null | undefined {
  const db = c.db;
  const addr = db.lookup(key);
  if (addr === 0) return null;
  if (db.type(addr) !== T_LIST) {
    c.out.error(WRONGTYPE);
    return undefined;
  }
  return db.obj<QuickList>(addr);
}

/** lookupKeyRead + checkType: like writeList, counting hits and misses. */
function readList(c: Client, key: Uint8Array): QuickList | null | undefined {
  const addr = lookupRead(c, key, true);
  if (addr === 0) return null;
  if (c.db.type(addr) !== T_LIST) {
    c.out.error(WRONGTYPE);
    return undefined;
  }
  return c.db.obj<QuickList>(addr);
}

/** The list at key, created (and announced with "new") when missing. */
function listForPush(c: Client, key: Uint8Array, existing: QuickList | null): QuickList {
  if (existing !== null) return existing;
  const list = createList(c);
  c.db.setObj(key, T_LIST, list);
  keyAdded(c, key);
  return list;
}

/** Delete a list that became empty, as Redis does for every emptied collection. */
function dropIfEmpty(c: Client, key: Uint8Array, list: QuickList): void {
  if (list.length !== 0) return;
  c.db.del(key);
  c.shard.notify("g", "del", key, c.dbIndex);
}

/** listElementsRemoved: the pop event, the key deleted once empty, dirty by the count. */
function popped(c: Client, key: Uint8Array, list: QuickList, head: boolean, n: number): void {
  c.written(key, head ? "lpop" : "rpop", "l");
  dropIfEmpty(c, key, list);
  c.shard.dirty += n - 1;
}

/**
 * A bulk reply of src[off, off + len), encoded straight into the reply buffer: ranges of small
 * elements (LRANGE_100) spend most of their time here, and ReplyWriter.bulkSlice's per-call
 * subarray and tiny set() calls cost several times the copy itself.
 */
function bulkFrom(out: ReplyWriter, src: Uint8Array, off: number, len: number): void {
  out.ensure(len + 24);
  const b = out.buf;
  let o = out.len;
  b[o++] = 36;
  if (len < 10) {
    b[o++] = 48 + len;
  } else {
    const digits = String(len);
    for (let i = 0; i < digits.length; i++) b[o++] = digits.charCodeAt(i);
  }
  b[o++] = 13;
  b[o++] = 10;
  if (len <= 32) for (let i = 0; i < len; i++) b[o + i] = src[off + i];
  else b.set(src.subarray(off, off + len), o);
  o += len;
  b[o++] = 13;
  b[o++] = 10;
  out.len = o;
}

/** count elements from index start (towards the head when reverse) as a multi-bulk reply. */
function replyElements(c: Client, list: QuickList, start: number, count: number, reverse: boolean): void {
  const out = c.out;
  out.array(count);
  list.range(start, count, reverse, (buf, off, len) => bulkFrom(out, buf, off, len));
}

/** addListRangeReply: elements start..end (inclusive, negative from the tail). */
function replyRange(c: Client, list: QuickList, start: number, end: number): void {
  const llen = list.length;
  if (start < 0) start += llen;
  if (end < 0) end += llen;
  if (start < 0) start = 0;
  if (start > end || start >= llen) return c.out.array(0);
  if (end >= llen) end = llen - 1;
  replyElements(c, list, start, end - start + 1, false);
}

/** Pop up to count elements from one end, replying with them in pop order. */
function popMany(c: Client, key: Uint8Array, list: QuickList, head: boolean, count: number): number {
  const n = Math.min(count, list.length);
  const first = head ? 0 : list.length - n;
  replyElements(c, list, head ? 0 : list.length - 1, n, !head);
  list.deleteRange(first, n);
  popped(c, key, list, head, n);
  return n;
}

/**
 * Pop for BLPOP/BRPOP (count -1: a [key, element] reply) or LMPOP/BLMPOP (a [key, elements]
 * reply). Returns the effect to propagate.
 */
function popForKey(c: Client, key: Uint8Array, list: QuickList, head: boolean, count: number): Uint8Array[] {
  c.out.array(2);
  c.out.bulk(key);
  if (count === -1) {
    c.out.bulk(head ? list.popHead() : list.popTail());
    popped(c, key, list, head, 1);
    return [head ? LPOP : RPOP, key];
  }
  const n = popMany(c, key, list, head, count);
  return [head ? LPOP : RPOP, key, bytes(String(n))];
}

/**
 * Pop from the first non-empty list among keys. Returns the effect to propagate, null when
 * every key is missing, or undefined after a WRONGTYPE error.
 */
function popFirst(c: Client, keys: Uint8Array[], head: boolean, count: number): Uint8Array[] | null | undefined {
  for (const key of keys) {
    const list = writeList(c, key);
    if (list === undefined) return undefined;
    if (list !== null) return popForKey(c, key, list, head, count);
  }
  return null;
}

/** lmoveHandlePush plus the pop side of LMOVE: move one element from src to dst. */
function moveOne(c: Client, src: Uint8Array, from: QuickList, fromHead: boolean, dst: Uint8Array, to: QuickList | null, toHead: boolean): void {
  // A copy: src and dst may be the same list, and pushing may move the popped bytes.
  const value = (fromHead ? from.popHead() : from.popTail())!.slice();
  const target = listForPush(c, dst, to);
  if (toHead) target.pushHead(value);
  else target.pushTail(value);
  c.written(dst, toHead ? "lpush" : "rpush", "l");
  c.out.bulk(value);
  c.written(src, fromHead ? "lpop" : "rpop", "l");
  dropIfEmpty(c, src, from);
  c.shard.blocking.signal(c.dbIndex, dst);
}

// ---- push / pop ---------------------------------------------------------------------------------

function pushGeneric(c: Client, argv: Uint8Array[], head: boolean, onlyIfExists: boolean): void {
  const key = argv[1];
  const existing = writeList(c, key);
  if (existing === undefined) return;
  if (existing === null && onlyIfExists) return c.out.int(0);
  const list = listForPush(c, key, existing);
  if (head) for (let j = 2; j < argv.length; j++) list.pushHead(argv[j]);
  else for (let j = 2; j < argv.length; j++) list.pushTail(argv[j]);
  c.out.int(list.length);
  c.written(key, head ? "lpush" : "rpush", "l");
  c.shard.dirty += argv.length - 3;
  c.shard.blocking.signal(c.dbIndex, key);
}

function popGeneric(c: Client, argv: Uint8Array[], head: boolean): void {
  if (argv.length > 3) return c.out.error(wrongArgs(head ? "lpop" : "rpop"));
  let count = -1;
  if (argv.length === 3) {
    const v = atLeast(c, argv[2], 0, "value is out of range, must be positive");
    if (v === null) return;
    count = v;
  }
  const key = argv[1];
  const list = writeList(c, key);
  if (list === undefined) return;
  if (list === null) return count === -1 ? c.out.nil() : c.out.nilArray();
  if (count === 0) return c.out.array(0);
  if (count > 0) {
    popMany(c, key, list, head, count);
    return;
  }
  c.out.bulk(head ? list.popHead() : list.popTail());
  popped(c, key, list, head, 1);
}

function lmpopGeneric(c: Client, argv: Uint8Array[], numkeysIdx: number, blocking: boolean): void {
  const numkeys = atLeast(c, argv[numkeysIdx], 1, "numkeys should be greater than 0");
  if (numkeys === null) return;
  const whereIdx = numkeysIdx + numkeys + 1;
  if (whereIdx >= argv.length) return c.out.error(SYNTAX);
  const head = sideArg(c, argv[whereIdx]);
  if (head === null) return;
  let count = -1;
  for (let j = whereIdx + 1; j < argv.length; j++) {
    if (count === -1 && is(argv[j], "count") && j + 1 < argv.length) {
      const v = atLeast(c, argv[++j], 1, "count should be greater than 0");
      if (v === null) return;
      count = v;
    } else {
      return c.out.error(SYNTAX);
    }
  }
  const keys = argv.slice(numkeysIdx + 1, whereIdx);
  if (count === -1) count = 1;
  if (blocking) return blockingPop(c, keys, head, argv[1], count);
  const effect = popFirst(c, keys, head, count);
  if (effect === null) return c.out.nilArray();
  if (effect !== undefined) c.rewrite(effect);
}

// ---- reads and in-place edits --------------------------------------------------------------------

function llen(c: Client, argv: Uint8Array[]): void {
  const list = readList(c, argv[1]);
  if (list !== undefined) c.out.int(list === null ? 0 : list.length);
}

function lindex(c: Client, argv: Uint8Array[]): void {
  const list = readList(c, argv[1]);
  if (list === undefined) return;
  if (list === null) return c.out.nil();
  const index = longArg(c, argv[2]);
  if (index !== null) c.out.bulk(list.at(index));
}

function lrange(c: Client, argv: Uint8Array[]): void {
  const start = longArg(c, argv[2]);
  if (start === null) return;
  const end = longArg(c, argv[3]);
  if (end === null) return;
  const list = readList(c, argv[1]);
  if (list === undefined) return;
  if (list === null) return c.out.array(0);
  replyRange(c, list, start, end);
}

function lset(c: Client, argv: Uint8Array[]): void {
  const key = argv[1];
  const list = writeList(c, key);
  if (list === undefined) return;
  if (list === null) return c.out.error(NO_SUCH_KEY);
  const index = longArg(c, argv[2]);
  if (index === null) return;
  if (!list.set(index, argv[3])) return c.out.error(OUT_OF_RANGE);
  c.out.ok();
  c.written(key, "lset", "l");
}

function linsert(c: Client, argv: Uint8Array[]): void {
  let after: boolean;
  if (is(argv[2], "after")) after = true;
  else if (is(argv[2], "before")) after = false;
  else return c.out.error(SYNTAX);
  const key = argv[1];
  const list = writeList(c, key);
  if (list === undefined) return;
  if (list === null) return c.out.int(0);
  if (!list.insertAround(argv[3], argv[4], after)) return c.out.int(-1);
  c.written(key, "linsert", "l");
  c.out.int(list.length);
}

function lrem(c: Client, argv: Uint8Array[]): void {
  const toRemove = longArg(c, argv[2]);
  if (toRemove === null) return;
  const key = argv[1];
  const list = writeList(c, key);
  if (list === undefined) return;
  if (list === null) return c.out.int(0);
  const removed = list.removeEqual(argv[3], Math.abs(toRemove), toRemove < 0);
  if (removed > 0) {
    c.written(key, "lrem", "l");
    c.shard.dirty += removed - 1;
  }
  dropIfEmpty(c, key, list);
  c.out.int(removed);
}

function ltrim(c: Client, argv: Uint8Array[]): void {
  let start = longArg(c, argv[2]);
  if (start === null) return;
  let end = longArg(c, argv[3]);
  if (end === null) return;
  const key = argv[1];
  const list = writeList(c, key);
  if (list === undefined) return;
  if (list === null) return c.out.ok();
  const llen = list.length;
  if (start < 0) start += llen;
  if (end < 0) end += llen;
  if (start < 0) start = 0;
  let left = llen;
  let right = 0;
  if (start <= end && start < llen) {
    if (end >= llen) end = llen - 1;
    left = start;
    right = llen - end - 1;
  }
  list.deleteRange(0, left);
  list.deleteRange(list.length - right, right);
  // Redis announces LTRIM even when it removed nothing, but only counts (and so propagates)
  // actual removals.
  c.shard.notify("l", "ltrim", key, c.dbIndex);
  dropIfEmpty(c, key, list);
  c.shard.keyModified(c.dbIndex, key);
  c.shard.dirty += left + right;
  c.out.ok();
}

function lpos(c: Client, argv: Uint8Array[]): void {
  const ele = argv[2];
  let rank = 1;
  let count = -1;
  let maxlen = 0;
  for (let j = 3; j < argv.length; j++) {
    const more = j + 1 < argv.length;
    if (is(argv[j], "rank") && more) {
      const v = longArg(c, argv[++j]);
      if (v === null) return;
      if (v === 0) return c.out.error(RANK_ZERO);
      rank = v;
    } else if (is(argv[j], "count") && more) {
      const v = atLeast(c, argv[++j], 0, "COUNT can't be negative");
      if (v === null) return;
      count = v;
    } else if (is(argv[j], "maxlen") && more) {
      const v = atLeast(c, argv[++j], 0, "MAXLEN can't be negative");
      if (v === null) return;
      maxlen = v;
    } else {
      return c.out.error(SYNTAX);
    }
  }
  const fromTail = rank < 0;
  if (fromTail) rank = -rank;
  const list = readList(c, argv[1]);
  if (list === undefined) return;
  if (list === null) return count === -1 ? c.out.nil() : c.out.array(0);
  const llen = list.length;
  const hits: number[] = [];
  let index = 0;
  let matches = 0;
  list.range(fromTail ? llen - 1 : 0, maxlen === 0 ? llen : Math.min(maxlen, llen), fromTail, (buf, off, len) => {
    const pos = index++;
    if (!sameBytes(buf, off, len, ele) || ++matches < rank) return true;
    hits.push(fromTail ? llen - pos - 1 : pos);
    return count === -1 ? false : count === 0 || matches - rank + 1 < count;
  });
  if (count !== -1) {
    c.out.array(hits.length);
    for (const h of hits) c.out.int(h);
  } else if (hits.length > 0) {
    c.out.int(hits[0]);
  } else {
    c.out.nil();
  }
}

// ---- LMOVE family -----------------------------------------------------------------------------

/** lmoveGenericCommand; `effect` replaces the command in propagation (blocking forms). */
function lmoveGeneric(c: Client, src: Uint8Array, dst: Uint8Array, fromHead: boolean, toHead: boolean, effect: Uint8Array[] | null): void {
  const from = writeList(c, src);
  if (from === undefined) return;
  if (from === null) return c.out.nil();
  const to = writeList(c, dst);
  if (to === undefined) return;
  moveOne(c, src, from, fromHead, dst, to, toHead);
  if (effect !== null) c.rewrite(effect);
}

function lmove(c: Client, argv: Uint8Array[]): void {
  const fromHead = sideArg(c, argv[3]);
  if (fromHead === null) return;
  const toHead = sideArg(c, argv[4]);
  if (toHead === null) return;
  lmoveGeneric(c, argv[1], argv[2], fromHead, toHead, null);
}

// ---- blocking -----------------------------------------------------------------------------------

/** BLPOP/BRPOP (count -1) and BLMPOP: pop now, or wait on every key for a push. */
function blockingPop(c: Client, keys: Uint8Array[], head: boolean, timeoutArg: Uint8Array, count: number): void {
  const deadline = parseTimeout(c, timeoutArg);
  if (deadline === null) return;
  const effect = popFirst(c, keys, head, count);
  if (effect === undefined) return;
  if (effect !== null) return c.rewrite(effect);
  // Where blocking is not allowed (MULTI, scripts), an empty list answers as a timeout.
  if (c.noBlock) return c.out.nilArray();
  const waitKeys = keys.map((k) => k.slice());
  c.shard.blocking.block(c, {
    keys: waitKeys,
    dbIndex: c.dbIndex,
    deadline,
    retry: (w) => servePop(w, waitKeys, head, count),
    onTimeout: (w) => w.out.nilArray(),
  });
}

/** Serve a client blocked in BLPOP/BRPOP/BLMPOP once one of its keys holds a list. */
function servePop(c: Client, keys: Uint8Array[], head: boolean, count: number): boolean {
  const db = c.db;
  for (const key of keys) {
    const addr = db.lookup(key);
    if (addr === 0 || db.type(addr) !== T_LIST) continue;
    c.shard.propagate(c.dbIndex, popForKey(c, key, db.obj<QuickList>(addr), head, count));
    return true;
  }
  return false;
}

function blmoveGeneric(c: Client, argv: Uint8Array[], fromHead: boolean, toHead: boolean, timeoutArg: Uint8Array, rpoplpush: boolean): void {
  const deadline = parseTimeout(c, timeoutArg);
  if (deadline === null) return;
  const src = argv[1];
  const dst = argv[2];
  const from = writeList(c, src);
  if (from === undefined) return;
  if (from !== null) {
    const effect = rpoplpush ? [RPOPLPUSH, src, dst] : [LMOVE, src, dst, argv[3], argv[4]];
    return lmoveGeneric(c, src, dst, fromHead, toHead, effect);
  }
  if (c.noBlock) return c.out.nil();
  const waitKey = src.slice();
  const target = dst.slice();
  c.shard.blocking.block(c, {
    keys: [waitKey],
    dbIndex: c.dbIndex,
    deadline,
    retry: (w) => serveMove(w, waitKey, target, fromHead, toHead, rpoplpush),
    // Redis answers every timed-out list wait with a null array, BLMOVE's included.
    onTimeout: (w) => w.out.nilArray(),
  });
}

/**
 * Serve a client blocked in BLMOVE/BRPOPLPUSH. A destination of the wrong type ends the wait
 * with WRONGTYPE and leaves the source alone, as Redis does.
 */
function serveMove(c: Client, src: Uint8Array, dst: Uint8Array, fromHead: boolean, toHead: boolean, rpoplpush: boolean): boolean {
  const db = c.db;
  const addr = db.lookup(src);
  if (addr === 0 || db.type(addr) !== T_LIST) return false;
  const from = db.obj<QuickList>(addr);
  const to = writeList(c, dst);
  if (to === undefined) return true;
  moveOne(c, src, from, fromHead, dst, to, toHead);
  const effect = rpoplpush ? [RPOPLPUSH, src, dst] : [LMOVE, src, dst, fromHead ? LEFT : RIGHT, toHead ? LEFT : RIGHT];
  c.shard.propagate(c.dbIndex, effect);
  return true;
}

function blmove(c: Client, argv: Uint8Array[]): void {
  const fromHead = sideArg(c, argv[3]);
  if (fromHead === null) return;
  const toHead = sideArg(c, argv[4]);
  if (toHead === null) return;
  blmoveGeneric(c, argv, fromHead, toHead, argv[5], false);
}

// ---- registration -------------------------------------------------------------------------------

/** LMPOP/BLMPOP keys: numkeys at idx, then that many keys. */
function numkeysKeys(idx: number): (argv: Uint8Array[]) => number[] {
  return (argv) => {
    const n = idx < argv.length ? parseInt64(argv[idx]) : null;
    if (n === null || n < 1 || idx + Number(n) >= argv.length) return [];
    const keys: number[] = [];
    for (let i = 1; i <= n; i++) keys.push(idx + i);
    return keys;
  };
}

const PUSH_COMPLEXITY = "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.";
const POP_COMPLEXITY = "O(N) where N is the number of elements returned";
const MPOP_COMPLEXITY = "O(N+M) where N is the number of provided keys and M is the number of elements returned.";

register(
  {
    name: "lpush", arity: -3, flags: ["write", "denyoom", "fast"], keys: [1, 1, 1], group: "list", since: "1.0.0",
    summary: "Prepend one or multiple elements to a list", complexity: PUSH_COMPLEXITY, handler: (c, argv) => pushGeneric(c, argv, true, false),
  },
  {
    name: "rpush", arity: -3, flags: ["write", "denyoom", "fast"], keys: [1, 1, 1], group: "list", since: "1.0.0",
    summary: "Append one or multiple elements to a list", complexity: PUSH_COMPLEXITY, handler: (c, argv) => pushGeneric(c, argv, false, false),
  },
  {
    name: "lpushx", arity: -3, flags: ["write", "denyoom", "fast"], keys: [1, 1, 1], group: "list", since: "2.2.0",
    summary: "Prepend an element to a list, only if the list exists", complexity: PUSH_COMPLEXITY, handler: (c, argv) => pushGeneric(c, argv, true, true),
  },
  {
    name: "rpushx", arity: -3, flags: ["write", "denyoom", "fast"], keys: [1, 1, 1], group: "list", since: "2.2.0",
    summary: "Append an element to a list, only if the list exists", complexity: PUSH_COMPLEXITY, handler: (c, argv) => pushGeneric(c, argv, false, true),
  },
  {
    name: "lpop", arity: -2, flags: ["write", "fast"], keys: [1, 1, 1], group: "list", since: "1.0.0",
    summary: "Remove and get the first elements in a list", complexity: POP_COMPLEXITY, handler: (c, argv) => popGeneric(c, argv, true),
  },
  {
    name: "rpop", arity: -2, flags: ["write", "fast"], keys: [1, 1, 1], group: "list", since: "1.0.0",
    summary: "Remove and get the last elements in a list", complexity: POP_COMPLEXITY, handler: (c, argv) => popGeneric(c, argv, false),
  },
  {
    name: "llen", arity: 2, flags: ["readonly", "fast"], keys: [1, 1, 1], group: "list", since: "1.0.0",
    summary: "Get the length of a list", complexity: "O(1)", handler: llen,
  },
  {
    name: "lrange", arity: 4, flags: ["readonly"], keys: [1, 1, 1], group: "list", since: "1.0.0", summary: "Get a range of elements from a list",
    complexity: "O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest end (HEAD or TAIL) for large lists; and N is the number of elements in the specified range.",
    handler: lrange,
  },
  {
    name: "lindex", arity: 3, flags: ["readonly"], keys: [1, 1, 1], group: "list", since: "1.0.0", summary: "Get an element from a list by its index",
    complexity: "O(N) where N is the number of elements to traverse to get to the element at index. This makes asking for the first or the last element of the list O(1).",
    handler: lindex,
  },
  {
    name: "lset", arity: 4, flags: ["write", "denyoom"], keys: [1, 1, 1], group: "list", since: "1.0.0", summary: "Set the value of an element in a list by its index",
    complexity: "O(N) where N is the length of the list. Setting either the first or the last element of the list is O(1).", handler: lset,
  },
  {
    name: "linsert", arity: 5, flags: ["write", "denyoom"], keys: [1, 1, 1], group: "list", since: "2.2.0", summary: "Insert an element before or after another element in a list",
    complexity: "O(N) where N is the number of elements to traverse before seeing the value pivot. This means that inserting somewhere on the left end on the list (head) can be considered O(1) and inserting somewhere on the right end (tail) is O(N).",
    handler: linsert,
  },
  {
    name: "lrem", arity: 4, flags: ["write"], keys: [1, 1, 1], group: "list", since: "1.0.0", summary: "Remove elements from a list",
    complexity: "O(N+M) where N is the length of the list and M is the number of elements removed.", handler: lrem,
  },
  {
    name: "ltrim", arity: 4, flags: ["write"], keys: [1, 1, 1], group: "list", since: "1.0.0", summary: "Trim a list to the specified range",
    complexity: "O(N) where N is the number of elements to be removed by the operation.", handler: ltrim,
  },
  {
    name: "lpos", arity: -3, flags: ["readonly"], keys: [1, 1, 1], group: "list", since: "6.0.6", summary: "Return the index of matching elements on a list",
    complexity: "O(N) where N is the number of elements in the list, for the average case. When searching for elements near the head or the tail of the list, or when the MAXLEN option is provided, the command may run in constant time.",
    handler: lpos,
  },
  {
    name: "lmove", arity: 5, flags: ["write", "denyoom"], keys: [1, 2, 1], group: "list", since: "6.2.0",
    summary: "Pop an element from a list, push it to another list and return it", complexity: "O(1)", handler: lmove,
  },
  {
    name: "rpoplpush", arity: 3, flags: ["write", "denyoom"], keys: [1, 2, 1], group: "list", since: "1.2.0",
    summary: "Remove the last element in a list, prepend it to another list and return it", complexity: "O(1)",
    handler: (c, argv) => lmoveGeneric(c, argv[1], argv[2], false, true, null),
  },
  {
    name: "lmpop", arity: -4, flags: ["write"], getKeys: numkeysKeys(1), group: "list", since: "7.0.0",
    summary: "Pop elements from a list", complexity: MPOP_COMPLEXITY, handler: (c, argv) => lmpopGeneric(c, argv, 1, false),
  },
  {
    name: "blpop", arity: -3, flags: ["write", "noscript", "blocking"], keys: [1, -2, 1], group: "list", since: "2.0.0",
    summary: "Remove and get the first element in a list, or block until one is available", complexity: "O(N) where N is the number of provided keys.",
    handler: (c, argv) => blockingPop(c, argv.slice(1, -1), true, argv[argv.length - 1], -1),
  },
  {
    name: "brpop", arity: -3, flags: ["write", "noscript", "blocking"], keys: [1, -2, 1], group: "list", since: "2.0.0",
    summary: "Remove and get the last element in a list, or block until one is available", complexity: "O(N) where N is the number of provided keys.",
    handler: (c, argv) => blockingPop(c, argv.slice(1, -1), false, argv[argv.length - 1], -1),
  },
  {
    name: "blmove", arity: 6, flags: ["write", "denyoom", "noscript", "blocking"], keys: [1, 2, 1], group: "list", since: "6.2.0",
    summary: "Pop an element from a list, push it to another list and return it; or block until one is available", complexity: "O(1)", handler: blmove,
  },
  {
    name: "brpoplpush", arity: 4, flags: ["write", "denyoom", "noscript", "blocking"], keys: [1, 2, 1], group: "list", since: "2.2.0",
    summary: "Pop an element from a list, push it to another list and return it; or block until one is available", complexity: "O(1)",
    handler: (c, argv) => blmoveGeneric(c, argv, false, true, argv[3], true),
  },
  {
    name: "blmpop", arity: -5, flags: ["write", "blocking"], getKeys: numkeysKeys(2), group: "list", since: "7.0.0",
    summary: "Pop elements from a list, or block until one is available", complexity: MPOP_COMPLEXITY, handler: (c, argv) => lmpopGeneric(c, argv, 2, true),
  },
);
