// String commands (Redis t_string.c): GET/SET and variants, multi-key MGET/MSET, counters,
// ranges, APPEND and LCS. GET, SET, INCR*, MGET and MSET are the benchmarked hot path: they
// avoid per-call allocations and only parse options when there are any.

import { register } from "./table.ts";
import { lookupRead } from "./keys.ts";
import { addLongDouble, formatLongDouble, LD_ZERO, parseLongDouble, type LongDouble } from "../util/longdouble.ts";
import type { Client } from "../server/client.ts";
import { T_STRING } from "../keyspace/db.ts";
import { bytes, EMPTY, INT64_MAX, INT64_MIN, is, latin1, parseInt64 } from "../util/bytes.ts";
import { INVALID_EXPIRE, NOT_FLOAT, NOT_INTEGER, OVERFLOW, STRING_TOO_LONG, SYNTAX, WRONGTYPE, wrongArgs } from "../server/errors.ts";

const SET = bytes("SET");
const DEL = bytes("DEL");
const PXAT = bytes("PXAT");
const KEEPTTL = bytes("KEEPTTL");
const PEXPIREAT = bytes("PEXPIREAT");
const PERSIST = bytes("PERSIST");

// ---- shared lookups ------------------------------------------------------------------


/** A key was created (Redis's dbAdd fires "new" before the command's own event). */
export function keyAdded(c: Client, key: Uint8Array): void {
  c.shard.notify("n", "new", key, c.dbIndex);
}

/** checkStringLength: whether a string of size+append bytes would exceed proto-max-bulk-len. */
function tooLong(c: Client, size: number, append: number): boolean {
  if (size + append > c.shard.config.getNum("proto-max-bulk-len")) {
    c.out.error(STRING_TOO_LONG);
    return true;
  }
  return false;
}

/** A bigint beyond the safe range is far outside every length this server handles. */
export function toNum(v: number | bigint): number {
  return typeof v === "number" ? v : Number(v);
}

// Scratch for rebuilding values (APPEND, SETRANGE) without an allocation per call; values
// above KEEP_SCRATCH get a buffer of their own so one huge edit does not pin memory.
const KEEP_SCRATCH = 1 << 20;
let scratch = new Uint8Array(4096);

/** A zero-filled buffer of n bytes, valid until the next call. */
export function workBuffer(n: number): Uint8Array {
  if (n > KEEP_SCRATCH) return new Uint8Array(n);
  if (scratch.length < n) {
    let cap = scratch.length;
    while (cap < n) cap *= 2;
    scratch = new Uint8Array(cap);
  } else {
    scratch.fill(0, 0, n);
  }
  return scratch.subarray(0, n);
}

// Decimal bytes of a safe integer, written into a fixed buffer through one cached view per
// length, so counters store their result without allocating.
const digits = new Uint8Array(24);
const digitViews: Uint8Array[] = [];
for (let i = 0; i <= 24; i++) digitViews.push(digits.subarray(0, i));

function intBytes(n: number): Uint8Array {
  // Number-to-string is native; digit arithmetic on doubles is several times slower.
  const s = String(n);
  for (let i = 0; i < s.length; i++) digits[i] = s.charCodeAt(i);
  return digitViews[s.length];
}

/** Decimal bytes of an integer, as a fresh array (for arguments that outlive the call). */
function numBytes(n: number | bigint): Uint8Array {
  return typeof n === "number" ? intBytes(n).slice() : bytes(n.toString());
}

// ---- GET / SET family --------------------------------------------------------------------

/**
 * setKey without options: store val under key, clearing any TTL, and fire "new" when the key
 * did not exist. Redis first looks the key up so an expired value is deleted (and reported)
 * before the write; with no volatile key in the db nothing can be expired, so the hot path
 * skips that lookup and tells a new key by the db size.
 */
function setKey(c: Client, key: Uint8Array, val: Uint8Array): void {
  const db = c.db;
  if (db.volatileCount !== 0) db.lookup(key);
  const before = db.size;
  db.setStr(key, val);
  if (db.size !== before) keyAdded(c, key);
}

/** getGenericCommand: replies with the value (or nil); false after a WRONGTYPE error. */
function getGeneric(c: Client, key: Uint8Array): boolean {
  const db = c.db;
  const addr = lookupRead(c, key);
  if (addr === 0) {
    c.out.nil();
    return true;
  }
  if (db.type(addr) !== T_STRING) {
    c.out.error(WRONGTYPE);
    return false;
  }
  c.out.bulk(db.str(addr));
  return true;
}

function get(c: Client, argv: Uint8Array[]): void {
  getGeneric(c, argv[1]);
}

const O_NX = 1;
const O_XX = 2;
const O_EX = 4;
const O_PX = 8;
const O_KEEPTTL = 16;
const O_GET = 32;
const O_EXAT = 64;
const O_PXAT = 128;
const O_PERSIST = 256;
const O_EXPIRE = O_EX | O_PX | O_EXAT | O_PXAT;

/** Index of the expire argument found by the last parseOptions() call. */
let expireArg = 0;

/**
 * parseExtendedStringArgumentsOrReply: SET options from argv[3] (forSet) or GETEX options
 * from argv[2]. Returns the flags, or -1 after a syntax error reply.
 */
function parseOptions(c: Client, argv: Uint8Array[], forSet: boolean): number {
  let flags = 0;
  for (let j = forSet ? 3 : 2; j < argv.length; j++) {
    const opt = argv[j];
    const hasNext = j < argv.length - 1;
    if (forSet && is(opt, "nx") && !(flags & O_XX)) {
      flags |= O_NX;
    } else if (forSet && is(opt, "xx") && !(flags & O_NX)) {
      flags |= O_XX;
    } else if (forSet && is(opt, "get")) {
      flags |= O_GET;
    } else if (forSet && is(opt, "keepttl") && !(flags & (O_PERSIST | O_EXPIRE))) {
      flags |= O_KEEPTTL;
    } else if (!forSet && is(opt, "persist") && !(flags & (O_EXPIRE | O_KEEPTTL))) {
      flags |= O_PERSIST;
    } else if (hasNext && is(opt, "ex") && !(flags & (O_KEEPTTL | O_PERSIST | O_EXAT | O_PX | O_PXAT))) {
      flags |= O_EX;
      expireArg = ++j;
    } else if (hasNext && is(opt, "px") && !(flags & (O_KEEPTTL | O_PERSIST | O_EX | O_EXAT | O_PXAT))) {
      flags |= O_PX;
      expireArg = ++j;
    } else if (hasNext && is(opt, "exat") && !(flags & (O_KEEPTTL | O_PERSIST | O_EX | O_PX | O_PXAT))) {
      flags |= O_EXAT;
      expireArg = ++j;
    } else if (hasNext && is(opt, "pxat") && !(flags & (O_KEEPTTL | O_PERSIST | O_EX | O_EXAT | O_PX))) {
      flags |= O_PXAT;
      expireArg = ++j;
    } else {
      c.out.error(SYNTAX);
      return -1;
    }
  }
  return flags;
}

/**
 * getExpireMillisecondsOrReply: the absolute expire time in ms for an EX/PX/EXAT/PXAT
 * argument, or null after an error reply. Large values stay exact as bigint (they are
 * propagated verbatim).
 */
function expireMs(c: Client, arg: Uint8Array, flags: number, cmd: string): number | bigint | null {
  const v = parseInt64(arg);
  if (v === null) {
    c.out.error(NOT_INTEGER);
    return null;
  }
  const seconds = (flags & (O_EX | O_EXAT)) !== 0;
  const relative = (flags & (O_EX | O_PX)) !== 0;
  if (v <= 0 || (seconds && v > INT64_MAX / 1000n)) {
    c.out.error(INVALID_EXPIRE(cmd));
    return null;
  }
  if (typeof v === "number") {
    const ms = (seconds ? v * 1000 : v) + (relative ? Date.now() : 0);
    if (Number.isSafeInteger(ms)) return ms;
  }
  let ms = BigInt(v);
  if (seconds) ms *= 1000n;
  if (relative) ms += BigInt(Date.now());
  // In C the addition overflows to a negative number, which Redis reports the same way.
  if (ms > INT64_MAX) {
    c.out.error(INVALID_EXPIRE(cmd));
    return null;
  }
  return ms <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(ms) : ms;
}

/** setGenericCommand for SET with options, SETEX and PSETEX; `when` is an absolute expire. */
function setGeneric(c: Client, argv: Uint8Array[], flags: number, key: Uint8Array, val: Uint8Array, when: number | bigint | null): void {
  if (flags & O_GET && !getGeneric(c, key)) return;
  const db = c.db;
  const found = db.lookup(key) !== 0;
  if ((flags & O_NX && found) || (flags & O_XX && !found)) {
    if (!(flags & O_GET)) c.out.nil();
    return;
  }
  const addr = db.setStr(key, val, (flags & O_KEEPTTL) !== 0);
  if (!found) keyAdded(c, key);
  c.written(key, "set", "$");
  if (when !== null) {
    // Redis 7.0 keeps a key whose EXAT/PXAT already passed; it expires on next access.
    db.setExpire(addr, toNum(when));
    c.rewrite([SET, key, val, PXAT, numBytes(when)]);
    c.shard.notify("g", "expire", key, c.dbIndex);
  }
  if (!(flags & O_GET)) {
    c.out.ok();
  } else if (when === null) {
    // Propagate without the GET option(s); an expire already rewrote the whole command.
    const eff: Uint8Array[] = [];
    for (let j = 0; j < argv.length; j++) if (j < 3 || !is(argv[j], "get")) eff.push(argv[j]);
    c.rewrite(eff);
  }
}

function set(c: Client, argv: Uint8Array[]): void {
  if (argv.length > 3) return setWithOptions(c, argv);
  const key = argv[1];
  setKey(c, key, argv[2]);
  c.written(key, "set", "$");
  c.out.ok();
}

function setWithOptions(c: Client, argv: Uint8Array[]): void {
  const flags = parseOptions(c, argv, true);
  if (flags < 0) return;
  let when: number | bigint | null = null;
  if (flags & O_EXPIRE) {
    when = expireMs(c, argv[expireArg], flags, "set");
    if (when === null) return;
  }
  setGeneric(c, argv, flags, argv[1], argv[2], when);
}

function setnx(c: Client, argv: Uint8Array[]): void {
  const db = c.db;
  const key = argv[1];
  if (db.lookup(key) !== 0) return c.out.int(0);
  db.setStr(key, argv[2]);
  keyAdded(c, key);
  c.written(key, "set", "$");
  c.out.int(1);
}

function setex(c: Client, argv: Uint8Array[]): void {
  const when = expireMs(c, argv[2], O_EX, "setex");
  if (when !== null) setGeneric(c, argv, 0, argv[1], argv[3], when);
}

function psetex(c: Client, argv: Uint8Array[]): void {
  const when = expireMs(c, argv[2], O_PX, "psetex");
  if (when !== null) setGeneric(c, argv, 0, argv[1], argv[3], when);
}

function getex(c: Client, argv: Uint8Array[]): void {
  const flags = argv.length > 2 ? parseOptions(c, argv, false) : 0;
  if (flags < 0) return;
  const db = c.db;
  const key = argv[1];
  const addr = lookupRead(c, key);
  if (addr === 0) return c.out.nil();
  if (db.type(addr) !== T_STRING) return c.out.error(WRONGTYPE);
  let when: number | bigint | null = null;
  if (flags & O_EXPIRE) {
    when = expireMs(c, argv[expireArg], flags, "getex");
    if (when === null) return;
  }
  c.out.bulk(db.str(addr));
  if (when !== null && flags & (O_EXAT | O_PXAT) && when <= Date.now()) {
    db.removeAddr(addr);
    c.rewrite([DEL, key]);
    c.written(key, "del", "g");
  } else if (when !== null) {
    db.setExpire(addr, toNum(when));
    c.rewrite([PEXPIREAT, key, numBytes(when)]);
    c.written(key, "expire", "g");
  } else if (flags & O_PERSIST && db.clearExpire(addr)) {
    c.rewrite([PERSIST, key]);
    c.written(key, "persist", "g");
  }
}

function getdel(c: Client, argv: Uint8Array[]): void {
  const db = c.db;
  const key = argv[1];
  const addr = lookupRead(c, key);
  if (addr === 0) return c.out.nil();
  if (db.type(addr) !== T_STRING) return c.out.error(WRONGTYPE);
  c.out.bulk(db.str(addr));
  db.removeAddr(addr);
  c.rewrite([DEL, key]);
  c.written(key, "del", "g");
}

function getset(c: Client, argv: Uint8Array[]): void {
  const key = argv[1];
  if (!getGeneric(c, key)) return;
  setKey(c, key, argv[2]);
  c.written(key, "set", "$");
  c.rewrite([SET, key, argv[2]]);
}

function mget(c: Client, argv: Uint8Array[]): void {
  const db = c.db;
  const out = c.out;
  out.array(argv.length - 1);
  for (let j = 1; j < argv.length; j++) {
    const addr = lookupRead(c, argv[j]);
    if (addr === 0 || db.type(addr) !== T_STRING) out.nil();
    else out.bulk(db.str(addr));
  }
}

function msetGeneric(c: Client, argv: Uint8Array[], nx: boolean): void {
  if ((argv.length & 1) === 0) return c.out.error(wrongArgs(nx ? "msetnx" : "mset"));
  const db = c.db;
  if (nx) {
    for (let j = 1; j < argv.length; j += 2) if (db.lookup(argv[j]) !== 0) return c.out.int(0);
  }
  for (let j = 1; j < argv.length; j += 2) {
    setKey(c, argv[j], argv[j + 1]);
    c.written(argv[j], "set", "$");
  }
  if (nx) c.out.int(1);
  else c.out.ok();
}

function mset(c: Client, argv: Uint8Array[]): void {
  msetGeneric(c, argv, false);
}

function msetnx(c: Client, argv: Uint8Array[]): void {
  msetGeneric(c, argv, true);
}

// ---- counters ----------------------------------------------------------------------------

function incrDecr(c: Client, key: Uint8Array, incr: number | bigint): void {
  const db = c.db;
  const addr = db.lookup(key);
  let cur: number | bigint = 0;
  if (addr !== 0) {
    if (db.type(addr) !== T_STRING) return c.out.error(WRONGTYPE);
    const v = parseInt64(db.str(addr));
    if (v === null) return c.out.error(NOT_INTEGER);
    cur = v;
  }
  let next: number | bigint;
  if (typeof cur === "number" && typeof incr === "number" && Number.isSafeInteger(cur + incr)) {
    next = cur + incr;
  } else {
    const big = BigInt(cur) + BigInt(incr);
    if (big > INT64_MAX || big < INT64_MIN) return c.out.error(OVERFLOW);
    next = big <= BigInt(Number.MAX_SAFE_INTEGER) && big >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
  }
  db.setStr(key, typeof next === "number" ? intBytes(next) : bytes(next.toString()), true);
  if (addr === 0) keyAdded(c, key);
  c.written(key, "incrby", "$");
  c.out.int(next);
}

function incr(c: Client, argv: Uint8Array[]): void {
  incrDecr(c, argv[1], 1);
}

function decr(c: Client, argv: Uint8Array[]): void {
  incrDecr(c, argv[1], -1);
}

function incrby(c: Client, argv: Uint8Array[]): void {
  const by = parseInt64(argv[2]);
  if (by === null) return c.out.error(NOT_INTEGER);
  incrDecr(c, argv[1], by);
}

function decrby(c: Client, argv: Uint8Array[]): void {
  const by = parseInt64(argv[2]);
  if (by === null) return c.out.error(NOT_INTEGER);
  if (by === INT64_MIN) return c.out.error("ERR decrement would overflow");
  incrDecr(c, argv[1], -by);
}

function incrbyfloat(c: Client, argv: Uint8Array[]): void {
  const db = c.db;
  const key = argv[1];
  const addr = db.lookup(key);
  let cur: LongDouble | "inf" | null = LD_ZERO;
  if (addr !== 0) {
    if (db.type(addr) !== T_STRING) return c.out.error(WRONGTYPE);
    cur = parseLongDouble(db.str(addr));
  }
  const by = parseLongDouble(argv[2]);
  if (cur === null || by === null) return c.out.error(NOT_FLOAT);
  const next = cur === "inf" || by === "inf" ? null : addLongDouble(cur, by);
  if (next === null) return c.out.error("ERR increment would produce NaN or Infinity");
  const text = bytes(formatLongDouble(next));
  db.setStr(key, text, true);
  if (addr === 0) keyAdded(c, key);
  c.written(key, "incrbyfloat", "$");
  c.out.bulk(text);
  // Replicas and the AOF get the final value, so float formatting can never diverge.
  c.rewrite([SET, key, text, KEEPTTL]);
}

// ---- ranges, length, append --------------------------------------------------------------

function getrange(c: Client, argv: Uint8Array[]): void {
  const s = parseInt64(argv[2]);
  const e = parseInt64(argv[3]);
  if (s === null || e === null) return c.out.error(NOT_INTEGER);
  const db = c.db;
  const addr = lookupRead(c, argv[1]);
  if (addr === 0) return c.out.bulk(EMPTY);
  if (db.type(addr) !== T_STRING) return c.out.error(WRONGTYPE);
  const len = db.strLen(addr);
  // Compare before converting: two distinct int64s may share a double.
  if (s < 0 && e < 0 && s > e) return c.out.bulk(EMPTY);
  let start = toNum(s);
  let end = toNum(e);
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= len) end = len - 1;
  if (start > end || len === 0) return c.out.bulk(EMPTY);
  const v = db.str(addr);
  c.out.bulkSlice(v, start, end - start + 1);
}

function strlen(c: Client, argv: Uint8Array[]): void {
  const db = c.db;
  const addr = lookupRead(c, argv[1]);
  if (addr === 0) return c.out.int(0);
  if (db.type(addr) !== T_STRING) return c.out.error(WRONGTYPE);
  c.out.int(db.strLen(addr));
}

function append(c: Client, argv: Uint8Array[]): void {
  const db = c.db;
  const key = argv[1];
  const tail = argv[2];
  const addr = db.lookup(key);
  let total: number;
  if (addr === 0) {
    db.setStr(key, tail);
    keyAdded(c, key);
    total = tail.length;
  } else {
    if (db.type(addr) !== T_STRING) return c.out.error(WRONGTYPE);
    const olen = db.strLen(addr);
    if (tooLong(c, olen, tail.length)) return;
    total = olen + tail.length;
    const buf = workBuffer(total);
    buf.set(db.str(addr));
    buf.set(tail, olen);
    db.setStrGrowable(key, buf);
  }
  c.written(key, "append", "$");
  c.out.int(total);
}

function setrange(c: Client, argv: Uint8Array[]): void {
  const off = parseInt64(argv[2]);
  if (off === null) return c.out.error(NOT_INTEGER);
  if (off < 0) return c.out.error("ERR offset is out of range");
  const offset = toNum(off);
  const value = argv[3];
  const db = c.db;
  const key = argv[1];
  const addr = db.lookup(key);
  if (addr === 0) {
    if (value.length === 0) return c.out.int(0);
    if (tooLong(c, offset, value.length)) return;
    const buf = workBuffer(offset + value.length);
    buf.set(value, offset);
    db.setStrGrowable(key, buf);
    keyAdded(c, key);
    c.written(key, "setrange", "$");
    return c.out.int(buf.length);
  }
  if (db.type(addr) !== T_STRING) return c.out.error(WRONGTYPE);
  const olen = db.strLen(addr);
  if (value.length === 0) return c.out.int(olen);
  if (tooLong(c, offset, value.length)) return;
  const total = Math.max(olen, offset + value.length);
  if (total === olen && db.isRaw(addr)) {
    // A raw value is the record's own storage: edit it in place instead of copying it.
    db.str(addr).set(value, offset);
  } else {
    const buf = workBuffer(total);
    buf.set(db.str(addr));
    buf.set(value, offset);
    db.setStrGrowable(key, buf);
  }
  c.written(key, "setrange", "$");
  c.out.int(total);
}

// ---- LCS ---------------------------------------------------------------------------------

function lcs(c: Client, argv: Uint8Array[]): void {
  const db = c.db;
  const addrA = lookupRead(c, argv[1]);
  const addrB = lookupRead(c, argv[2]);
  if ((addrA !== 0 && db.type(addrA) !== T_STRING) || (addrB !== 0 && db.type(addrB) !== T_STRING)) {
    return c.out.error("ERR The specified keys must contain string values");
  }
  let getLen = false;
  let getIdx = false;
  let withMatchLen = false;
  let minMatchLen = 0;
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j];
    const more = argv.length - 1 - j;
    if (is(opt, "idx")) getIdx = true;
    else if (is(opt, "len")) getLen = true;
    else if (is(opt, "withmatchlen")) withMatchLen = true;
    else if (is(opt, "minmatchlen") && more > 0) {
      const v = parseInt64(argv[++j]);
      if (v === null) return c.out.error(NOT_INTEGER);
      minMatchLen = v < 0 ? 0 : toNum(v);
    } else {
      return c.out.error(SYNTAX);
    }
  }
  if (getLen && getIdx) return c.out.error("ERR If you want both the length and indexes, please just use IDX.");
  // Views stay valid: nothing writes to the db while the table is built and walked.
  const a = addrA === 0 ? EMPTY : db.str(addrA);
  const b = addrB === 0 ? EMPTY : db.str(addrB);
  if (a.length >= 0xfffffffe || b.length >= 0xfffffffe) return c.out.error("ERR String too long for LCS");
  const alen = a.length;
  const blen = b.length;
  const w = blen + 1;
  const cells = (alen + 1) * w;
  if (cells * 4 > c.shard.config.getNum("proto-max-bulk-len")) {
    return c.out.error("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
  }
  // table[i*w+j] = LCS length of a[0..i) and b[0..j); row 0 and column 0 stay zero.
  const table = new Uint32Array(cells);
  for (let i = 1; i <= alen; i++) {
    const ai = a[i - 1];
    const row = i * w;
    const prev = row - w;
    for (let j = 1; j <= blen; j++) {
      if (ai === b[j - 1]) table[row + j] = table[prev + j - 1] + 1;
      else {
        const up = table[prev + j];
        const left = table[row + j - 1];
        table[row + j] = up > left ? up : left;
      }
    }
  }
  const total = table[alen * w + blen];
  if (getLen) return c.out.int(total);

  // Walk back from the end, collecting the LCS bytes and the matching ranges.
  const result = new Uint8Array(total);
  const ranges: number[] = [];
  let idx = total;
  let i = alen;
  let j = blen;
  let aStart = alen; // alen means "no range in progress"
  let aEnd = 0;
  let bStart = 0;
  let bEnd = 0;
  while (i > 0 && j > 0) {
    let emit = false;
    if (a[i - 1] === b[j - 1]) {
      result[idx - 1] = a[i - 1];
      if (aStart === alen) {
        aStart = aEnd = i - 1;
        bStart = bEnd = j - 1;
      } else if (aStart === i && bStart === j) {
        aStart--;
        bStart--;
      } else {
        emit = true;
      }
      if (aStart === 0 || bStart === 0) emit = true;
      idx--;
      i--;
      j--;
    } else {
      if (table[(i - 1) * w + j] > table[i * w + j - 1]) i--;
      else j--;
      if (aStart !== alen) emit = true;
    }
    if (emit) {
      const matchLen = aEnd - aStart + 1;
      if (minMatchLen === 0 || matchLen >= minMatchLen) ranges.push(aStart, aEnd, bStart, bEnd, matchLen);
      aStart = alen;
    }
  }
  if (!getIdx) return c.out.bulk(result);
  const out = c.out;
  out.map(2);
  out.bulkStr("matches");
  out.array(ranges.length / 5);
  for (let k = 0; k < ranges.length; k += 5) {
    out.array(withMatchLen ? 3 : 2);
    out.array(2);
    out.int(ranges[k]);
    out.int(ranges[k + 1]);
    out.array(2);
    out.int(ranges[k + 2]);
    out.int(ranges[k + 3]);
    if (withMatchLen) out.int(ranges[k + 4]);
  }
  out.bulkStr("len");
  out.int(total);
}

register(
  { name: "get", arity: 2, flags: ["readonly", "fast"], keys: [1, 1, 1], group: "string", since: "1.0.0", summary: "Get the value of a key", complexity: "O(1)", acl: ["read", "string", "fast"], handler: get },
  { name: "set", arity: -3, flags: ["write", "denyoom"], keys: [1, 1, 1], group: "string", since: "1.0.0", summary: "Set the string value of a key", complexity: "O(1)", acl: ["write", "string", "slow"], handler: set },
  { name: "setnx", arity: 3, flags: ["write", "denyoom", "fast"], keys: [1, 1, 1], group: "string", since: "1.0.0", summary: "Set the value of a key, only if the key does not exist", complexity: "O(1)", acl: ["write", "string", "fast"], handler: setnx },
  { name: "setex", arity: 4, flags: ["write", "denyoom"], keys: [1, 1, 1], group: "string", since: "2.0.0", summary: "Set the value and expiration of a key", complexity: "O(1)", acl: ["write", "string", "slow"], handler: setex },
  { name: "psetex", arity: 4, flags: ["write", "denyoom"], keys: [1, 1, 1], group: "string", since: "2.6.0", summary: "Set the value and expiration in milliseconds of a key", complexity: "O(1)", acl: ["write", "string", "slow"], handler: psetex },
  { name: "mget", arity: -2, flags: ["readonly", "fast"], keys: [1, -1, 1], group: "string", since: "1.0.0", summary: "Get the values of all the given keys", complexity: "O(N) where N is the number of keys to retrieve.", acl: ["read", "string", "fast"], tips: ["request_policy:multi_shard"], handler: mget },
  { name: "mset", arity: -3, flags: ["write", "denyoom"], keys: [1, -1, 2], group: "string", since: "1.0.1", summary: "Set multiple keys to multiple values", complexity: "O(N) where N is the number of keys to set.", acl: ["write", "string", "slow"], tips: ["request_policy:multi_shard", "response_policy:all_succeeded"], handler: mset },
  { name: "msetnx", arity: -3, flags: ["write", "denyoom"], keys: [1, -1, 2], group: "string", since: "1.0.1", summary: "Set multiple keys to multiple values, only if none of the keys exist", complexity: "O(N) where N is the number of keys to set.", acl: ["write", "string", "slow"], tips: ["request_policy:multi_shard", "response_policy:agg_min"], handler: msetnx },
  { name: "getset", arity: 3, flags: ["write", "denyoom", "fast"], keys: [1, 1, 1], group: "string", since: "1.0.0", summary: "Set the string value of a key and return its old value", complexity: "O(1)", acl: ["write", "string", "fast"], handler: getset },
  { name: "getdel", arity: 2, flags: ["write", "fast"], keys: [1, 1, 1], group: "string", since: "6.2.0", summary: "Get the value of a key and delete the key", complexity: "O(1)", acl: ["write", "string", "fast"], handler: getdel },
  { name: "getex", arity: -2, flags: ["write", "fast"], keys: [1, 1, 1], group: "string", since: "6.2.0", summary: "Get the value of a key and optionally set its expiration", complexity: "O(1)", acl: ["write", "string", "fast"], handler: getex },
  { name: "append", arity: 3, flags: ["write", "denyoom", "fast"], keys: [1, 1, 1], group: "string", since: "2.0.0", summary: "Append a value to a key", complexity: "O(1). The amortized time complexity is O(1) assuming the appended value is small and the already present value is of any size, since the dynamic string library used by Redis will double the free space available on every reallocation.", acl: ["write", "string", "fast"], handler: append },
  { name: "strlen", arity: 2, flags: ["readonly", "fast"], keys: [1, 1, 1], group: "string", since: "2.2.0", summary: "Get the length of the value stored in a key", complexity: "O(1)", acl: ["read", "string", "fast"], handler: strlen },
  { name: "incr", arity: 2, flags: ["write", "denyoom", "fast"], keys: [1, 1, 1], group: "string", since: "1.0.0", summary: "Increment the integer value of a key by one", complexity: "O(1)", acl: ["write", "string", "fast"], handler: incr },
  { name: "decr", arity: 2, flags: ["write", "denyoom", "fast"], keys: [1, 1, 1], group: "string", since: "1.0.0", summary: "Decrement the integer value of a key by one", complexity: "O(1)", acl: ["write", "string", "fast"], handler: decr },
  { name: "incrby", arity: 3, flags: ["write", "denyoom", "fast"], keys: [1, 1, 1], group: "string", since: "1.0.0", summary: "Increment the integer value of a key by the given amount", complexity: "O(1)", acl: ["write", "string", "fast"], handler: incrby },
  { name: "decrby", arity: 3, flags: ["write", "denyoom", "fast"], keys: [1, 1, 1], group: "string", since: "1.0.0", summary: "Decrement the integer value of a key by the given number", complexity: "O(1)", acl: ["write", "string", "fast"], handler: decrby },
  { name: "incrbyfloat", arity: 3, flags: ["write", "denyoom", "fast"], keys: [1, 1, 1], group: "string", since: "2.6.0", summary: "Increment the float value of a key by the given amount", complexity: "O(1)", acl: ["write", "string", "fast"], handler: incrbyfloat },
  { name: "getrange", arity: 4, flags: ["readonly"], keys: [1, 1, 1], group: "string", since: "2.4.0", summary: "Get a substring of the string stored at a key", complexity: "O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.", acl: ["read", "string", "slow"], handler: getrange },
  { name: "setrange", arity: 4, flags: ["write", "denyoom"], keys: [1, 1, 1], group: "string", since: "2.2.0", summary: "Overwrite part of a string at key starting at the specified offset", complexity: "O(1), not counting the time taken to copy the new string in place. Usually, this string is very small so the amortized complexity is O(1). Otherwise, complexity is O(M) with M being the length of the value argument.", acl: ["write", "string", "slow"], handler: setrange },
  { name: "substr", arity: 4, flags: ["readonly"], keys: [1, 1, 1], group: "string", since: "1.0.0", summary: "Get a substring of the string stored at a key", complexity: "O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.", acl: ["read", "string", "slow"], handler: getrange },
  { name: "lcs", arity: -3, flags: ["readonly"], keys: [1, 2, 1], group: "string", since: "7.0.0", summary: "Find longest common substring", complexity: "O(N*M) where N and M are the lengths of s1 and s2, respectively", acl: ["read", "string", "slow"], handler: lcs },
);
