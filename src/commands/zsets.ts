// Sorted set commands (Redis 7.0 t_zset.c): ZADD and friends, ranges by rank, score and
// lex, removals, pops (blocking too), the set algebra (ZUNION/ZINTER/ZDIFF and their
// STORE forms, ZINTERCARD), ZRANDMEMBER and ZSCAN. The value type is src/types/zset.ts.

import { register } from "./table.ts";
import type { Client } from "../server/client.ts";
import type { ReplyWriter } from "../resp/writer.ts";
import { T_SET, T_ZSET } from "../keyspace/db.ts";
import { registerCloner } from "../keyspace/clone.ts";
import { lookupRead, parseCursor, registerEncoding, writeTyped } from "./keys.ts";
import { keyAdded } from "./strings.ts";
import { cachedSettings, emptyScan, parseScanOptions, samplePositions } from "./hashes.ts";
import { memberBytes as setMemberBytes, type SetValue } from "../types/set.ts";
import {
  ZSet,
  ZADD_ADDED,
  ZADD_GT,
  ZADD_INCR,
  ZADD_LT,
  ZADD_NAN,
  ZADD_NOP,
  ZADD_NX,
  ZADD_UPDATED,
  ZADD_XX,
  d2string,
  formatG17,
  gteMin,
  lexGteMin,
  lexLteMax,
  lteMax,
  memberBytes,
  memberOf,
  pairOrder,
  parseLexRange,
  parseScore,
  parseScoreRange,
  replyMember,
  replyScore,
  type LexRange,
  type ScoreRange,
  type ZLimits,
} from "../types/zset.ts";
import { bytes, globMatch, INT64_MIN, is, lower, parseInt64 } from "../util/bytes.ts";
import { NOT_FLOAT, NOT_INTEGER, SYNTAX, WRONGTYPE } from "../server/errors.ts";

const ZPOPMIN = bytes("ZPOPMIN");
const ZPOPMAX = bytes("ZPOPMAX");
const NAN_SCORE = "ERR resulting score is not a number (NaN)";
const NOT_FLOAT_RANGE = "ERR min or max is not a float";
const NOT_LEX_RANGE = "ERR min or max not valid string range item";
const LONG_MAX = 9223372036854775807n;

// ---- shared helpers (also used by GEO) ---------------------------------------------------

/** zset-max-listpack-entries / -value, refreshed when the config changes. */
export const zsetLimits = cachedSettings<ZLimits>((config) => ({
  entries: config.getNum("zset-max-listpack-entries"),
  value: config.getNum("zset-max-listpack-value"),
}));

/**
 * lookupKeyRead + checkType: the sorted set at key, null when there is none, undefined
 * after answering WRONGTYPE.
 */
export function readZset(c: Client, key: Uint8Array): ZSet | null | undefined {
  const addr = lookupRead(c, key, true);
  if (addr === 0) return null;
  if (c.db.type(addr) !== T_ZSET) {
    c.out.error(WRONGTYPE);
    return undefined;
  }
  return c.db.obj<ZSet>(addr);
}

const writeAddr = (c: Client, key: Uint8Array): number => writeTyped(c, key, T_ZSET);

/** setKey() of a computed sorted set under key, with the command's event. */
export function storeZset(c: Client, key: Uint8Array, z: ZSet, event: string): void {
  const db = c.db;
  const existed = db.lookup(key) !== 0;
  db.setObj(key, T_ZSET, z);
  if (!existed) keyAdded(c, key);
  c.written(key, event, "z");
  c.shard.blocking.signal(c.dbIndex, key);
}

/** An empty result deletes the destination (dbDelete + "del"). */
export function deleteStore(c: Client, key: Uint8Array): void {
  if (c.db.del(key)) c.written(key, "del", "g");
}

/** Remove an emptied sorted set: the key goes, "del" follows the command's event. */
function dropIfEmpty(c: Client, addr: number, key: Uint8Array, z: ZSet): void {
  if (z.size !== 0) return;
  c.db.removeAddr(addr);
  c.shard.notify("g", "del", key, c.dbIndex);
}

/** Begin a range reply of n results (flat pairs in RESP2, nested pairs in RESP3). */
function beginResults(out: ReplyWriter, n: number, withScores: boolean): void {
  out.array(withScores && out.proto === 2 ? n * 2 : n);
}

function emitResult(out: ReplyWriter, m: string, score: number, withScores: boolean): void {
  if (withScores && out.proto === 3) out.array(2);
  replyMember(out, m);
  if (withScores) replyScore(out, score);
}

/** getLongFromObjectOrReply(): a strict int64 as a number, or null after the error. */
function longArg(c: Client, b: Uint8Array): number | null {
  const v = parseInt64(b);
  if (v === null) {
    c.out.error(NOT_INTEGER);
    return null;
  }
  return Number(v);
}

/** getRangeLongFromObjectOrReply() with one message for every failure. */
function rangeArg(c: Client, b: Uint8Array, min: number, message: string): number | null {
  const v = parseInt64(b);
  if (v === null || v < min) {
    c.out.error(message);
    return null;
  }
  return Number(v);
}

// ---- ZADD / ZINCRBY -----------------------------------------------------------------------

const scratchScores: number[] = [];

/** zaddGenericCommand(); exported for GEOADD, which runs it on a ZADD argument vector. */
export function zaddGeneric(c: Client, argv: Uint8Array[], flags: number): void {
  let ch = false;
  let idx = 2;
  for (; idx < argv.length; idx++) {
    const opt = argv[idx];
    if (is(opt, "nx")) flags |= ZADD_NX;
    else if (is(opt, "xx")) flags |= ZADD_XX;
    else if (is(opt, "ch")) ch = true;
    else if (is(opt, "incr")) flags |= ZADD_INCR;
    else if (is(opt, "gt")) flags |= ZADD_GT;
    else if (is(opt, "lt")) flags |= ZADD_LT;
    else break;
  }
  const incr = (flags & ZADD_INCR) !== 0;
  const nx = (flags & ZADD_NX) !== 0;
  const gt = (flags & ZADD_GT) !== 0;
  const lt = (flags & ZADD_LT) !== 0;
  let elements = argv.length - idx;
  if (elements % 2 !== 0 || elements === 0) return c.out.error(SYNTAX);
  elements /= 2;
  if (nx && flags & ZADD_XX) return c.out.error("ERR XX and NX options at the same time are not compatible");
  if ((gt && nx) || (lt && nx) || (gt && lt)) return c.out.error("ERR GT, LT, and/or NX options at the same time are not compatible");
  if (incr && elements > 1) return c.out.error("ERR INCR option supports a single increment-element pair");

  const scores = scratchScores;
  scores.length = elements;
  for (let j = 0; j < elements; j++) {
    const v = parseScore(argv[idx + j * 2]);
    if (v === null) return c.out.error(NOT_FLOAT);
    scores[j] = v;
  }

  const key = argv[1];
  const addr = writeAddr(c, key);
  if (addr < 0) return;
  let added = 0;
  let updated = 0;
  let processed = 0;
  let score = 0;
  let z: ZSet;
  if (addr === 0) {
    if (flags & ZADD_XX) return incr ? c.out.nil() : c.out.int(0);
    z = new ZSet();
    c.db.setObj(key, T_ZSET, z);
    keyAdded(c, key);
    c.shard.blocking.signal(c.dbIndex, key);
  } else {
    z = c.db.obj<ZSet>(addr);
  }
  const limits = zsetLimits(c);
  let failed = false;
  for (let j = 0; j < elements; j++) {
    const out = z.add(scores[j], memberOf(argv[idx + 1 + j * 2]), flags, limits);
    if (out & ZADD_NAN) {
      failed = true;
      break;
    }
    if (out & ZADD_ADDED) added++;
    if (out & ZADD_UPDATED) updated++;
    if (!(out & ZADD_NOP)) {
      processed++;
      score = z.newScore;
    }
  }
  if (failed) c.out.error(NAN_SCORE);
  else if (incr) {
    if (processed) replyScore(c.out, score);
    else c.out.nil();
  } else {
    c.out.int(ch ? added + updated : added);
  }
  if (added || updated) {
    c.written(key, incr ? "zincr" : "zadd", "z");
    c.shard.dirty += added + updated - 1;
  }
}

/** ZADD's handler, also run by GEOADD on the vector it builds. */
export function zadd(c: Client, argv: Uint8Array[]): void {
  zaddGeneric(c, argv, 0);
}

function zincrby(c: Client, argv: Uint8Array[]): void {
  zaddGeneric(c, argv, ZADD_INCR);
}

// ---- ZREM / ZREMRANGEBY* ------------------------------------------------------------------

function zrem(c: Client, argv: Uint8Array[]): void {
  const key = argv[1];
  const addr = writeAddr(c, key);
  if (addr < 0) return;
  if (addr === 0) return c.out.int(0);
  const z = c.db.obj<ZSet>(addr);
  let deleted = 0;
  let removed = false;
  for (let j = 2; j < argv.length; j++) {
    if (z.delete(memberOf(argv[j]))) deleted++;
    if (z.size === 0) {
      c.db.removeAddr(addr);
      removed = true;
      break;
    }
  }
  if (deleted) {
    c.written(key, "zrem", "z");
    if (removed) c.shard.notify("g", "del", key, c.dbIndex);
    c.shard.dirty += deleted - 1;
  }
  c.out.int(deleted);
}

const BY_RANK = 0;
const BY_SCORE = 1;
const BY_LEX = 2;

function zremrangeGeneric(c: Client, argv: Uint8Array[], type: number): void {
  let start = 0;
  let end = 0;
  let range: ScoreRange | null = null;
  let lex: LexRange | null = null;
  if (type === BY_RANK) {
    const s = longArg(c, argv[2]);
    if (s === null) return;
    const e = longArg(c, argv[3]);
    if (e === null) return;
    start = s;
    end = e;
  } else if (type === BY_SCORE) {
    range = parseScoreRange(argv[2], argv[3]);
    if (range === null) return c.out.error(NOT_FLOAT_RANGE);
  } else {
    lex = parseLexRange(argv[2], argv[3]);
    if (lex === null) return c.out.error(NOT_LEX_RANGE);
  }
  const key = argv[1];
  const addr = writeAddr(c, key);
  if (addr < 0) return;
  if (addr === 0) return c.out.int(0);
  const z = c.db.obj<ZSet>(addr);
  if (type === BY_RANK) {
    const n = z.size;
    if (start < 0) start += n;
    if (end < 0) end += n;
    if (start < 0) start = 0;
    if (start > end || start >= n) return c.out.int(0);
    if (end >= n) end = n - 1;
  } else if (range !== null) {
    start = z.firstInRange(range);
    end = start < 0 ? -1 : z.lastInRange(range);
  } else {
    start = z.firstInLexRange(lex!);
    end = start < 0 ? -1 : z.lastInLexRange(lex!);
  }
  const deleted = start < 0 ? 0 : end - start + 1;
  if (deleted > 0) {
    z.deleteRange(start, end);
    const removed = z.size === 0;
    if (removed) c.db.removeAddr(addr);
    c.written(key, type === BY_RANK ? "zremrangebyrank" : type === BY_SCORE ? "zremrangebyscore" : "zremrangebylex", "z");
    if (removed) c.shard.notify("g", "del", key, c.dbIndex);
    c.shard.dirty += deleted - 1;
  }
  c.out.int(deleted);
}

// ---- single-member reads ------------------------------------------------------------------

function zcard(c: Client, argv: Uint8Array[]): void {
  const z = readZset(c, argv[1]);
  if (z === undefined) return;
  c.out.int(z === null ? 0 : z.size);
}

function zscore(c: Client, argv: Uint8Array[]): void {
  const z = readZset(c, argv[1]);
  if (z === undefined) return;
  const s = z === null ? undefined : z.score(memberOf(argv[2]));
  if (s === undefined) c.out.nil();
  else replyScore(c.out, s);
}

function zmscore(c: Client, argv: Uint8Array[]): void {
  const z = readZset(c, argv[1]);
  if (z === undefined) return;
  c.out.array(argv.length - 2);
  for (let j = 2; j < argv.length; j++) {
    const s = z === null ? undefined : z.score(memberOf(argv[j]));
    if (s === undefined) c.out.nil();
    else replyScore(c.out, s);
  }
}

function zrankGeneric(c: Client, argv: Uint8Array[], reverse: boolean): void {
  const z = readZset(c, argv[1]);
  if (z === undefined) return;
  if (z === null) return c.out.nil();
  const r = z.rank(memberOf(argv[2]), reverse);
  if (r < 0) c.out.nil();
  else c.out.int(r);
}

function zcount(c: Client, argv: Uint8Array[]): void {
  const range = parseScoreRange(argv[2], argv[3]);
  if (range === null) return c.out.error(NOT_FLOAT_RANGE);
  const z = readZset(c, argv[1]);
  if (z === undefined) return;
  const first = z === null ? -1 : z.firstInRange(range);
  c.out.int(first < 0 ? 0 : z!.lastInRange(range) - first + 1);
}

function zlexcount(c: Client, argv: Uint8Array[]): void {
  const range = parseLexRange(argv[2], argv[3]);
  if (range === null) return c.out.error(NOT_LEX_RANGE);
  const z = readZset(c, argv[1]);
  if (z === undefined) return;
  const first = z === null ? -1 : z.firstInLexRange(range);
  c.out.int(first < 0 ? 0 : z!.lastInLexRange(range) - first + 1);
}

// ---- ZRANGE family --------------------------------------------------------------------------

const DIR_AUTO = 0;
const DIR_FORWARD = 1;
const DIR_REVERSE = 2;
const TYPE_AUTO = -1;

// Results of a score or lex range, gathered before the reply or store.
const resMembers: string[] = [];
const resScores: number[] = [];

/**
 * zrangeGenericCommand(): ZRANGE, ZRANGESTORE and the older Z[REV]RANGE[BYSCORE|BYLEX].
 * argv[start] is the source key, followed by min, max and options.
 */
function zrangeGeneric(c: Client, argv: Uint8Array[], start: number, store: boolean, type: number, direction: number): void {
  let withScores = false;
  let offset = 0;
  let limit = -1;
  for (let j = start + 3; j < argv.length; j++) {
    const left = argv.length - j - 1;
    const opt = argv[j];
    if (!store && is(opt, "withscores")) withScores = true;
    else if (is(opt, "limit") && left >= 2) {
      const o = longArg(c, argv[j + 1]);
      if (o === null) return;
      const l = longArg(c, argv[j + 2]);
      if (l === null) return;
      offset = o;
      limit = l;
      j += 2;
    } else if (direction === DIR_AUTO && is(opt, "rev")) direction = DIR_REVERSE;
    else if (type === TYPE_AUTO && is(opt, "bylex")) type = BY_LEX;
    else if (type === TYPE_AUTO && is(opt, "byscore")) type = BY_SCORE;
    else return c.out.error(SYNTAX);
  }
  if (direction === DIR_AUTO) direction = DIR_FORWARD;
  if (type === TYPE_AUTO) type = BY_RANK;
  if (limit !== -1 && type === BY_RANK) return c.out.error("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
  if (withScores && type === BY_LEX) return c.out.error("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
  const reverse = direction === DIR_REVERSE;
  let minIdx = start + 1;
  let maxIdx = start + 2;
  if (reverse && type !== BY_RANK) [minIdx, maxIdx] = [maxIdx, minIdx];

  let from = 0;
  let to = 0;
  let range: ScoreRange | null = null;
  let lex: LexRange | null = null;
  if (type === BY_RANK) {
    const a = longArg(c, argv[minIdx]);
    if (a === null) return;
    const b = longArg(c, argv[maxIdx]);
    if (b === null) return;
    from = a;
    to = b;
  } else if (type === BY_SCORE) {
    range = parseScoreRange(argv[minIdx], argv[maxIdx]);
    if (range === null) return c.out.error(NOT_FLOAT_RANGE);
  } else {
    lex = parseLexRange(argv[minIdx], argv[maxIdx]);
    if (lex === null) return c.out.error(NOT_LEX_RANGE);
  }

  const z = readZset(c, argv[start]);
  if (z === undefined) return;
  const dst = store ? argv[1] : null;
  const scores = withScores || store;
  if (z === null) {
    if (dst === null) return c.out.array(0);
    c.out.int(0);
    return deleteStore(c, dst);
  }

  if (type === BY_RANK) {
    const n = z.size;
    if (from < 0) from += n;
    if (to < 0) to += n;
    if (from < 0) from = 0;
    let count = 0;
    if (from <= to && from < n) {
      if (to >= n) to = n - 1;
      count = to - from + 1;
    }
    if (dst !== null) {
      const out = ZSet.create(count > zsetLimits(c).entries);
      if (count > 0) {
        const limits = zsetLimits(c);
        let left = count;
        z.walk(reverse ? n - 1 - from : from, reverse, (m, s) => {
          out.add(s, m, 0, limits);
          return --left > 0;
        });
      }
      return finishStore(c, dst, out, count);
    }
    beginResults(c.out, count, scores);
    if (count === 0) return;
    let left = count;
    const o = c.out;
    z.walk(reverse ? n - 1 - from : from, reverse, (m, s) => {
      emitResult(o, m, s, scores);
      return --left > 0;
    });
    return;
  }

  // By score or lex: find the first member in range from the walking end, skip offset
  // members, then take members while they stay in range, up to limit.
  resMembers.length = 0;
  resScores.length = 0;
  let first: number;
  if (range !== null) first = reverse ? z.lastInRange(range) : z.firstInRange(range);
  else first = reverse ? z.lastInLexRange(lex!) : z.firstInLexRange(lex!);
  if (offset > 0 && offset >= z.size) first = -1;
  if (first >= 0 && offset >= 0) {
    const at = reverse ? first - offset : first + offset;
    let left = limit;
    if (left !== 0) {
      z.walk(at, reverse, (m, s) => {
        const inside = range !== null ? (reverse ? gteMin(s, range) : lteMax(s, range)) : reverse ? lexGteMin(m, lex!) : lexLteMax(m, lex!);
        if (!inside) return false;
        resMembers.push(m);
        resScores.push(s);
        return --left !== 0;
      });
    }
  }
  const count = resMembers.length;
  if (dst !== null) {
    const limits = zsetLimits(c);
    const out = ZSet.create(false);
    for (let i = 0; i < count; i++) out.add(resScores[i], resMembers[i], 0, limits);
    return finishStore(c, dst, out, count);
  }
  beginResults(c.out, count, scores);
  for (let i = 0; i < count; i++) emitResult(c.out, resMembers[i], resScores[i], scores);
}

/** zrangeResultFinalizeStore(). */
function finishStore(c: Client, dst: Uint8Array, z: ZSet, count: number): void {
  if (count > 0) {
    storeZset(c, dst, z, "zrangestore");
    c.out.int(count);
  } else {
    c.out.int(0);
    deleteStore(c, dst);
  }
}

function zrange(c: Client, argv: Uint8Array[]): void {
  zrangeGeneric(c, argv, 1, false, TYPE_AUTO, DIR_AUTO);
}

function zrangestore(c: Client, argv: Uint8Array[]): void {
  zrangeGeneric(c, argv, 2, true, TYPE_AUTO, DIR_AUTO);
}

function zrevrange(c: Client, argv: Uint8Array[]): void {
  zrangeGeneric(c, argv, 1, false, BY_RANK, DIR_REVERSE);
}

function zrangebyscore(c: Client, argv: Uint8Array[]): void {
  zrangeGeneric(c, argv, 1, false, BY_SCORE, DIR_FORWARD);
}

function zrevrangebyscore(c: Client, argv: Uint8Array[]): void {
  zrangeGeneric(c, argv, 1, false, BY_SCORE, DIR_REVERSE);
}

function zrangebylex(c: Client, argv: Uint8Array[]): void {
  zrangeGeneric(c, argv, 1, false, BY_LEX, DIR_FORWARD);
}

function zrevrangebylex(c: Client, argv: Uint8Array[]): void {
  zrangeGeneric(c, argv, 1, false, BY_LEX, DIR_REVERSE);
}

// ---- pops -------------------------------------------------------------------------------

/**
 * genericZpopCommand(): pop up to count (-1: one, plain reply) members from the first
 * existing key. emitKey adds the key name (blocking pops, ZMPOP); nested gives [member,
 * score] pairs; nilWhenEmpty answers a null array instead of an empty one. Returns the
 * key popped from and how many members, or null when nothing was popped.
 */
function zpopGeneric(c: Client, keys: Uint8Array[], max: boolean, emitKey: boolean, count: number, nested: boolean, nilWhenEmpty: boolean): [Uint8Array, number] | null {
  const db = c.db;
  let key: Uint8Array | null = null;
  let addr = 0;
  for (const k of keys) {
    addr = db.lookup(k);
    if (addr === 0) continue;
    if (db.type(addr) !== T_ZSET) {
      c.out.error(WRONGTYPE);
      return null;
    }
    key = k;
    break;
  }
  const out = c.out;
  if (key === null) {
    if (nilWhenEmpty) out.nilArray();
    else out.array(0);
    return null;
  }
  if (count === 0) {
    out.array(0);
    return null;
  }
  if (count === -1) count = 1;
  const z = db.obj<ZSet>(addr);
  const n = Math.min(count, z.size);
  if (!nested && !emitKey) out.array(n * 2);
  else if (nested && !emitKey) out.array(n);
  else if (!nested) {
    out.array(n * 2 + 1);
    out.bulk(key);
  } else {
    out.array(2);
    out.bulk(key);
    out.array(n);
  }
  for (let i = 0; i < n; i++) {
    const [m, s] = z.pop(max);
    if (nested) out.array(2);
    replyMember(out, m);
    replyScore(out, s);
  }
  c.written(key, max ? "zpopmax" : "zpopmin", "z");
  c.shard.dirty += n - 1;
  dropIfEmpty(c, addr, key, z);
  return [key, n];
}

function zpopMinMax(c: Client, argv: Uint8Array[], max: boolean): void {
  if (argv.length > 3) return c.out.error(SYNTAX);
  let count = -1;
  if (argv.length === 3) {
    const v = rangeArg(c, argv[2], 0, "ERR value is out of range, must be positive");
    if (v === null) return;
    count = v;
  }
  zpopGeneric(c, [argv[1]], max, false, count, c.out.proto === 3 && count !== -1, false);
}

function zpopmin(c: Client, argv: Uint8Array[]): void {
  zpopMinMax(c, argv, false);
}

function zpopmax(c: Client, argv: Uint8Array[]): void {
  zpopMinMax(c, argv, true);
}

const MS_LIMIT = 9223372036854775807;

/**
 * getTimeoutFromObjectOrReply() in seconds: the absolute deadline in ms (0 = forever),
 * or null after the error.
 */
export function parseTimeout(c: Client, arg: Uint8Array): number | null {
  const v = arg.length === 0 || arg[0] === 32 || (arg[0] >= 9 && arg[0] <= 13) ? null : parseSeconds(arg);
  if (v === null) {
    c.out.error("ERR timeout is not a float or out of range");
    return null;
  }
  // C casts seconds * 1000 to long long; out-of-range values come out as LLONG_MIN.
  const ms = v * 1000;
  const t = Number.isFinite(ms) && Math.abs(ms) < MS_LIMIT ? Math.trunc(ms) : -Infinity;
  if (t < 0) {
    c.out.error("ERR timeout is negative");
    return null;
  }
  if (t === 0) return 0;
  const now = Date.now();
  if (t > MS_LIMIT - now) {
    c.out.error("ERR timeout is out of range");
    return null;
  }
  return now + t;
}

/** strtold() for a timeout: like a score, but as a long double nothing overflows. */
function parseSeconds(arg: Uint8Array): number | null {
  const v = parseScore(arg);
  if (v !== null) return v;
  const s = memberOf(arg);
  return /^[+-]?(?:\d+\.?\d*|\.\d+)[eE]\+?\d+$/.test(s) && Number(s) === Infinity ? Infinity : null;
}

/**
 * blockingGenericZpopCommand(): pop from the first non-empty key, or block until one of
 * the keys gets members. count is -1 for BZPOPMIN/BZPOPMAX.
 */
function blockingZpop(c: Client, keys: Uint8Array[], max: boolean, timeoutArg: Uint8Array, count: number, nested: boolean): void {
  const deadline = parseTimeout(c, timeoutArg);
  if (deadline === null) return;
  const db = c.db;
  for (const key of keys) {
    const addr = db.lookup(key);
    if (addr === 0) continue;
    if (db.type(addr) !== T_ZSET) return c.out.error(WRONGTYPE);
    const popped = zpopGeneric(c, [key], max, true, count, nested, nested);
    if (popped !== null) c.rewrite(popEffect(popped, max, count));
    return;
  }
  if (c.noBlock) return c.out.nilArray();
  const waitKeys = keys.map((k) => k.slice());
  const dbIndex = c.dbIndex;
  c.shard.blocking.block(c, {
    keys: waitKeys,
    dbIndex,
    deadline,
    retry: (cl) => {
      for (const key of waitKeys) {
        const addr = cl.db.lookup(key);
        if (addr === 0 || cl.db.type(addr) !== T_ZSET) continue;
        const popped = zpopGeneric(cl, [key], max, true, count, nested, false);
        if (popped === null) return false;
        cl.shard.propagate(dbIndex, popEffect(popped, max, count));
        return true;
      }
      return false;
    },
    onTimeout: (cl) => cl.out.nilArray(),
  });
}

/** A pop as replicas see it: ZPOPMIN/ZPOPMAX key [count]. */
function popEffect(popped: [Uint8Array, number], max: boolean, count: number): Uint8Array[] {
  const eff = [max ? ZPOPMAX : ZPOPMIN, popped[0]];
  if (count !== -1) eff.push(bytes(String(popped[1])));
  return eff;
}

function bzpopmin(c: Client, argv: Uint8Array[]): void {
  blockingZpop(c, argv.slice(1, -1), false, argv[argv.length - 1], -1, false);
}

function bzpopmax(c: Client, argv: Uint8Array[]): void {
  blockingZpop(c, argv.slice(1, -1), true, argv[argv.length - 1], -1, false);
}

/** zmpopGenericCommand(): numkeys at argv[at]. */
function zmpopGeneric(c: Client, argv: Uint8Array[], at: number, blocking: boolean): void {
  const numkeys = rangeArg(c, argv[at], 1, "ERR numkeys should be greater than 0");
  if (numkeys === null) return;
  const whereIdx = at + numkeys + 1;
  if (numkeys >= argv.length || whereIdx >= argv.length) return c.out.error(SYNTAX);
  let max: boolean;
  if (is(argv[whereIdx], "min")) max = false;
  else if (is(argv[whereIdx], "max")) max = true;
  else return c.out.error(SYNTAX);
  let count = -1;
  for (let j = whereIdx + 1; j < argv.length; j++) {
    if (count === -1 && is(argv[j], "count") && j < argv.length - 1) {
      const v = rangeArg(c, argv[++j], 1, "ERR count should be greater than 0");
      if (v === null) return;
      count = v;
    } else {
      return c.out.error(SYNTAX);
    }
  }
  if (count === -1) count = 1;
  const keys = argv.slice(at + 1, whereIdx);
  if (blocking) return blockingZpop(c, keys, max, argv[1], count, true);
  const popped = zpopGeneric(c, keys, max, true, count, true, true);
  if (popped !== null) c.rewrite(popEffect(popped, max, count));
}

function zmpop(c: Client, argv: Uint8Array[]): void {
  zmpopGeneric(c, argv, 1, false);
}

function bzmpop(c: Client, argv: Uint8Array[]): void {
  zmpopGeneric(c, argv, 2, true);
}

// ---- ZUNION / ZINTER / ZDIFF ----------------------------------------------------------------

const OP_UNION = 0;
const OP_INTER = 1;
const OP_DIFF = 2;

/** zsetopsrc: a sorted set or a plain set (every member scoring 1), or nothing. */
interface OpSource {
  z: ZSet | null;
  set: SetValue | null;
  weight: number;
  size: number;
}

function forEachMember(src: OpSource, visit: (m: string, score: number) => boolean | void): void {
  if (src.z !== null) {
    src.z.walk(0, false, visit);
  } else if (src.set !== null) {
    for (const m of src.set.members()) if (visit(memberOf(setMemberBytes(m)), 1) === false) return;
  }
}

/** zuiFind(): the member's score in src, or undefined. */
function findMember(src: OpSource, m: string): number | undefined {
  if (src.z !== null) return src.z.score(m);
  if (src.set !== null) return src.set.hasBytes(memberBytes(m)) ? 1 : undefined;
  return undefined;
}

const AGG_SUM = 0;
const AGG_MIN = 1;
const AGG_MAX = 2;

function aggregate(target: number, val: number, agg: number): number {
  if (agg === AGG_SUM) {
    const sum = target + val;
    // +inf plus -inf is NaN; Redis's convention makes it 0.
    return Number.isNaN(sum) ? 0 : sum;
  }
  if (agg === AGG_MIN) return val < target ? val : target;
  return val > target ? val : target;
}

/**
 * zunionInterDiffGenericCommand(): dst is the STORE destination (or null), argv[numIdx]
 * the number of input keys; cardOnly is ZINTERCARD.
 */
function zsetOp(c: Client, argv: Uint8Array[], dst: Uint8Array | null, numIdx: number, op: number, cardOnly: boolean): void {
  const n = longArg(c, argv[numIdx]);
  if (n === null) return;
  if (n < 1) return c.out.error(`ERR at least 1 input key is needed for '${lower(argv[0])}' command`);
  if (n > argv.length - (numIdx + 1)) return c.out.error(SYNTAX);

  const db = c.db;
  const srcs: OpSource[] = [];
  let j = numIdx + 1;
  for (let i = 0; i < n; i++, j++) {
    const addr = lookupRead(c, argv[j], true);
    const src: OpSource = { z: null, set: null, weight: 1, size: 0 };
    if (addr !== 0) {
      const t = db.type(addr);
      if (t === T_ZSET) src.z = db.obj<ZSet>(addr);
      else if (t === T_SET) src.set = db.obj<SetValue>(addr);
      else return c.out.error(WRONGTYPE);
      src.size = src.z !== null ? src.z.size : src.set!.size;
    }
    srcs.push(src);
  }

  let agg = AGG_SUM;
  let withScores = false;
  let limit = 0;
  while (j < argv.length) {
    const remaining = argv.length - j;
    const opt = argv[j];
    if (op !== OP_DIFF && !cardOnly && remaining >= n + 1 && is(opt, "weights")) {
      j++;
      for (let i = 0; i < n; i++, j++) {
        const w = parseScore(argv[j]);
        if (w === null) return c.out.error("ERR weight value is not a float");
        srcs[i].weight = w;
      }
    } else if (op !== OP_DIFF && !cardOnly && remaining >= 2 && is(opt, "aggregate")) {
      const a = argv[j + 1];
      if (is(a, "sum")) agg = AGG_SUM;
      else if (is(a, "min")) agg = AGG_MIN;
      else if (is(a, "max")) agg = AGG_MAX;
      else return c.out.error(SYNTAX);
      j += 2;
    } else if (dst === null && !cardOnly && is(opt, "withscores")) {
      withScores = true;
      j++;
    } else if (cardOnly && remaining >= 2 && is(opt, "limit")) {
      const l = rangeArg(c, argv[j + 1], 0, "ERR LIMIT can't be negative");
      if (l === null) return;
      limit = l;
      j += 2;
    } else {
      return c.out.error(SYNTAX);
    }
  }

  // Smallest inputs first, as Redis orders them (it changes the order of float sums).
  if (op !== OP_DIFF) srcs.sort((a, b) => a.size - b.size);

  const members: string[] = [];
  const scores: number[] = [];
  let cardinality = 0;
  if (op === OP_INTER) {
    if (srcs[0].size > 0) {
      const first = srcs[0];
      forEachMember(first, (m, s) => {
        let score = first.weight * s;
        if (Number.isNaN(score)) score = 0;
        for (let k = 1; k < srcs.length; k++) {
          const v = findMember(srcs[k], m);
          if (v === undefined) return;
          score = aggregate(score, v * srcs[k].weight, agg);
        }
        if (cardOnly) {
          cardinality++;
          if (limit !== 0 && cardinality >= limit) return false;
        } else {
          members.push(m);
          scores.push(score);
        }
      });
    }
  } else if (op === OP_UNION) {
    const acc = new Map<string, number>();
    for (const src of srcs) {
      if (src.size === 0) continue;
      forEachMember(src, (m, s) => {
        let score = src.weight * s;
        if (Number.isNaN(score)) score = 0;
        const cur = acc.get(m);
        acc.set(m, cur === undefined ? score : aggregate(cur, score, agg));
      });
    }
    for (const [m, s] of acc) {
      members.push(m);
      scores.push(s);
    }
  } else if (srcs[0].size > 0 && !srcs.some((s, k) => k > 0 && sameSource(s, srcs[0]))) {
    forEachMember(srcs[0], (m, s) => {
      for (let k = 1; k < srcs.length; k++) if (findMember(srcs[k], m) !== undefined) return;
      members.push(m);
      scores.push(s);
    });
  }

  if (dst !== null) {
    if (members.length > 0) {
      const z = ZSet.fromPairs(members, scores, zsetLimits(c));
      storeZset(c, dst, z, op === OP_UNION ? "zunionstore" : op === OP_INTER ? "zinterstore" : "zdiffstore");
      c.out.int(z.size);
    } else {
      c.out.int(0);
      deleteStore(c, dst);
    }
    return;
  }
  if (cardOnly) return c.out.int(cardinality);
  const order = pairOrder(members, scores);
  beginResults(c.out, order.length, withScores);
  for (const i of order) emitResult(c.out, members[i], scores[i], withScores);
}

function sameSource(a: OpSource, b: OpSource): boolean {
  return (a.z !== null && a.z === b.z) || (a.set !== null && a.set === b.set);
}

function zunionstore(c: Client, argv: Uint8Array[]): void {
  zsetOp(c, argv, argv[1], 2, OP_UNION, false);
}

function zinterstore(c: Client, argv: Uint8Array[]): void {
  zsetOp(c, argv, argv[1], 2, OP_INTER, false);
}

function zdiffstore(c: Client, argv: Uint8Array[]): void {
  zsetOp(c, argv, argv[1], 2, OP_DIFF, false);
}

function zunion(c: Client, argv: Uint8Array[]): void {
  zsetOp(c, argv, null, 1, OP_UNION, false);
}

function zinter(c: Client, argv: Uint8Array[]): void {
  zsetOp(c, argv, null, 1, OP_INTER, false);
}

function zdiff(c: Client, argv: Uint8Array[]): void {
  zsetOp(c, argv, null, 1, OP_DIFF, false);
}

function zintercard(c: Client, argv: Uint8Array[]): void {
  zsetOp(c, argv, null, 1, OP_INTER, true);
}

// ---- ZRANDMEMBER / ZSCAN ----------------------------------------------------------------------

const HALF_LONG = LONG_MAX / 2n;

function zrandmember(c: Client, argv: Uint8Array[]): void {
  if (argv.length >= 3) {
    const l = parseInt64(argv[2]);
    if (l === null) return c.out.error(NOT_INTEGER);
    if (l === INT64_MIN) return c.out.error("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807");
    if (argv.length > 4 || (argv.length === 4 && !is(argv[3], "withscores"))) return c.out.error(SYNTAX);
    const withScores = argv.length === 4;
    if (withScores && (l < -HALF_LONG || l > HALF_LONG)) return c.out.error("ERR value is out of range");
    return zrandmemberWithCount(c, argv[1], l, withScores);
  }
  const z = readZset(c, argv[1]);
  if (z === undefined) return;
  if (z === null) return c.out.nil();
  replyMember(c.out, z.random()[0]);
}

function zrandmemberWithCount(c: Client, key: Uint8Array, l: number | bigint, withScores: boolean): void {
  const z = readZset(c, key);
  if (z === undefined) return;
  if (z === null) return c.out.array(0);
  const size = z.size;
  const unique = l >= 0;
  const count = Number(unique ? l : -l);
  if (count === 0) return c.out.array(0);
  const out = c.out;
  if (!unique || count === 1) {
    beginResults(out, count, withScores);
    for (let i = 0; i < count; i++) {
      const [m, s] = z.random();
      emitResult(out, m, s, withScores);
    }
    return;
  }
  if (count >= size) {
    // The whole set, from the highest score down as Redis iterates it.
    beginResults(out, size, withScores);
    z.walk(size - 1, true, (m, s) => emitResult(out, m, s, withScores));
    return;
  }
  const ranks = samplePositions(size, count, size, () => true, () => Math.floor(Math.random() * size));
  beginResults(out, ranks.length, withScores);
  for (const r of ranks) {
    const [m, s] = z.at(r);
    emitResult(out, m, s, withScores);
  }
}

/**
 * ZSCAN: a listpack answers whole with cursor 0 (scores as the listpack stores them); a
 * skiplist is walked in score order with the cursor as the next rank.
 */
function zscan(c: Client, argv: Uint8Array[]): void {
  const cursor = parseCursor(argv[2]);
  if (cursor === null) return c.out.error("ERR invalid cursor");
  const z = readZset(c, argv[1]);
  if (z === undefined) return;
  if (z === null) return emptyScan(c);
  const opts = parseScanOptions(c, argv);
  if (opts === null) return;
  const pattern = opts.pattern;
  const found: Uint8Array[] = [];
  const listpack = z.encoding === "listpack";
  const start = listpack ? 0 : cursor;
  let left = listpack ? z.size : opts.count;
  z.walk(start, false, (m, s) => {
    const b = memberBytes(m);
    // The listpack keeps scores as text (d2string); a skiplist prints them with %.17Lg.
    if (pattern === null || globMatch(pattern, b)) found.push(b, bytes(listpack ? d2string(s) : formatG17(s)));
    return --left > 0;
  });
  const next = listpack || start + opts.count >= z.size ? 0 : start + opts.count;
  c.out.array(2);
  c.out.bulkStr(String(next));
  c.out.bulks(found);
}

// ---- key positions ----------------------------------------------------------------------------

/** C's atoi(): leading blanks, a sign, digits; anything else ends the number. */
function atoi(b: Uint8Array): number {
  const m = /^\s*([+-]?\d+)/.exec(memberOf(b));
  return m === null ? 0 : Number(m[1]);
}

/** genericGetKeys(): numkeys at argv[countAt], keys from firstAt, then the store key. */
function numkeysKeys(argv: Uint8Array[], storeAt: number, countAt: number, firstAt: number): number[] {
  if (argv.length <= countAt) return [];
  const num = atoi(argv[countAt]);
  if (num < 1 || num > argv.length - firstAt) return [];
  const out: number[] = [];
  for (let i = 0; i < num; i++) out.push(firstAt + i);
  if (storeAt > 0) out.push(storeAt);
  return out;
}

// ---- registration -----------------------------------------------------------------------------

registerEncoding(T_ZSET, (v) => (v as ZSet).encoding);
registerCloner(T_ZSET, (v) => (v as ZSet).clone());

const RANDOM = ["nondeterministic_output"];
const RANGE_COMPLEXITY = "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.";
const BYRANGE_COMPLEXITY =
  "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).";
const REMRANGE_COMPLEXITY = "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.";
const POP_COMPLEXITY = "O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.";
const MPOP_COMPLEXITY = "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.";
const UNION_COMPLEXITY = "O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.";
const INTER_COMPLEXITY =
  "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.";
const DIFF_COMPLEXITY = "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.";
const G = "sorted_set";
const storeKeys = (argv: Uint8Array[]) => numkeysKeys(argv, 1, 2, 3);
const readKeys = (argv: Uint8Array[]) => numkeysKeys(argv, 0, 1, 2);

register(
  { name: "zadd", arity: -4, flags: ["write", "denyoom", "fast"], keys: [1, 1, 1], group: G, since: "1.2.0", summary: "Add one or more members to a sorted set, or update its score if it already exists", complexity: "O(log(N)) for each item added, where N is the number of elements in the sorted set.", handler: zadd },
  { name: "zincrby", arity: 4, flags: ["write", "denyoom", "fast"], keys: [1, 1, 1], group: G, since: "1.2.0", summary: "Increment the score of a member in a sorted set", complexity: "O(log(N)) where N is the number of elements in the sorted set.", handler: zincrby },
  { name: "zrem", arity: -3, flags: ["write", "fast"], keys: [1, 1, 1], group: G, since: "1.2.0", summary: "Remove one or more members from a sorted set", complexity: "O(M*log(N)) with N being the number of elements in the sorted set and M the number of elements to be removed.", handler: zrem },
  { name: "zcard", arity: 2, flags: ["readonly", "fast"], keys: [1, 1, 1], group: G, since: "1.2.0", summary: "Get the number of members in a sorted set", complexity: "O(1)", handler: zcard },
  { name: "zcount", arity: 4, flags: ["readonly", "fast"], keys: [1, 1, 1], group: G, since: "2.0.0", summary: "Count the members in a sorted set with scores within the given values", complexity: "O(log(N)) with N being the number of elements in the sorted set.", handler: zcount },
  { name: "zlexcount", arity: 4, flags: ["readonly", "fast"], keys: [1, 1, 1], group: G, since: "2.8.9", summary: "Count the number of members in a sorted set between a given lexicographical range", complexity: "O(log(N)) with N being the number of elements in the sorted set.", handler: zlexcount },
  { name: "zscore", arity: 3, flags: ["readonly", "fast"], keys: [1, 1, 1], group: G, since: "1.2.0", summary: "Get the score associated with the given member in a sorted set", complexity: "O(1)", handler: zscore },
  { name: "zmscore", arity: -3, flags: ["readonly", "fast"], keys: [1, 1, 1], group: G, since: "6.2.0", summary: "Get the score associated with the given members in a sorted set", complexity: "O(N) where N is the number of members being requested.", handler: zmscore },
  { name: "zrank", arity: 3, flags: ["readonly", "fast"], keys: [1, 1, 1], group: G, since: "2.0.0", summary: "Determine the index of a member in a sorted set", complexity: "O(log(N))", handler: (c, argv) => zrankGeneric(c, argv, false) },
  { name: "zrevrank", arity: 3, flags: ["readonly", "fast"], keys: [1, 1, 1], group: G, since: "2.0.0", summary: "Determine the index of a member in a sorted set, with scores ordered from high to low", complexity: "O(log(N))", handler: (c, argv) => zrankGeneric(c, argv, true) },
  { name: "zrange", arity: -4, flags: ["readonly"], keys: [1, 1, 1], group: G, since: "1.2.0", summary: "Return a range of members in a sorted set", complexity: RANGE_COMPLEXITY, handler: zrange },
  { name: "zrangestore", arity: -5, flags: ["write", "denyoom"], keys: [1, 2, 1], group: G, since: "6.2.0", summary: "Store a range of members from sorted set into another key", complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements stored into the destination key.", handler: zrangestore },
  { name: "zrangebyscore", arity: -4, flags: ["readonly"], keys: [1, 1, 1], group: G, since: "1.0.5", summary: "Return a range of members in a sorted set, by score", complexity: BYRANGE_COMPLEXITY, handler: zrangebyscore },
  { name: "zrevrangebyscore", arity: -4, flags: ["readonly"], keys: [1, 1, 1], group: G, since: "2.2.0", summary: "Return a range of members in a sorted set, by score, with scores ordered from high to low", complexity: BYRANGE_COMPLEXITY, handler: zrevrangebyscore },
  { name: "zrangebylex", arity: -4, flags: ["readonly"], keys: [1, 1, 1], group: G, since: "2.8.9", summary: "Return a range of members in a sorted set, by lexicographical range", complexity: BYRANGE_COMPLEXITY, handler: zrangebylex },
  { name: "zrevrangebylex", arity: -4, flags: ["readonly"], keys: [1, 1, 1], group: G, since: "2.8.9", summary: "Return a range of members in a sorted set, by lexicographical range, ordered from higher to lower strings.", complexity: BYRANGE_COMPLEXITY, handler: zrevrangebylex },
  { name: "zrevrange", arity: -4, flags: ["readonly"], keys: [1, 1, 1], group: G, since: "1.2.0", summary: "Return a range of members in a sorted set, by index, with scores ordered from high to low", complexity: RANGE_COMPLEXITY, handler: zrevrange },
  { name: "zremrangebyrank", arity: 4, flags: ["write"], keys: [1, 1, 1], group: G, since: "2.0.0", summary: "Remove all members in a sorted set within the given indexes", complexity: REMRANGE_COMPLEXITY, handler: (c, argv) => zremrangeGeneric(c, argv, BY_RANK) },
  { name: "zremrangebyscore", arity: 4, flags: ["write"], keys: [1, 1, 1], group: G, since: "1.2.0", summary: "Remove all members in a sorted set within the given scores", complexity: REMRANGE_COMPLEXITY, handler: (c, argv) => zremrangeGeneric(c, argv, BY_SCORE) },
  { name: "zremrangebylex", arity: 4, flags: ["write"], keys: [1, 1, 1], group: G, since: "2.8.9", summary: "Remove all members in a sorted set between the given lexicographical range", complexity: REMRANGE_COMPLEXITY, handler: (c, argv) => zremrangeGeneric(c, argv, BY_LEX) },
  { name: "zpopmin", arity: -2, flags: ["write", "fast"], keys: [1, 1, 1], group: G, since: "5.0.0", summary: "Remove and return members with the lowest scores in a sorted set", complexity: POP_COMPLEXITY, handler: zpopmin },
  { name: "zpopmax", arity: -2, flags: ["write", "fast"], keys: [1, 1, 1], group: G, since: "5.0.0", summary: "Remove and return members with the highest scores in a sorted set", complexity: POP_COMPLEXITY, handler: zpopmax },
  { name: "bzpopmin", arity: -3, flags: ["write", "noscript", "blocking", "fast"], keys: [1, -2, 1], group: G, since: "5.0.0", summary: "Remove and return the member with the lowest score from one or more sorted sets, or block until one is available", complexity: "O(log(N)) with N being the number of elements in the sorted set.", handler: bzpopmin },
  { name: "bzpopmax", arity: -3, flags: ["write", "noscript", "blocking", "fast"], keys: [1, -2, 1], group: G, since: "5.0.0", summary: "Remove and return the member with the highest score from one or more sorted sets, or block until one is available", complexity: "O(log(N)) with N being the number of elements in the sorted set.", handler: bzpopmax },
  { name: "zmpop", arity: -4, flags: ["write"], getKeys: (argv) => numkeysKeys(argv, 0, 1, 2), group: G, since: "7.0.0", summary: "Remove and return members with scores in a sorted set", complexity: MPOP_COMPLEXITY, handler: zmpop },
  { name: "bzmpop", arity: -5, flags: ["write", "blocking"], getKeys: (argv) => numkeysKeys(argv, 0, 2, 3), group: G, since: "7.0.0", summary: "Remove and return members with scores in a sorted set or block until one is available", complexity: MPOP_COMPLEXITY, handler: bzmpop },
  { name: "zunion", arity: -3, flags: ["readonly"], getKeys: readKeys, group: G, since: "6.2.0", summary: "Add multiple sorted sets", complexity: UNION_COMPLEXITY, handler: zunion },
  { name: "zinter", arity: -3, flags: ["readonly"], getKeys: readKeys, group: G, since: "6.2.0", summary: "Intersect multiple sorted sets", complexity: INTER_COMPLEXITY, handler: zinter },
  { name: "zdiff", arity: -3, flags: ["readonly"], getKeys: readKeys, group: G, since: "6.2.0", summary: "Subtract multiple sorted sets", complexity: DIFF_COMPLEXITY, handler: zdiff },
  { name: "zunionstore", arity: -4, flags: ["write", "denyoom"], keys: [1, 1, 1], getKeys: storeKeys, group: G, since: "2.0.0", summary: "Add multiple sorted sets and store the resulting sorted set in a new key", complexity: "O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.", handler: zunionstore },
  { name: "zinterstore", arity: -4, flags: ["write", "denyoom"], keys: [1, 1, 1], getKeys: storeKeys, group: G, since: "2.0.0", summary: "Intersect multiple sorted sets and store the resulting sorted set in a new key", complexity: INTER_COMPLEXITY, handler: zinterstore },
  { name: "zdiffstore", arity: -4, flags: ["write", "denyoom"], keys: [1, 1, 1], getKeys: storeKeys, group: G, since: "6.2.0", summary: "Subtract multiple sorted sets and store the resulting sorted set in a new key", complexity: DIFF_COMPLEXITY, handler: zdiffstore },
  { name: "zintercard", arity: -3, flags: ["readonly"], getKeys: readKeys, group: G, since: "7.0.0", summary: "Intersect multiple sorted sets and return the cardinality of the result", complexity: "O(N*K) worst case with N being the smallest input sorted set, K being the number of input sorted sets.", handler: zintercard },
  { name: "zrandmember", arity: -2, flags: ["readonly"], keys: [1, 1, 1], group: G, since: "6.2.0", summary: "Get one or multiple random elements from a sorted set", complexity: "O(N) where N is the number of elements returned", tips: RANDOM, handler: zrandmember },
  { name: "zscan", arity: -3, flags: ["readonly"], keys: [1, 1, 1], group: G, since: "2.8.0", summary: "Incrementally iterate sorted sets elements and associated scores", complexity: "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..", tips: RANDOM, handler: zscan },
);
