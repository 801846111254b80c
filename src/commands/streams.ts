// Stream commands (Redis t_stream.c): XADD, XLEN, XRANGE, XREVRANGE, XDEL, XTRIM, XREAD,
// XREADGROUP, XGROUP, XACK, XPENDING, XCLAIM, XAUTOCLAIM, XINFO and XSETID.
//
// Replication follows Redis 7.0: XADD propagates the ID it generated and "~" trims as the
// exact result; reads through a consumer group propagate XCLAIM / XGROUP SETID /
// XGROUP CREATECONSUMER effects instead of the command.

import { register, lookupCommand, type Command } from "./table.ts";
import { replyHelp, subcommandSyntaxError } from "./command.ts";
import type { Client } from "../server/client.ts";
import type { Shard } from "../server/shard.ts";
import type { ReplyWriter } from "../resp/writer.ts";
import { T_STREAM, type Db } from "../keyspace/db.ts";
import { registerCloner } from "../keyspace/clone.ts";
import { lookupRead, registerEncoding } from "./keys.ts";
import { keyAdded } from "./strings.ts";
import { observeCalls } from "../server/dispatch.ts";
import { bytes, is, latin1, parseInt64, str } from "../util/bytes.ts";
import { NOT_INTEGER, NO_SUCH_KEY, SYNTAX, WRONGTYPE, wrongArgs } from "../server/errors.ts";
import {
  Consumer, ConsumerGroup, INVALID_ENTRIES_READ, Nack, Stream, StreamId, TRIM_MAXLEN, TRIM_MINID,
  u64Words, type StreamNode, type TrimSpec,
} from "../types/stream.ts";

const INVALID_ID = "ERR Invalid stream ID specified as stream command argument";
const BAD_START = "ERR invalid start ID for the interval";
const BAD_END = "ERR invalid end ID for the interval";
/** XREAD BLOCK without COUNT serves at most this many entries (XREAD_BLOCKED_DEFAULT_COUNT). */
const BLOCKED_DEFAULT_COUNT = 1000;
/** XAUTOCLAIM: claim attempts per requested entry. */
const ATTEMPTS_FACTOR = 10;
/** XAUTOCLAIM's COUNT bound, LONG_MAX / max(sizeof(streamID), ATTEMPTS_FACTOR). */
const AUTOCLAIM_MAX_COUNT = 576460752303423487;
/**
 * XAUTOCLAIM preallocates COUNT IDs (16 bytes each); jemalloc on x86-64 Linux refuses
 * requests beyond the 47-bit address space, which Redis reports as an error.
 */
const AUTOCLAIM_ALLOC_LIMIT = 2 ** 47;

const MAX_ID = StreamId.max();
const ZERO_ID = new StreamId();

const XCLAIM = bytes("XCLAIM");
const XGROUP = bytes("XGROUP");
const SETID = bytes("SETID");
const CREATECONSUMER = bytes("CREATECONSUMER");
const ENTRIESREAD = bytes("ENTRIESREAD");
const TIME = bytes("TIME");
const RETRYCOUNT = bytes("RETRYCOUNT");
const FORCE = bytes("FORCE");
const JUSTID = bytes("JUSTID");
const LASTID = bytes("LASTID");
const ZERO = bytes("0");
const EQUALS = bytes("=");
const MULTI = bytes("MULTI");
const EXEC = bytes("EXEC");

// ---- ID parsing (streamGenericParseIDOrReply) -----------------------------------------------

const u64 = [0, 0];
const U32_MAX = 0xffffffff;
const TWO64 = 1n << 64n;

/** strtoull(s, &end, 10) accepting only a full match, as string2ull's fallback does. */
function strtoull(b: Uint8Array): bigint | null {
  let i = 0;
  const n = b.length;
  while (i < n && (b[i] === 32 || (b[i] >= 9 && b[i] <= 13))) i++;
  let neg = false;
  if (i < n && (b[i] === 43 || b[i] === 45)) neg = b[i++] === 45;
  if (i === n || b[i] < 48 || b[i] > 57) return null;
  let v = 0n;
  for (; i < n; i++) {
    const d = b[i] - 48;
    if (d < 0 || d > 9) return null;
    v = v * 10n + BigInt(d);
    if (v >= TWO64) return null;
  }
  return neg && v !== 0n ? TWO64 - v : v;
}

/** string2ull on b[from, to): the value's words into u64, or false. */
function parseU64(b: Uint8Array, from: number, to: number): boolean {
  const n = to - from;
  const c0 = b[from];
  if (n > 0 && n <= 15 && ((c0 >= 49 && c0 <= 57) || (c0 === 48 && n === 1))) {
    let v = 0;
    let i = from;
    for (; i < to; i++) {
      const d = b[i] - 48;
      if (d < 0 || d > 9) break;
      v = v * 10 + d;
    }
    if (i === to) {
      u64Words(v, u64);
      return true;
    }
  }
  const sub = b.subarray(from, to);
  const v = parseInt64(sub);
  if (v !== null) {
    if (v < 0) return false;
    u64Words(v, u64);
    return true;
  }
  const u = strtoull(sub);
  if (u === null) return false;
  u64Words(u, u64);
  return true;
}

/** Whether the last parseId() saw a sequence part (false for the XADD "<ms>-*" form). */
let seqGiven = true;

/**
 * Parse "<ms>-<seq>", "<ms>" (seq = 0, or the maximum when maxSeq), and unless strict "-"
 * and "+". seqStar accepts "<ms>-*". Replies with the error when c is given.
 */
function parseId(c: Client | null, arg: Uint8Array, out: StreamId, maxSeq: boolean, strict: boolean, seqStar = false): boolean {
  seqGiven = true;
  // The C code copies the argument into a 128-byte buffer and reads it as a C string.
  let n = arg.indexOf(0);
  if (n < 0) n = arg.length;
  if (arg.length <= 127) {
    if (n === 1 && (arg[0] === 45 || arg[0] === 43)) {
      if (!strict) {
        if (arg[0] === 45) out.setZero();
        else out.setMax();
        return true;
      }
    } else {
      let dash = -1;
      for (let i = 0; i < n; i++) {
        if (arg[i] === 45) {
          dash = i;
          break;
        }
      }
      if (parseU64(arg, 0, dash < 0 ? n : dash)) {
        const msHi = u64[0];
        const msLo = u64[1];
        if (dash < 0) {
          const s = maxSeq ? U32_MAX : 0;
          out.setWords(msHi, msLo, s, s);
          return true;
        }
        if (seqStar && n - dash === 2 && arg[dash + 1] === 42) {
          out.setWords(msHi, msLo, 0, 0);
          seqGiven = false;
          return true;
        }
        if (parseU64(arg, dash + 1, n)) {
          out.setWords(msHi, msLo, u64[0], u64[1]);
          return true;
        }
      }
    }
  }
  if (c !== null) c.out.error(INVALID_ID);
  return false;
}

const BAD = 0;
const INCLUSIVE = 1;
const EXCLUSIVE = 2;

/** streamParseIntervalIDOrReply: a range bound, exclusive with a "(" prefix. */
function parseInterval(c: Client, arg: Uint8Array, out: StreamId, maxSeq: boolean): number {
  if (arg.length > 1 && arg[0] === 40) return parseId(c, arg.subarray(1), out, maxSeq, true) ? EXCLUSIVE : BAD;
  return parseId(c, arg, out, maxSeq, false) ? INCLUSIVE : BAD;
}

/** Parse a range's bounds (start with seq 0, end with the maximum seq) into start/end. */
function parseRange(c: Client, startArg: Uint8Array, endArg: Uint8Array, start: StreamId, end: StreamId): boolean {
  const sx = parseInterval(c, startArg, start, false);
  if (sx === BAD) return false;
  if (sx === EXCLUSIVE && !start.incr()) {
    c.out.error(BAD_START);
    return false;
  }
  const ex = parseInterval(c, endArg, end, true);
  if (ex === BAD) return false;
  if (ex === EXCLUSIVE && !end.decr()) {
    c.out.error(BAD_END);
    return false;
  }
  return true;
}

/** getLongLongFromObjectOrReply: the integer (large ones approximate), or null after replying. */
function intArg(c: Client, arg: Uint8Array, message = NOT_INTEGER): number | null {
  const v = parseInt64(arg);
  if (v === null) {
    c.out.error(message);
    return null;
  }
  return Number(v);
}

// ---- replies --------------------------------------------------------------------------------

/**
 * addReplyDeferredLen / setDeferredArrayLen: the header of an aggregate whose length is
 * known only after its elements are written is inserted in front of them afterwards.
 */
function insertAt(out: ReplyWriter, mark: number, text: string): void {
  const k = text.length;
  out.ensure(k);
  const buf = out.buf;
  buf.copyWithin(mark + k, mark, out.len);
  for (let i = 0; i < k; i++) buf[mark + i] = text.charCodeAt(i);
  out.len += k;
}

function setArrayLen(out: ReplyWriter, mark: number, n: number): void {
  insertAt(out, mark, "*" + n + "\r\n");
}

/** The top level of XREAD replies: an array of [key, entries] (RESP2) or a map (RESP3). */
function setStreamsLen(out: ReplyWriter, mark: number, n: number): void {
  insertAt(out, mark, (out.proto === 3 ? "%" : "*") + n + "\r\n");
}

function writeStreamsHeader(out: ReplyWriter, key: Uint8Array): void {
  if (out.proto === 2) out.array(2);
  out.bulk(key);
}

/** One entry: [id, [field, value, ...]]. */
function writeEntry(out: ReplyWriter, node: StreamNode, i: number): boolean {
  out.array(2);
  out.bulkStr(node.idString(i));
  const n = node.fieldCount(i);
  out.array(n * 2);
  const data = node.data;
  const ends = node.ends;
  let e = node.first[i];
  if (node.usesMasterFields(i)) {
    const fields = node.masterFields;
    for (let k = 0; k < n; k++, e++) {
      out.bulk(fields[k]);
      const s = node.elemStart(e);
      out.bulkSlice(data, s, ends[e] - s);
    }
  } else {
    for (let k = n * 2; k > 0; k--, e++) {
      const s = node.elemStart(e);
      out.bulkSlice(data, s, ends[e] - s);
    }
  }
  return true;
}

/** streamReplyWithRange without a group: the entries array; returns how many. */
function replyRange(out: ReplyWriter, s: Stream, start: StreamId, end: StreamId, count: number, rev: boolean): number {
  const mark = out.len;
  let n = 0;
  s.range(start, end, rev, (node, i) => {
    writeEntry(out, node, i);
    return ++n !== count;
  });
  setArrayLen(out, mark, n);
  return n;
}

/** An entry without the array around it (XINFO first-entry, XCLAIM); nil when absent. */
function replyEdgeEntry(out: ReplyWriter, s: Stream, rev: boolean): void {
  let found = false;
  s.range(ZERO_ID, MAX_ID, rev, (node, i) => {
    found = writeEntry(out, node, i);
    return false;
  });
  if (!found) out.nil();
}

// ---- propagation ------------------------------------------------------------------------------

/** Receives replication effects; null when nothing replicates (no AOF, no replicas). */
type Emit = ((argv: Uint8Array[]) => void) | null;

function commandEmit(c: Client): Emit {
  return c.shard.propagators.length > 0 ? (argv) => c.rewrite(argv) : null;
}

/** The command itself is not propagated (preventCommandPropagation); its effects are. */
function preventPropagation(c: Client): void {
  c.propagateAs ??= [];
}

/** propagatePendingCommands for effects outside a command: several are wrapped in MULTI/EXEC. */
function propagateEffects(shard: Shard, dbIndex: number, effects: Uint8Array[][]): void {
  if (effects.length === 0) return;
  const wrap = effects.length > 1;
  if (wrap) shard.propagate(dbIndex, [MULTI]);
  for (const argv of effects) shard.propagate(dbIndex, argv);
  if (wrap) shard.propagate(dbIndex, [EXEC]);
}

/** streamPropagateXCLAIM: an idempotent XCLAIM recreating nack on replicas / AOF. */
function xclaimEffect(key: Uint8Array, group: ConsumerGroup, nack: Nack, id: Uint8Array): Uint8Array[] {
  return [
    XCLAIM, key, group.name, nack.consumer!.name, ZERO, id, TIME, bytes(String(nack.deliveryTime)),
    RETRYCOUNT, bytes(String(nack.deliveryCount)), FORCE, JUSTID, LASTID, bytes(group.lastId.toString()),
  ];
}

/** streamPropagateGroupID: XGROUP SETID key group <last id> ENTRIESREAD <n>. */
function setidEffect(key: Uint8Array, group: ConsumerGroup): Uint8Array[] {
  return [XGROUP, SETID, key, group.name, bytes(group.lastId.toString()), ENTRIESREAD, bytes(String(group.entriesRead))];
}

// ---- lookups --------------------------------------------------------------------------------

/** The stream at addr, or null after a WRONGTYPE reply. */
function asStream(c: Client, addr: number): Stream | null {
  if (c.db.type(addr) !== T_STREAM) {
    c.out.error(WRONGTYPE);
    return null;
  }
  return c.db.obj<Stream>(addr);
}

/** Group metadata changes notify and count as a change but, as in Redis, leave WATCH alone. */
function groupEvent(c: Client, key: Uint8Array, event: string): void {
  c.shard.notify("t", event, key, c.dbIndex);
  c.shard.dirty++;
}

/** streamLookupConsumer: the consumer (its seen-time refreshed unless noRefresh). */
function findConsumer(group: ConsumerGroup, name: Uint8Array, noRefresh = false): Consumer | undefined {
  const consumer = group.consumers.get(latin1(name));
  if (consumer !== undefined && !noRefresh) consumer.seenTime = Date.now();
  return consumer;
}

/** streamCreateConsumer: a new consumer, or null when the name exists (dirty++ and notify). */
function createConsumer(c: Client, group: ConsumerGroup, name: Uint8Array, key: Uint8Array): Consumer | null {
  const k = latin1(name);
  if (group.consumers.has(k)) return null;
  const consumer = new Consumer(name.slice(), Date.now());
  group.consumers.set(k, consumer);
  groupEvent(c, key, "xgroup-createconsumer");
  return consumer;
}

function consumerFor(c: Client, group: ConsumerGroup, name: Uint8Array, key: Uint8Array): Consumer {
  return findConsumer(group, name) ?? createConsumer(c, group, name, key)!;
}

// ---- XADD / XTRIM -------------------------------------------------------------------------

interface AddTrimArgs extends TrimSpec {
  /** Index of the MAXLEN/MINID value (rewritten for propagation after a "~" trim). */
  argIdx: number;
  /** Index of the ID argument (XADD). */
  idPos: number;
  idGiven: boolean;
  seqGiven: boolean;
  noMkstream: boolean;
  id: StreamId;
}

function isChar(b: Uint8Array, ch: number): boolean {
  return b.length === 1 && b[0] === ch;
}

/** streamParseAddOrTrimArgsOrReply. */
function parseAddTrim(c: Client, argv: Uint8Array[], xadd: boolean): AddTrimArgs | null {
  const a: AddTrimArgs = {
    strategy: 0, approx: false, limit: 0, maxlen: 0, minid: new StreamId(),
    argIdx: 0, idPos: 0, idGiven: false, seqGiven: true, noMkstream: false, id: new StreamId(),
  };
  let limitGiven = false;
  let i = 2;
  for (; i < argv.length; i++) {
    const more = argv.length - 1 - i;
    const opt = argv[i];
    if (xadd && isChar(opt, 42)) break;
    if ((is(opt, "maxlen") || is(opt, "minid")) && more > 0) {
      if (a.strategy !== 0) {
        c.out.error("ERR syntax error, MAXLEN and MINID options at the same time are not compatible");
        return null;
      }
      const byLen = opt.length === 6;
      a.approx = false;
      if (more >= 2 && isChar(argv[i + 1], 126)) {
        a.approx = true;
        i++;
      } else if (more >= 2 && isChar(argv[i + 1], 61)) {
        i++;
      }
      if (byLen) {
        const v = intArg(c, argv[i + 1]);
        if (v === null) return null;
        if (v < 0) {
          c.out.error("ERR The MAXLEN argument must be >= 0.");
          return null;
        }
        a.maxlen = v;
      } else if (!parseId(c, argv[i + 1], a.minid, false, true)) {
        return null;
      }
      i++;
      a.strategy = byLen ? TRIM_MAXLEN : TRIM_MINID;
      a.argIdx = i;
    } else if (is(opt, "limit") && more > 0) {
      const v = intArg(c, argv[i + 1]);
      if (v === null) return null;
      if (v < 0) {
        c.out.error("ERR The LIMIT argument must be >= 0.");
        return null;
      }
      a.limit = v;
      limitGiven = true;
      i++;
    } else if (xadd && is(opt, "nomkstream")) {
      a.noMkstream = true;
    } else if (xadd) {
      if (!parseId(c, opt, a.id, false, true, true)) return null;
      a.idGiven = true;
      a.seqGiven = seqGiven;
      break;
    } else {
      c.out.error(SYNTAX);
      return null;
    }
  }
  a.idPos = i;
  if (a.limit !== 0 && a.strategy === 0) {
    c.out.error("ERR syntax error, LIMIT cannot be used without specifying a trimming strategy");
    return null;
  }
  if (!xadd && a.strategy === 0) {
    c.out.error("ERR syntax error, XTRIM must be called with a trimming strategy");
    return null;
  }
  if (c.isMaster) {
    // Our master already trimmed and sent the exact effect: no node limit of ours applies.
    a.limit = 0;
  } else if (limitGiven) {
    if (!a.approx) {
      c.out.error("ERR syntax error, LIMIT cannot be used without the special ~ option");
      return null;
    }
  } else if (a.approx) {
    // Without LIMIT, "~" trims at most 100 nodes' worth per call to bound latency.
    a.limit = 100 * c.shard.config.getNum("stream-node-max-entries");
    if (a.limit <= 0) a.limit = 10000;
    if (a.limit > 1000000) a.limit = 1000000;
  } else {
    a.limit = 0;
  }
  return a;
}

/**
 * streamRewriteApproxSpecifier + streamRewriteTrimArgument: a "~" trim is propagated as
 * "= <resulting length>" (MAXLEN) or "= <first entry ID>" (MINID).
 */
function rewriteTrim(v: Uint8Array[], s: Stream, a: AddTrimArgs): void {
  v[a.argIdx - 1] = EQUALS;
  v[a.argIdx] = bytes(a.strategy === TRIM_MAXLEN ? String(s.length) : s.edgeId(true, false, new StreamId()).toString());
}

const newId = new StreamId();

/**
 * The ID streamAppendItem would give the next entry, into newId: the given one, the
 * given ms with the next sequence, or the clock. Returns an error message when invalid.
 */
function nextId(s: Stream, a: AddTrimArgs): string | null {
  const last = s.lastId;
  if (!a.idGiven) {
    const now = Date.now();
    newId.setMs(now);
    if (newId.compare(last) <= 0) {
      newId.set(last);
      newId.incr();
    }
  } else if (a.seqGiven) {
    newId.set(a.id);
  } else if (last.sameMs(a.id)) {
    // Redis leaves errno unset on this path, so it reports the "too large" message.
    if (last.seqHi === U32_MAX && last.seqLo === U32_MAX) return "ERR Elements are too large to be stored";
    newId.set(last);
    newId.incr();
  } else {
    newId.set(a.id);
  }
  if (newId.compare(last) <= 0) return "ERR The ID specified in XADD is equal or smaller than the target stream top item";
  return null;
}

/** STREAM_LISTPACK_MAX_SIZE: the most field and value bytes one entry may carry. */
const ENTRY_MAX_BYTES = 1 << 30;

function xadd(c: Client, argv: Uint8Array[]): void {
  const a = parseAddTrim(c, argv, true);
  if (a === null) return;
  const fieldPos = a.idPos + 1;
  const nargs = argv.length - fieldPos;
  if (nargs < 2 || nargs % 2 === 1) return c.out.error(wrongArgs("xadd"));
  if (a.idGiven && a.seqGiven && a.id.isZero()) return c.out.error("ERR The ID specified in XADD must be greater than 0-0");

  const key = argv[1];
  const db = c.db;
  const addr = db.lookup(key);
  let s: Stream;
  if (addr !== 0) {
    const found = asStream(c, addr);
    if (found === null) return;
    s = found;
  } else {
    if (a.noMkstream) return c.out.nil();
    s = new Stream();
    db.setObj(key, T_STREAM, s);
    keyAdded(c, key);
  }
  if (s.lastId.isMax()) return c.out.error("ERR The stream has exhausted the last possible ID, unable to add more items");
  const err = nextId(s, a);
  if (err !== null) return c.out.error(err);
  let total = 0;
  for (let j = fieldPos; j < argv.length; j++) total += argv[j].length;
  if (total > ENTRY_MAX_BYTES) return c.out.error("ERR Elements are too large to be stored");

  const config = c.shard.config;
  s.append(newId, argv, fieldPos, nargs / 2, config.getNum("stream-node-max-entries"), config.getNum("stream-node-max-bytes"));
  const idStr = newId.toString();
  c.out.bulkStr(idStr);
  c.written(key, "xadd", "t");

  if (a.strategy !== 0 && s.trim(a) !== 0) c.shard.notify("t", "xtrim", key, c.dbIndex);
  const rewriteId = !a.idGiven || !a.seqGiven;
  if ((rewriteId || a.approx) && c.shard.propagators.length > 0) {
    const v: Uint8Array[] = argv.map((b) => b.slice());
    if (a.approx) rewriteTrim(v, s, a);
    if (rewriteId) v[a.idPos] = bytes(idStr);
    c.rewrite(v);
  }
  c.shard.blocking.signal(c.dbIndex, key);
}

function xtrim(c: Client, argv: Uint8Array[]): void {
  const a = parseAddTrim(c, argv, false);
  if (a === null) return;
  const key = argv[1];
  const addr = c.db.lookup(key);
  if (addr === 0) return c.out.int(0);
  const s = asStream(c, addr);
  if (s === null) return;
  const deleted = s.trim(a);
  if (deleted !== 0) {
    c.written(key, "xtrim", "t");
    c.shard.dirty += deleted - 1;
    if (a.approx && c.shard.propagators.length > 0) {
      const v: Uint8Array[] = argv.map((b) => b.slice());
      rewriteTrim(v, s, a);
      c.rewrite(v);
    }
  }
  c.out.int(deleted);
}

// ---- XLEN / XRANGE / XREVRANGE / XDEL -------------------------------------------------------

function xlen(c: Client, argv: Uint8Array[]): void {
  const addr = lookupRead(c, argv[1], true);
  if (addr === 0) return c.out.int(0);
  const s = asStream(c, addr);
  if (s !== null) c.out.int(s.length);
}

function xrangeGeneric(c: Client, argv: Uint8Array[], rev: boolean): void {
  const start = new StreamId();
  const end = new StreamId();
  if (!parseRange(c, rev ? argv[3] : argv[2], rev ? argv[2] : argv[3], start, end)) return;
  let count = -1;
  for (let j = 4; j < argv.length; j++) {
    if (is(argv[j], "count") && j + 1 < argv.length) {
      const v = intArg(c, argv[++j]);
      if (v === null) return;
      count = v < 0 ? 0 : v;
    } else {
      return c.out.error(SYNTAX);
    }
  }
  const addr = lookupRead(c, argv[1], true);
  if (addr === 0) return c.out.array(0);
  const s = asStream(c, addr);
  if (s === null) return;
  if (count === 0) return c.out.nilArray();
  replyRange(c.out, s, start, end, count === -1 ? 0 : count, rev);
}

function xrange(c: Client, argv: Uint8Array[]): void {
  xrangeGeneric(c, argv, false);
}

function xrevrange(c: Client, argv: Uint8Array[]): void {
  xrangeGeneric(c, argv, true);
}

function xdel(c: Client, argv: Uint8Array[]): void {
  const key = argv[1];
  const addr = c.db.lookup(key);
  if (addr === 0) return c.out.int(0);
  const s = asStream(c, addr);
  if (s === null) return;
  // Parse every ID first so that an invalid one leaves the stream untouched.
  const ids: StreamId[] = [];
  for (let j = 2; j < argv.length; j++) {
    const id = new StreamId();
    if (!parseId(c, argv[j], id, false, true)) return;
    ids.push(id);
  }
  let deleted = 0;
  let firstDeleted = false;
  for (const id of ids) {
    if (!s.delete(id)) continue;
    if (id.compare(s.firstId) === 0) firstDeleted = true;
    if (id.compare(s.maxDeletedId) > 0) s.maxDeletedId.set(id);
    deleted++;
  }
  if (deleted !== 0) {
    if (firstDeleted || s.length === 0) s.refreshFirstId();
    c.written(key, "xdel", "t");
    c.shard.dirty += deleted - 1;
  }
  c.out.int(deleted);
}

// ---- XREAD / XREADGROUP ---------------------------------------------------------------------

/** What a read through a consumer group needs besides the range. */
interface GroupRead {
  key: Uint8Array;
  group: ConsumerGroup;
  consumer: Consumer;
  noack: boolean;
  emit: Emit;
}

const cursorId = new StreamId();

/**
 * streamReplyWithRange with a group: deliver entries after start, advancing the group's
 * last ID and read counter and recording them as pending (unless NOACK).
 */
function replyGroupRange(out: ReplyWriter, s: Stream, start: StreamId, count: number, r: GroupRead): number {
  const { group, consumer, emit } = r;
  const mark = out.len;
  const now = Date.now();
  let n = 0;
  let propagateLastId = false;
  s.range(start, MAX_ID, false, (node, i) => {
    const id = node.idAt(i, cursorId);
    if (id.compare(group.lastId) > 0) {
      if (group.entriesRead !== INVALID_ENTRIES_READ && !s.rangeHasTombstones(id, null)) group.entriesRead++;
      else if (s.entriesAdded !== 0) group.entriesRead = s.estimateDistance(id);
      group.lastId.set(id);
      if (r.noack) propagateLastId = true;
    }
    writeEntry(out, node, i);
    if (!r.noack) {
      let nack = group.pel.get(id);
      if (nack === undefined) {
        nack = new Nack(id.clone(), now, 1, consumer);
        group.pel.add(nack);
        consumer.pel.add(nack);
      } else {
        // XGROUP SETID can make an entry pending in another consumer be delivered again.
        nack.consumer!.pel.remove(id);
        nack.consumer = consumer;
        nack.deliveryTime = now;
        nack.deliveryCount = 1;
        consumer.pel.add(nack);
      }
      emit?.(xclaimEffect(r.key, group, nack, bytes(id.toString())));
    }
    return ++n !== count;
  });
  if (propagateLastId) emit?.(setidEffect(r.key, group));
  setArrayLen(out, mark, n);
  return n;
}

/**
 * streamReplyWithRangeFromConsumerPEL: a consumer's pending entries from start; entries
 * deleted from the stream meanwhile come back as [id, nil].
 */
function replyHistory(out: ReplyWriter, s: Stream, start: StreamId, count: number, consumer: Consumer): void {
  const mark = out.len;
  const now = Date.now();
  let n = 0;
  consumer.pel.forEachFrom(start, (nack) => {
    if (count !== 0 && n >= count) return false;
    if (s.visitEntry(nack.id, (node, i) => writeEntry(out, node, i))) {
      nack.deliveryTime = now;
      nack.deliveryCount++;
    } else {
      out.array(2);
      out.bulkStr(nack.id.toString());
      out.nilArray();
    }
    n++;
    return true;
  });
  setArrayLen(out, mark, n);
}

/** XREADGROUP's group, consumer and NOACK, kept while blocked. */
interface GroupSpec {
  name: Uint8Array;
  consumer: Uint8Array;
  noack: boolean;
}

/** xreadGetKeys: the keys after STREAMS (half of the remaining arguments). */
function xreadKeys(argv: Uint8Array[]): number[] {
  let streams = -1;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    if (is(a, "block") || is(a, "count")) i++;
    else if (is(a, "group")) i += 2;
    else if (is(a, "noack")) continue;
    else {
      if (is(a, "streams")) streams = i;
      break;
    }
  }
  const num = argv.length - streams - 1;
  if (streams < 0 || num === 0 || num % 2 !== 0) return [];
  const keys: number[] = [];
  for (let i = streams + 1; i < argv.length - num / 2; i++) keys.push(i);
  return keys;
}

const maxValid = new StreamId();

function xreadGeneric(c: Client, argv: Uint8Array[], xreadgroup: boolean): void {
  let timeout = -1;
  let count = 0;
  let streamsArg = 0;
  let nstreams = 0;
  let groupName: Uint8Array | null = null;
  let consumerName: Uint8Array | null = null;
  let noack = false;
  for (let i = 1; i < argv.length; i++) {
    const more = argv.length - i - 1;
    const o = argv[i];
    if (is(o, "block") && more > 0) {
      const v = parseInt64(argv[++i]);
      if (v === null) return c.out.error("ERR timeout is not an integer or out of range");
      if (v < 0) return c.out.error("ERR timeout is negative");
      timeout = Number(v);
    } else if (is(o, "count") && more > 0) {
      const v = intArg(c, argv[++i]);
      if (v === null) return;
      count = v < 0 ? 0 : v;
    } else if (is(o, "streams") && more > 0) {
      streamsArg = i + 1;
      nstreams = argv.length - streamsArg;
      if (nstreams % 2 !== 0) {
        return c.out.error("ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.");
      }
      nstreams /= 2;
      break;
    } else if (is(o, "group") && more >= 2) {
      if (!xreadgroup) return c.out.error("ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.");
      groupName = argv[i + 1];
      consumerName = argv[i + 2];
      i += 2;
    } else if (is(o, "noack")) {
      if (!xreadgroup) return c.out.error("ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.");
      noack = true;
    } else {
      return c.out.error(SYNTAX);
    }
  }
  if (streamsArg === 0) return c.out.error(SYNTAX);
  if (xreadgroup && groupName === null) return c.out.error("ERR Missing GROUP option for XREADGROUP");
  const groupKey = groupName === null ? "" : latin1(groupName);

  const ids: StreamId[] = [];
  const groups: ConsumerGroup[] = [];
  for (let i = 0; i < nstreams; i++) {
    const key = argv[streamsArg + i];
    const arg = argv[streamsArg + nstreams + i];
    const addr = lookupRead(c, key, true);
    const s = addr === 0 ? null : asStream(c, addr);
    if (addr !== 0 && s === null) return;
    if (groupName !== null) {
      const group = s?.group(groupKey);
      if (group === undefined) {
        return c.out.error(`NOGROUP No such key '${str(key)}' or consumer group '${str(groupName)}' in XREADGROUP with GROUP option`);
      }
      groups.push(group);
    }
    if (isChar(arg, 36)) {
      if (xreadgroup) {
        return c.out.error("ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.");
      }
      ids.push(s === null ? new StreamId() : s.lastId.clone());
    } else if (isChar(arg, 62)) {
      if (!xreadgroup) return c.out.error("ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.");
      // The maximum ID stands for ">": blocked readers re-read the group's last ID.
      ids.push(StreamId.max());
    } else {
      const id = new StreamId();
      if (!parseId(c, arg, id, false, true)) return;
      ids.push(id);
    }
  }

  if (xreadgroup) preventPropagation(c);
  const out = c.out;
  const emit = xreadgroup ? commandEmit(c) : null;
  let mark = 0;
  let served = 0;
  for (let i = 0; i < nstreams; i++) {
    const key = argv[streamsArg + i];
    const addr = lookupRead(c, key, true);
    if (addr === 0) continue;
    const s = c.db.obj<Stream>(addr);
    const gt = ids[i];
    let serve = false;
    let history = false;
    if (consumerName !== null) {
      if (!gt.isMax()) {
        serve = history = true;
      } else if (s.length !== 0 && s.lastValidId(maxValid).compare(groups[i].lastId) > 0) {
        serve = true;
        gt.set(groups[i].lastId);
      }
    } else if (s.length !== 0 && s.lastValidId(maxValid).compare(gt) > 0) {
      serve = true;
    }
    if (!serve) continue;
    if (served++ === 0) mark = out.len;
    const start = gt.clone();
    start.incr();
    writeStreamsHeader(out, key);
    if (consumerName === null) {
      replyRange(out, s, start, MAX_ID, count, false);
      continue;
    }
    const group = groups[i];
    let consumer = findConsumer(group, consumerName);
    if (consumer === undefined) {
      consumer = createConsumer(c, group, consumerName, key)!;
      if (noack) emit?.([XGROUP, CREATECONSUMER, key.slice(), group.name, consumer.name]);
    }
    if (history) replyHistory(out, s, start, count, consumer);
    else replyGroupRange(out, s, start, count, { key: key.slice(), group, consumer, noack, emit });
    c.shard.dirty++;
  }
  if (served !== 0) return setStreamsLen(out, mark, served);

  if (timeout !== -1) {
    if (c.noBlock) return out.nilArray();
    const keys: Uint8Array[] = [];
    for (let i = 0; i < nstreams; i++) keys.push(argv[streamsArg + i].slice());
    const spec = groupName === null || consumerName === null ? null : { name: groupName.slice(), consumer: consumerName.slice(), noack };
    blockOnStreams(c, keys, ids, count === 0 ? BLOCKED_DEFAULT_COUNT : count, spec, timeout === 0 ? 0 : Date.now() + timeout);
    return;
  }
  out.nilArray();
}

function xread(c: Client, argv: Uint8Array[]): void {
  xreadGeneric(c, argv, false);
}

function xreadgroup(c: Client, argv: Uint8Array[]): void {
  xreadGeneric(c, argv, true);
}

// ---- blocked readers ------------------------------------------------------------------------

/**
 * The keys of a blocked reader and the stream object each held when last looked at.
 * Redis signals a stream key when it is deleted, overwritten or renamed over (dbAdd,
 * dbOverwrite, dbGenericDelete, FLUSH/SWAPDB): XREADGROUP readers then fail with
 * "no longer exists" / NOGROUP, XREAD readers see the new stream. The keyspace has no
 * such hook, so after each writing command the waited keys are compared with this.
 */
interface StreamWait {
  dbIndex: number;
  keys: Uint8Array[];
  seen: (Stream | null)[];
}

interface ShardWaits {
  byClient: Map<Client, StreamWait>;
  /** shard.dirty when the keys were last compared. */
  checkedAt: number;
}

const waitsByShard = new WeakMap<Shard, ShardWaits>();

function shardWaits(shard: Shard): ShardWaits {
  let w = waitsByShard.get(shard);
  if (w === undefined) {
    const waits: ShardWaits = { byClient: new Map(), checkedAt: shard.dirty };
    shard.closeHooks.push((c) => waits.byClient.delete(c));
    waitsByShard.set(shard, waits);
    w = waits;
  }
  return w;
}

function streamAt(db: Db, key: Uint8Array): Stream | null {
  const addr = db.peek(key);
  return addr !== 0 && db.type(addr) === T_STREAM ? db.obj<Stream>(addr) : null;
}

observeCalls((c) => {
  const shard = c.shard;
  const w = waitsByShard.get(shard);
  if (w === undefined || w.byClient.size === 0 || w.checkedAt === shard.dirty) return;
  w.checkedAt = shard.dirty;
  for (const [client, wait] of w.byClient) {
    if (!shard.blocking.isBlocked(client)) {
      w.byClient.delete(client);
      continue;
    }
    const db = shard.dbs[wait.dbIndex];
    for (let k = 0; k < wait.keys.length; k++) {
      const now = streamAt(db, wait.keys[k]);
      if (now !== wait.seen[k]) {
        wait.seen[k] = now;
        shard.blocking.signal(wait.dbIndex, wait.keys[k]);
      }
    }
  }
});

/** XREADGROUP's table entry, for its failed_calls counter. */
let xreadgroupCommand: Command | undefined;

/** An error delivered to a blocked XREADGROUP counts as a failed call (updateStatsOnUnblock). */
function failBlocked(c: Client, message: string): boolean {
  c.out.error(message);
  if (xreadgroupCommand !== undefined) xreadgroupCommand.failed++;
  return true;
}

function blockOnStreams(c: Client, keys: Uint8Array[], ids: StreamId[], count: number, spec: GroupSpec | null, deadline: number): void {
  const dbIndex = c.dbIndex;
  const waits = shardWaits(c.shard);
  waits.byClient.set(c, { dbIndex, keys, seen: keys.map((k) => streamAt(c.db, k)) });
  c.shard.blocking.block(c, {
    keys,
    dbIndex,
    deadline,
    retry: (bc) => serveBlocked(bc, keys, ids, count, spec),
    onTimeout: (bc) => bc.out.nilArray(),
  });
}

/**
 * serveClientsBlockedOnStreamKey / unblockDeletedStreamReadgroupClients: reply from the
 * first waited key that has entries past the client's ID (the group's last ID for
 * XREADGROUP). Returns false to keep waiting.
 */
function serveBlocked(c: Client, keys: Uint8Array[], ids: StreamId[], count: number, spec: GroupSpec | null): boolean {
  const db = c.db;
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k];
    const addr = db.lookup(key);
    if (addr === 0 || db.type(addr) !== T_STREAM) {
      if (spec !== null) return failBlocked(c, "UNBLOCKED the stream key no longer exists");
      continue;
    }
    const s = db.obj<Stream>(addr);
    let gt = ids[k];
    let group: ConsumerGroup | undefined;
    if (spec !== null) {
      group = s.group(latin1(spec.name));
      if (group === undefined) return failBlocked(c, "NOGROUP the consumer group this client was blocked on no longer exists");
      gt = group.lastId;
    }
    if (s.lastId.compare(gt) <= 0) continue;
    const start = gt.clone();
    start.incr();
    const out = c.out;
    if (out.proto === 2) out.array(1);
    else out.map(1);
    writeStreamsHeader(out, key);
    if (spec === null || group === undefined) {
      replyRange(out, s, start, MAX_ID, count, false);
      return true;
    }
    const effects: Uint8Array[][] = [];
    const emit: Emit = c.shard.propagators.length > 0 ? (argv) => effects.push(argv) : null;
    let consumer = findConsumer(group, spec.consumer);
    if (consumer === undefined) {
      consumer = createConsumer(c, group, spec.consumer, key)!;
      if (spec.noack) emit?.([XGROUP, CREATECONSUMER, key, group.name, consumer.name]);
    }
    replyGroupRange(out, s, start, count, { key, group, consumer, noack: spec.noack, emit });
    propagateEffects(c.shard, c.dbIndex, effects);
    return true;
  }
  return false;
}

// ---- XGROUP ---------------------------------------------------------------------------------

const GROUP_HELP = [
  "CREATE <key> <groupname> <id|$> [option]",
  "    Create a new consumer group. Options are:",
  "    * MKSTREAM",
  "      Create the empty stream if it does not exist.",
  "    * ENTRIESREAD entries_read",
  "      Set the group's entries_read counter (internal use).",
  "CREATECONSUMER <key> <groupname> <consumer>",
  "    Create a new consumer in the specified group.",
  "DELCONSUMER <key> <groupname> <consumer>",
  "    Remove the specified consumer.",
  "DESTROY <key> <groupname>",
  "    Remove the specified group.",
  "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
  "    Set the current group ID and entries_read counter.",
];

const INFO_HELP = [
  "CONSUMERS <key> <groupname>",
  "    Show consumers of <groupname>.",
  "GROUPS <key>",
  "    Show the stream consumer groups.",
  "STREAM <key> [FULL [COUNT <count>]",
  "    Show information about the stream.",
];

/** The parts of xgroupCommand shared by its subcommands. */
interface GroupTarget {
  s: Stream | null;
  group: ConsumerGroup | undefined;
  mkstream: boolean;
  entriesRead: number;
}

/**
 * Parse CREATE/SETID options, then require the key (unless MKSTREAM) and, for
 * needsGroup subcommands, the group. Null after an error reply.
 */
function groupTarget(c: Client, argv: Uint8Array[], needsGroup: boolean): GroupTarget | null {
  const create = is(argv[1], "create");
  const setid = is(argv[1], "setid");
  const t: GroupTarget = { s: null, group: undefined, mkstream: false, entriesRead: INVALID_ENTRIES_READ };
  for (let i = 5; i < argv.length; ) {
    if (create && is(argv[i], "mkstream")) {
      t.mkstream = true;
      i++;
    } else if ((create || setid) && is(argv[i], "entriesread") && i + 1 < argv.length) {
      const v = intArg(c, argv[i + 1]);
      if (v === null) return null;
      if (v < 0 && v !== INVALID_ENTRIES_READ) {
        c.out.error("ERR value for ENTRIESREAD must be positive or -1");
        return null;
      }
      t.entriesRead = v;
      i += 2;
    } else {
      subcommandSyntaxError(c, argv);
      return null;
    }
  }
  const addr = c.db.lookup(argv[2]);
  if (addr !== 0) {
    t.s = asStream(c, addr);
    if (t.s === null) return null;
  }
  if (!t.mkstream) {
    if (t.s === null) {
      c.out.error("ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.");
      return null;
    }
    t.group = t.s.group(latin1(argv[3]));
    if (t.group === undefined && needsGroup) {
      c.out.error(`NOGROUP No such consumer group '${str(argv[3])}' for key name '${str(argv[2])}'`);
      return null;
    }
  }
  return t;
}

function xgroupCreate(c: Client, argv: Uint8Array[]): void {
  const t = groupTarget(c, argv, false);
  if (t === null) return;
  if (argv.length > 8) return subcommandSyntaxError(c, argv);
  const key = argv[2];
  const id = new StreamId();
  if (isChar(argv[4], 36)) {
    if (t.s !== null) id.set(t.s.lastId);
  } else if (!parseId(c, argv[4], id, false, true)) {
    return;
  }
  let s = t.s;
  if (s === null) {
    s = new Stream();
    c.db.setObj(key, T_STREAM, s);
    keyAdded(c, key);
    c.shard.keyModified(c.dbIndex, key);
  }
  if (s.createGroup(argv[3].slice(), latin1(argv[3]), id, t.entriesRead) === null) {
    return c.out.error("BUSYGROUP Consumer Group name already exists");
  }
  c.out.ok();
  groupEvent(c, key, "xgroup-create");
}

function xgroupSetid(c: Client, argv: Uint8Array[]): void {
  const t = groupTarget(c, argv, true);
  if (t === null) return;
  if (argv.length !== 5 && argv.length !== 7) return subcommandSyntaxError(c, argv);
  const group = t.group!;
  const id = new StreamId();
  if (isChar(argv[4], 36)) id.set(t.s!.lastId);
  else if (!parseId(c, argv[4], id, false, false)) return;
  group.lastId.set(id);
  group.entriesRead = t.entriesRead;
  c.out.ok();
  groupEvent(c, argv[2], "xgroup-setid");
}

function xgroupDestroy(c: Client, argv: Uint8Array[]): void {
  const t = groupTarget(c, argv, false);
  if (t === null) return;
  if (t.group === undefined) return c.out.int(0);
  t.s!.groups!.delete(latin1(argv[3]));
  c.out.int(1);
  groupEvent(c, argv[2], "xgroup-destroy");
  // Readers blocked in this group fail with NOGROUP.
  c.shard.blocking.signal(c.dbIndex, argv[2]);
}

function xgroupCreateconsumer(c: Client, argv: Uint8Array[]): void {
  const t = groupTarget(c, argv, true);
  if (t === null) return;
  c.out.int(createConsumer(c, t.group!, argv[4], argv[2]) === null ? 0 : 1);
}

function xgroupDelconsumer(c: Client, argv: Uint8Array[]): void {
  const t = groupTarget(c, argv, true);
  if (t === null) return;
  const group = t.group!;
  const consumer = findConsumer(group, argv[4], true);
  let pending = 0;
  if (consumer !== undefined) {
    pending = consumer.pel.size;
    group.deleteConsumer(latin1(argv[4]), consumer);
    groupEvent(c, argv[2], "xgroup-delconsumer");
  }
  c.out.int(pending);
}

function xgroupHelp(c: Client): void {
  replyHelp(c, "XGROUP", GROUP_HELP);
}

// ---- XSETID ---------------------------------------------------------------------------------

function xsetid(c: Client, argv: Uint8Array[]): void {
  const id = new StreamId();
  const maxDeleted = new StreamId();
  let entriesAdded = -1;
  if (!parseId(c, argv[2], id, false, true)) return;
  for (let i = 3; i < argv.length; i += 2) {
    const more = argv.length - 1 - i;
    if (is(argv[i], "entriesadded") && more > 0) {
      const v = intArg(c, argv[i + 1]);
      if (v === null) return;
      if (v < 0) return c.out.error("ERR entries_added must be positive");
      entriesAdded = v;
    } else if (is(argv[i], "maxdeletedid") && more > 0) {
      if (!parseId(c, argv[i + 1], maxDeleted, false, true)) return;
      if (id.compare(maxDeleted) < 0) return c.out.error("ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id");
    } else {
      return c.out.error(SYNTAX);
    }
  }
  const key = argv[1];
  const addr = c.db.lookup(key);
  if (addr === 0) return c.out.error(NO_SUCH_KEY);
  const s = asStream(c, addr);
  if (s === null) return;
  if (s.length > 0) {
    if (id.compare(s.lastValidId(new StreamId())) < 0) {
      return c.out.error("ERR The ID specified in XSETID is smaller than the target stream top item");
    }
    if (entriesAdded !== -1 && s.length > entriesAdded) {
      return c.out.error("ERR The entries_added specified in XSETID is smaller than the target stream length");
    }
  }
  s.lastId.set(id);
  if (entriesAdded !== -1) s.entriesAdded = entriesAdded;
  if (!maxDeleted.isZero()) s.maxDeletedId.set(maxDeleted);
  c.out.ok();
  groupEvent(c, key, "xsetid");
}

// ---- XACK / XPENDING ------------------------------------------------------------------------

/** The stream and group named by argv[1], argv[2] for XACK/XPENDING/XCLAIM/XAUTOCLAIM. */
interface GroupLookup {
  s: Stream | null;
  group: ConsumerGroup | undefined;
}

/** Read lookup of key and group; null after a WRONGTYPE reply. */
function lookupGroup(c: Client, argv: Uint8Array[]): GroupLookup | null {
  const addr = lookupRead(c, argv[1], true);
  if (addr === 0) return { s: null, group: undefined };
  const s = asStream(c, addr);
  if (s === null) return null;
  return { s, group: s.group(latin1(argv[2])) };
}

function noGroup(c: Client, argv: Uint8Array[]): void {
  c.out.error(`NOGROUP No such key '${str(argv[1])}' or consumer group '${str(argv[2])}'`);
}

function xack(c: Client, argv: Uint8Array[]): void {
  const g = lookupGroup(c, argv);
  if (g === null) return;
  const group = g.group;
  if (group === undefined) return c.out.int(0);
  const ids: StreamId[] = [];
  for (let j = 3; j < argv.length; j++) {
    const id = new StreamId();
    if (!parseId(c, argv[j], id, false, true)) return;
    ids.push(id);
  }
  let acked = 0;
  for (const id of ids) {
    const nack = group.pel.remove(id);
    if (nack === undefined) continue;
    nack.consumer!.pel.remove(id);
    acked++;
    c.shard.dirty++;
  }
  c.out.int(acked);
}

function xpending(c: Client, argv: Uint8Array[]): void {
  const argc = argv.length;
  const summary = argc === 3;
  if (argc !== 3 && (argc < 6 || argc > 9)) return c.out.error(SYNTAX);
  const start = new StreamId();
  const end = new StreamId();
  let count = 0;
  let minIdle = 0;
  let consumerName: Uint8Array | null = null;
  if (argc >= 6) {
    let at = 3;
    if (is(argv[3], "idle")) {
      const v = intArg(c, argv[4]);
      if (v === null) return;
      minIdle = v;
      if (argc < 8) return c.out.error(SYNTAX);
      at += 2;
    }
    const v = intArg(c, argv[at + 2]);
    if (v === null) return;
    count = v < 0 ? 0 : v;
    if (!parseRange(c, argv[at], argv[at + 1], start, end)) return;
    if (at + 3 < argc) consumerName = argv[at + 3];
  }
  const g = lookupGroup(c, argv);
  if (g === null) return;
  const group = g.group;
  if (group === undefined) return noGroup(c, argv);
  const out = c.out;
  if (summary) {
    out.array(4);
    out.int(group.pel.size);
    if (group.pel.size === 0) {
      out.nil();
      out.nil();
      out.nilArray();
      return;
    }
    out.bulkStr(group.pel.first()!.id.toString());
    out.bulkStr(group.pel.last()!.id.toString());
    const busy = group.sortedConsumers().filter((cons) => cons.pel.size !== 0);
    out.array(busy.length);
    for (const cons of busy) {
      out.array(2);
      out.bulk(cons.name);
      out.bulkStr(String(cons.pel.size));
    }
    return;
  }
  let pel = group.pel;
  if (consumerName !== null) {
    const consumer = findConsumer(group, consumerName, true);
    if (consumer === undefined) return out.array(0);
    pel = consumer.pel;
  }
  const mark = out.len;
  const now = Date.now();
  let n = 0;
  pel.forEachFrom(start, (nack) => {
    if (count === 0 || nack.id.compare(end) > 0) return false;
    if (minIdle !== 0 && now - nack.deliveryTime < minIdle) return true;
    n++;
    count--;
    out.array(4);
    out.bulkStr(nack.id.toString());
    out.bulk(nack.consumer!.name);
    out.int(Math.max(0, now - nack.deliveryTime));
    out.int(nack.deliveryCount);
    return true;
  });
  setArrayLen(out, mark, n);
}

// ---- XCLAIM / XAUTOCLAIM --------------------------------------------------------------------

/** Give nack to consumer (removing it from its previous owner's PEL). */
function transfer(nack: Nack, consumer: Consumer): void {
  if (nack.consumer === consumer) return;
  nack.consumer?.pel.remove(nack.id);
  consumer.pel.add(nack);
  nack.consumer = consumer;
}

/** The claimed entry itself, or just its ID. */
function replyClaimed(out: ReplyWriter, s: Stream, id: StreamId, justid: boolean): void {
  if (justid) out.bulkStr(id.toString());
  else s.visitEntry(id, (node, i) => writeEntry(out, node, i));
}

/** An entry deleted from the stream leaves the PEL (with an XCLAIM to replicate that). */
function dropDeleted(c: Client, key: Uint8Array, group: ConsumerGroup, nack: Nack, idArg: Uint8Array, emit: Emit): void {
  emit?.(xclaimEffect(key, group, nack, idArg));
  c.shard.dirty++;
  group.pel.remove(nack.id);
  nack.consumer!.pel.remove(nack.id);
}

function xclaim(c: Client, argv: Uint8Array[]): void {
  const g = lookupGroup(c, argv);
  if (g === null) return;
  const { s, group } = g;
  if (s === null || group === undefined) return noGroup(c, argv);
  const idle = intArg(c, argv[4], "ERR Invalid min-idle-time argument for XCLAIM");
  if (idle === null) return;
  const minIdle = idle < 0 ? 0 : idle;
  // IDs run until the first argument that is not one; options follow.
  const ids: StreamId[] = [];
  let j = 5;
  for (; j < argv.length; j++) {
    const id = new StreamId();
    if (!parseId(null, argv[j], id, false, true)) break;
    ids.push(id);
  }
  const now = Date.now();
  const lastId = new StreamId();
  let force = false;
  let justid = false;
  let deliveryTime = -1;
  let retryCount = -1;
  for (; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    const opt = argv[j];
    if (is(opt, "force")) {
      force = true;
    } else if (is(opt, "justid")) {
      justid = true;
    } else if (is(opt, "idle") && more > 0) {
      const v = intArg(c, argv[++j], "ERR Invalid IDLE option argument for XCLAIM");
      if (v === null) return;
      deliveryTime = now - v;
    } else if (is(opt, "time") && more > 0) {
      const v = intArg(c, argv[++j], "ERR Invalid TIME option argument for XCLAIM");
      if (v === null) return;
      deliveryTime = v;
    } else if (is(opt, "retrycount") && more > 0) {
      const v = intArg(c, argv[++j], "ERR Invalid RETRYCOUNT option argument for XCLAIM");
      if (v === null) return;
      retryCount = v;
    } else if (is(opt, "lastid") && more > 0) {
      if (!parseId(c, argv[++j], lastId, false, true)) return;
    } else {
      return c.out.error(`ERR Unrecognized XCLAIM option '${str(opt)}'`);
    }
  }
  preventPropagation(c);
  const emit = commandEmit(c);
  const key = argv[1].slice();
  let propagateLastId = false;
  if (lastId.compare(group.lastId) > 0) {
    group.lastId.set(lastId);
    propagateLastId = true;
  }
  // A bogus IDLE/TIME (negative or in the future) means "now" rather than an error.
  if (deliveryTime < 0 || deliveryTime > now) deliveryTime = now;

  const out = c.out;
  const mark = out.len;
  let n = 0;
  let consumer: Consumer | null = null;
  for (let k = 0; k < ids.length; k++) {
    const id = ids[k];
    let nack = group.pel.get(id);
    if (!s.has(id)) {
      if (nack !== undefined) {
        dropDeleted(c, key, group, nack, argv[5 + k].slice(), emit);
        propagateLastId = false;
      }
      continue;
    }
    if (force && nack === undefined) {
      nack = new Nack(id, now, 1, null);
      group.pel.add(nack);
    }
    if (nack === undefined) continue;
    // A NACK just made by FORCE has no owner and no idle time to respect.
    if (nack.consumer !== null && minIdle !== 0 && now - nack.deliveryTime < minIdle) continue;
    consumer ??= consumerFor(c, group, argv[3], key);
    nack.deliveryTime = deliveryTime;
    if (retryCount >= 0) nack.deliveryCount = retryCount;
    else if (!justid) nack.deliveryCount++;
    transfer(nack, consumer);
    replyClaimed(out, s, id, justid);
    n++;
    emit?.(xclaimEffect(key, group, nack, argv[5 + k].slice()));
    propagateLastId = false;
    c.shard.dirty++;
  }
  if (propagateLastId) {
    emit?.(setidEffect(key, group));
    c.shard.dirty++;
  }
  setArrayLen(out, mark, n);
}

function xautoclaim(c: Client, argv: Uint8Array[]): void {
  const idle = intArg(c, argv[4], "ERR Invalid min-idle-time argument for XAUTOCLAIM");
  if (idle === null) return;
  const minIdle = idle < 0 ? 0 : idle;
  const start = new StreamId();
  const sx = parseInterval(c, argv[5], start, false);
  if (sx === BAD) return;
  if (sx === EXCLUSIVE && !start.incr()) return c.out.error(BAD_START);
  let count = 100;
  let justid = false;
  for (let j = 6; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    if (is(argv[j], "count") && more > 0) {
      const v = parseInt64(argv[++j]);
      if (v === null || v < 1 || v > AUTOCLAIM_MAX_COUNT) return c.out.error("ERR COUNT must be > 0");
      count = Number(v);
    } else if (is(argv[j], "justid")) {
      justid = true;
    } else {
      return c.out.error(SYNTAX);
    }
  }
  const g = lookupGroup(c, argv);
  if (g === null) return;
  const { s, group } = g;
  if (s === null || group === undefined) return noGroup(c, argv);
  if (count * 16 > AUTOCLAIM_ALLOC_LIMIT) {
    return c.out.error("ERR Insufficient memory, failed allocating transient memory, COUNT too high.");
  }

  preventPropagation(c);
  const emit = commandEmit(c);
  const key = argv[1].slice();
  const out = c.out;
  out.array(3);
  const mark = out.len;
  const now = Date.now();
  const deleted: StreamId[] = [];
  let attempts = count * ATTEMPTS_FACTOR;
  let n = 0;
  let consumer: Consumer | null = null;
  // The walk re-seeks after each step because deleted entries leave the PEL as it goes.
  let pos = start;
  let after = false;
  let exhausted = false;
  while (attempts > 0 && count > 0) {
    attempts--;
    const nack = group.pel.ceiling(pos, after);
    if (nack === undefined) {
      exhausted = true;
      break;
    }
    const id = nack.id;
    pos = id;
    after = true;
    if (!s.has(id)) {
      dropDeleted(c, key, group, nack, bytes(id.toString()), emit);
      deleted.push(id);
      count--;
      continue;
    }
    if (minIdle !== 0 && now - nack.deliveryTime < minIdle) continue;
    consumer ??= consumerFor(c, group, argv[3], key);
    nack.deliveryTime = now;
    if (!justid) nack.deliveryCount++;
    transfer(nack, consumer);
    replyClaimed(out, s, id, justid);
    n++;
    count--;
    emit?.(xclaimEffect(key, group, nack, bytes(id.toString())));
    c.shard.dirty++;
  }
  // The cursor is the entry after the last one examined (0-0 at the end of the PEL).
  const next = exhausted ? undefined : group.pel.ceiling(pos, after);
  setArrayLen(out, mark, n);
  const cursor = next === undefined ? "0-0" : next.id.toString();
  insertAt(out, mark, "$" + cursor.length + "\r\n" + cursor + "\r\n");
  out.array(deleted.length);
  for (const id of deleted) out.bulkStr(id.toString());
}

// ---- XINFO ----------------------------------------------------------------------------------

function writeLag(out: ReplyWriter, s: Stream, group: ConsumerGroup): void {
  const lag = s.lag(group);
  if (lag === null) out.nil();
  else out.int(lag);
}

function writeEntriesRead(out: ReplyWriter, group: ConsumerGroup): void {
  if (group.entriesRead === INVALID_ENTRIES_READ) out.nil();
  else out.int(group.entriesRead);
}

/** The stream for XINFO subcommands: "no such key" when missing. */
function infoStream(c: Client, key: Uint8Array): Stream | null {
  const addr = lookupRead(c, key, true);
  if (addr === 0) {
    c.out.error(NO_SUCH_KEY);
    return null;
  }
  return asStream(c, addr);
}

function xinfoStream(c: Client, argv: Uint8Array[]): void {
  const s = infoStream(c, argv[2]);
  if (s === null) return;
  const optc = argv.length - 3;
  let full = false;
  let count = 10;
  if (optc !== 0) {
    if ((optc !== 1 && optc !== 3) || !is(argv[3], "full") || (optc === 3 && !is(argv[4], "count"))) {
      return subcommandSyntaxError(c, argv);
    }
    full = true;
    if (optc === 3) {
      const v = intArg(c, argv[5]);
      if (v === null) return;
      count = v < 0 ? 10 : v;
    }
  }
  const out = c.out;
  out.map(full ? 9 : 10);
  out.bulkStr("length");
  out.int(s.length);
  out.bulkStr("radix-tree-keys");
  out.int(s.nodeCount);
  out.bulkStr("radix-tree-nodes");
  out.int(s.radixTreeNodes());
  out.bulkStr("last-generated-id");
  out.bulkStr(s.lastId.toString());
  out.bulkStr("max-deleted-entry-id");
  out.bulkStr(s.maxDeletedId.toString());
  out.bulkStr("entries-added");
  out.int(s.entriesAdded);
  out.bulkStr("recorded-first-entry-id");
  out.bulkStr(s.firstId.toString());
  if (!full) {
    out.bulkStr("groups");
    out.int(s.groups?.size ?? 0);
    out.bulkStr("first-entry");
    replyEdgeEntry(out, s, false);
    out.bulkStr("last-entry");
    replyEdgeEntry(out, s, true);
    return;
  }
  out.bulkStr("entries");
  replyRange(out, s, ZERO_ID, MAX_ID, count, false);
  out.bulkStr("groups");
  const groups = s.sortedGroups();
  out.array(groups.length);
  for (const group of groups) {
    out.map(7);
    out.bulkStr("name");
    out.bulk(group.name);
    out.bulkStr("last-delivered-id");
    out.bulkStr(group.lastId.toString());
    out.bulkStr("entries-read");
    writeEntriesRead(out, group);
    out.bulkStr("lag");
    writeLag(out, s, group);
    out.bulkStr("pel-count");
    out.int(group.pel.size);
    out.bulkStr("pending");
    let mark = out.len;
    let n = 0;
    group.pel.forEachFrom(null, (nack) => {
      if (count !== 0 && n >= count) return false;
      out.array(4);
      out.bulkStr(nack.id.toString());
      out.bulk(nack.consumer!.name);
      out.int(nack.deliveryTime);
      out.int(nack.deliveryCount);
      n++;
      return true;
    });
    setArrayLen(out, mark, n);
    out.bulkStr("consumers");
    const consumers = group.sortedConsumers();
    out.array(consumers.length);
    for (const consumer of consumers) {
      out.map(4);
      out.bulkStr("name");
      out.bulk(consumer.name);
      out.bulkStr("seen-time");
      out.int(consumer.seenTime);
      out.bulkStr("pel-count");
      out.int(consumer.pel.size);
      out.bulkStr("pending");
      mark = out.len;
      n = 0;
      consumer.pel.forEachFrom(null, (nack) => {
        if (count !== 0 && n >= count) return false;
        out.array(3);
        out.bulkStr(nack.id.toString());
        out.int(nack.deliveryTime);
        out.int(nack.deliveryCount);
        n++;
        return true;
      });
      setArrayLen(out, mark, n);
    }
  }
}

function xinfoGroups(c: Client, argv: Uint8Array[]): void {
  const s = infoStream(c, argv[2]);
  if (s === null) return;
  const out = c.out;
  const groups = s.sortedGroups();
  out.array(groups.length);
  for (const group of groups) {
    out.map(6);
    out.bulkStr("name");
    out.bulk(group.name);
    out.bulkStr("consumers");
    out.int(group.consumers.size);
    out.bulkStr("pending");
    out.int(group.pel.size);
    out.bulkStr("last-delivered-id");
    out.bulkStr(group.lastId.toString());
    out.bulkStr("entries-read");
    writeEntriesRead(out, group);
    out.bulkStr("lag");
    writeLag(out, s, group);
  }
}

function xinfoConsumers(c: Client, argv: Uint8Array[]): void {
  const s = infoStream(c, argv[2]);
  if (s === null) return;
  const group = s.group(latin1(argv[3]));
  if (group === undefined) {
    return c.out.error(`NOGROUP No such consumer group '${str(argv[3])}' for key name '${str(argv[2])}'`);
  }
  const out = c.out;
  const now = Date.now();
  const consumers = group.sortedConsumers();
  out.array(consumers.length);
  for (const consumer of consumers) {
    out.map(3);
    out.bulkStr("name");
    out.bulk(consumer.name);
    out.bulkStr("pending");
    out.int(consumer.pel.size);
    out.bulkStr("idle");
    out.int(Math.max(0, now - consumer.seenTime));
  }
}

function xinfoHelp(c: Client): void {
  replyHelp(c, "XINFO", INFO_HELP);
}

// ---- registration ---------------------------------------------------------------------------

registerEncoding(T_STREAM, () => "stream");
registerCloner(T_STREAM, (v) => (v as Stream).clone());

const XREAD_COMPLEXITY = "For each stream mentioned: O(N) with N being the number of elements being returned, it means that XREAD-ing with a fixed COUNT is O(1). Note that when the BLOCK option is used, XADD will pay O(M) time in order to serve the M clients blocked on the stream getting new data.";
const XREADGROUP_COMPLEXITY = "For each stream mentioned: O(M) with M being the number of elements returned. If M is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1). On the other side when XREADGROUP blocks, XADD will pay the O(N) time in order to serve the N clients blocked on the stream getting new data.";

register(
  {
    name: "xadd", arity: -5, flags: ["write", "denyoom", "fast"], keys: [1, 1, 1], group: "stream", since: "5.0.0",
    summary: "Appends a new entry to a stream",
    complexity: "O(1) when adding a new entry, O(N) when trimming where N being the number of entries evicted.",
    tips: ["nondeterministic_output"], handler: xadd,
  },
  {
    name: "xlen", arity: 2, flags: ["readonly", "fast"], keys: [1, 1, 1], group: "stream", since: "5.0.0",
    summary: "Return the number of entries in a stream", complexity: "O(1)", handler: xlen,
  },
  {
    name: "xrange", arity: -4, flags: ["readonly"], keys: [1, 1, 1], group: "stream", since: "5.0.0",
    summary: "Return a range of elements in a stream, with IDs matching the specified IDs interval",
    complexity: "O(N) with N being the number of elements being returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).",
    handler: xrange,
  },
  {
    name: "xrevrange", arity: -4, flags: ["readonly"], keys: [1, 1, 1], group: "stream", since: "5.0.0",
    summary: "Return a range of elements in a stream, with IDs matching the specified IDs interval, in reverse order (from greater to smaller IDs) compared to XRANGE",
    complexity: "O(N) with N being the number of elements returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).",
    handler: xrevrange,
  },
  {
    name: "xdel", arity: -3, flags: ["write", "fast"], keys: [1, 1, 1], group: "stream", since: "5.0.0",
    summary: "Removes the specified entries from the stream. Returns the number of items actually deleted, that may be different from the number of IDs passed in case certain IDs do not exist.",
    complexity: "O(1) for each single item to delete in the stream, regardless of the stream size.", handler: xdel,
  },
  {
    name: "xtrim", arity: -4, flags: ["write"], keys: [1, 1, 1], group: "stream", since: "5.0.0",
    summary: "Trims the stream to (approximately if '~' is passed) a certain size",
    complexity: "O(N), with N being the number of evicted entries. Constant times are very small however, since entries are organized in macro nodes containing multiple entries that can be released with a single deallocation.",
    tips: ["nondeterministic_output"], handler: xtrim,
  },
  {
    name: "xread", arity: -4, flags: ["readonly", "blocking"], getKeys: xreadKeys, group: "stream", since: "5.0.0",
    summary: "Return never seen elements in multiple streams, with IDs greater than the ones reported by the caller for each stream. Can block.",
    complexity: XREAD_COMPLEXITY, handler: xread,
  },
  {
    name: "xreadgroup", arity: -7, flags: ["write", "blocking"], getKeys: xreadKeys, group: "stream", since: "5.0.0",
    summary: "Return new entries from a stream using a consumer group, or access the history of the pending entries for a given consumer. Can block.",
    complexity: XREADGROUP_COMPLEXITY, handler: xreadgroup,
  },
  {
    name: "xack", arity: -4, flags: ["write", "fast"], keys: [1, 1, 1], group: "stream", since: "5.0.0",
    summary: "Marks a pending message as correctly processed, effectively removing it from the pending entries list of the consumer group. Return value of the command is the number of messages successfully acknowledged, that is, the IDs we were actually able to resolve in the PEL.",
    complexity: "O(1) for each message ID processed.", handler: xack,
  },
  {
    name: "xpending", arity: -3, flags: ["readonly"], keys: [1, 1, 1], group: "stream", since: "5.0.0",
    summary: "Return information and entries from a stream consumer group pending entries list, that are messages fetched but never acknowledged.",
    complexity: "O(N) with N being the number of elements returned, so asking for a small fixed number of entries per call is O(1). O(M), where M is the total number of entries scanned when used with the IDLE filter. When the command returns just the summary and the list of consumers is small, it runs in O(1) time; otherwise, an additional O(N) time for iterating every consumer.",
    tips: ["nondeterministic_output"], handler: xpending,
  },
  {
    name: "xclaim", arity: -6, flags: ["write", "fast"], keys: [1, 1, 1], group: "stream", since: "5.0.0",
    summary: "Changes (or acquires) ownership of a message in a consumer group, as if the message was delivered to the specified consumer.",
    complexity: "O(log N) with N being the number of messages in the PEL of the consumer group.",
    tips: ["nondeterministic_output"], handler: xclaim,
  },
  {
    name: "xautoclaim", arity: -6, flags: ["write", "fast"], keys: [1, 1, 1], group: "stream", since: "6.2.0",
    summary: "Changes (or acquires) ownership of messages in a consumer group, as if the messages were delivered to the specified consumer.",
    complexity: "O(1) if COUNT is small.", tips: ["nondeterministic_output"], handler: xautoclaim,
  },
  {
    name: "xsetid", arity: -3, flags: ["write", "denyoom", "fast"], keys: [1, 1, 1], group: "stream", since: "5.0.0",
    summary: "An internal command for replicating stream values", complexity: "O(1)", handler: xsetid,
  },
  {
    name: "xgroup", arity: -2, group: "stream", since: "5.0.0", summary: "A container for consumer groups commands",
    complexity: "Depends on subcommand.", acl: ["slow"],
    subcommands: [
      {
        name: "create", arity: -5, flags: ["write", "denyoom"], keys: [2, 2, 1], group: "stream", since: "5.0.0",
        summary: "Create a consumer group.", complexity: "O(1)", handler: xgroupCreate,
      },
      {
        name: "setid", arity: -5, flags: ["write"], keys: [2, 2, 1], group: "stream", since: "5.0.0",
        summary: "Set a consumer group to an arbitrary last delivered ID value.", complexity: "O(1)", handler: xgroupSetid,
      },
      {
        name: "destroy", arity: 4, flags: ["write"], keys: [2, 2, 1], group: "stream", since: "5.0.0",
        summary: "Destroy a consumer group.",
        complexity: "O(N) where N is the number of entries in the group's pending entries list (PEL).", handler: xgroupDestroy,
      },
      {
        name: "createconsumer", arity: 5, flags: ["write", "denyoom"], keys: [2, 2, 1], group: "stream", since: "6.2.0",
        summary: "Create a consumer in a consumer group.", complexity: "O(1)", handler: xgroupCreateconsumer,
      },
      {
        name: "delconsumer", arity: 5, flags: ["write"], keys: [2, 2, 1], group: "stream", since: "5.0.0",
        summary: "Delete a consumer from a consumer group.", complexity: "O(1)", handler: xgroupDelconsumer,
      },
      {
        name: "help", arity: 2, flags: ["loading", "stale"], group: "stream", since: "5.0.0",
        summary: "Show helpful text about the different subcommands", complexity: "O(1)", handler: xgroupHelp,
      },
    ],
  },
  {
    name: "xinfo", arity: -2, group: "stream", since: "5.0.0", summary: "A container for stream introspection commands",
    complexity: "Depends on subcommand.", acl: ["slow"],
    subcommands: [
      {
        name: "consumers", arity: 4, flags: ["readonly"], keys: [2, 2, 1], group: "stream", since: "5.0.0",
        summary: "List the consumers in a consumer group", complexity: "O(1)", tips: ["nondeterministic_output"], handler: xinfoConsumers,
      },
      {
        name: "groups", arity: 3, flags: ["readonly"], keys: [2, 2, 1], group: "stream", since: "5.0.0",
        summary: "List the consumer groups of a stream", complexity: "O(1)", handler: xinfoGroups,
      },
      {
        name: "stream", arity: -3, flags: ["readonly"], keys: [2, 2, 1], group: "stream", since: "5.0.0",
        summary: "Get information about a stream", complexity: "O(1)", handler: xinfoStream,
      },
      {
        name: "help", arity: 2, flags: ["loading", "stale"], group: "stream", since: "5.0.0",
        summary: "Show helpful text about the different subcommands", complexity: "O(1)", handler: xinfoHelp,
      },
    ],
  },
);

xreadgroupCommand = lookupCommand("xreadgroup");
