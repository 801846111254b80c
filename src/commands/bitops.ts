// Bitmap commands (Redis bitops.c): SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD and
// BITFIELD_RO. Bit 0 is the most significant bit of the first byte.

import { register } from "./table.ts";
import type { Client } from "../server/client.ts";
import { T_STRING } from "../keyspace/db.ts";
import { EMPTY, is, parseInt64 } from "../util/bytes.ts";
import { NOT_INTEGER, SYNTAX, WRONGTYPE } from "../server/errors.ts";
import { keyAdded, toNum, workBuffer } from "./strings.ts";
import { lookupRead } from "./keys.ts";

const BIT_OFFSET_ERR = "ERR bit offset is not an integer or out of range";
const BIT_VALUE_ERR = "ERR bit is not an integer or out of range";
const BITFIELD_TYPE_ERR = "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.";

/**
 * getBitOffsetFromArgument: a bit offset below proto-max-bulk-len bytes, or -1 after an
 * error reply. With `bits` > 0 the "#N" form means N * bits (BITFIELD).
 */
function bitOffset(c: Client, arg: Uint8Array, bits: number): number {
  const hash = bits > 0 && arg.length > 0 && arg[0] === 35; /* # */
  const v = parseInt64(hash ? arg.subarray(1) : arg);
  if (v === null) {
    c.out.error(BIT_OFFSET_ERR);
    return -1;
  }
  const off = hash ? toNum(v) * bits : toNum(v);
  if (off < 0 || Math.floor(off / 8) >= c.shard.config.getNum("proto-max-bulk-len")) {
    c.out.error(BIT_OFFSET_ERR);
    return -1;
  }
  return off;
}

interface BitTarget {
  /** The stored value itself: writes through to the key. */
  bits: Uint8Array;
  /** The key was created or lengthened (counts as a change even if no bit flips). */
  grown: boolean;
}

/**
 * lookupStringForBitCommand: the key's value as writable raw storage, zero-padded so that
 * bit `maxbit` exists; null after a WRONGTYPE reply. Raw values are edited in place, so a
 * bit write costs O(1) however big the bitmap is.
 */
function writableBits(c: Client, key: Uint8Array, maxbit: number): BitTarget | null {
  const db = c.db;
  const need = Math.floor(maxbit / 8) + 1;
  const addr = db.lookup(key);
  if (addr === 0) {
    const na = db.setStrGrowable(key, workBuffer(need));
    keyAdded(c, key);
    return { bits: db.str(na), grown: true };
  }
  if (db.type(addr) !== T_STRING) {
    c.out.error(WRONGTYPE);
    return null;
  }
  const len = db.strLen(addr);
  if (len >= need && db.isRaw(addr)) return { bits: db.str(addr), grown: false };
  const buf = workBuffer(len > need ? len : need);
  buf.set(db.str(addr));
  const na = db.setStrGrowable(key, buf);
  return { bits: db.str(na), grown: len < need };
}

function setbit(c: Client, argv: Uint8Array[]): void {
  const offset = bitOffset(c, argv[2], 0);
  if (offset < 0) return;
  const on = parseInt64(argv[3]);
  if (on !== 0 && on !== 1) return c.out.error(BIT_VALUE_ERR);
  const key = argv[1];
  const t = writableBits(c, key, offset);
  if (t === null) return;
  const byte = Math.floor(offset / 8);
  const mask = 1 << (7 - (offset & 7));
  const old = t.bits[byte] & mask;
  if (t.grown || (old !== 0) !== (on === 1)) {
    t.bits[byte] = on === 1 ? t.bits[byte] | mask : t.bits[byte] & ~mask;
    c.written(key, "setbit", "$");
  }
  c.out.int(old !== 0 ? 1 : 0);
}

function getbit(c: Client, argv: Uint8Array[]): void {
  const offset = bitOffset(c, argv[2], 0);
  if (offset < 0) return;
  const db = c.db;
  const addr = lookupRead(c, argv[1]);
  if (addr === 0) return c.out.int(0);
  if (db.type(addr) !== T_STRING) return c.out.error(WRONGTYPE);
  const byte = Math.floor(offset / 8);
  if (byte >= db.strLen(addr)) return c.out.int(0);
  c.out.int((db.str(addr)[byte] >> (7 - (offset & 7))) & 1);
}

// ---- counting and searching ------------------------------------------------------------

const POPCOUNT = new Uint8Array(256);
for (let i = 1; i < 256; i++) POPCOUNT[i] = POPCOUNT[i >> 1] + (i & 1);

/** Set bits in p[from, from+n), a 32-bit word at a time once aligned. */
function popcount(p: Uint8Array, from: number, n: number): number {
  let count = 0;
  let i = from;
  const end = from + n;
  while (i < end && ((p.byteOffset + i) & 3) !== 0) count += POPCOUNT[p[i++]];
  const words = Math.floor((end - i) / 4);
  if (words > 0) {
    const u32 = new Uint32Array(p.buffer, p.byteOffset + i, words);
    for (let k = 0; k < words; k++) {
      let v = u32[k];
      v = v - ((v >>> 1) & 0x55555555);
      v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
      count += Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
    }
    i += words * 4;
  }
  while (i < end) count += POPCOUNT[p[i++]];
  return count;
}

/**
 * redisBitpos over p[from, from+n): position of the first `bit`, counted from `from`.
 * Missing 1s give -1; missing 0s give n*8 (the string continues with zeros).
 */
function bitposIn(p: Uint8Array, from: number, n: number, bit: number): number {
  const skip = bit ? 0 : 0xff;
  const end = from + n;
  let i = from;
  while (i < end && p[i] === skip && ((p.byteOffset + i) & 3) !== 0) i++;
  if (end - i >= 64 && p[i] === skip) {
    // Long runs of the skipped byte go a 32-bit word at a time.
    const words = new Uint32Array(p.buffer, p.byteOffset + i, Math.floor((end - i) / 4));
    const skipWord = bit ? 0 : 0xffffffff;
    let k = 0;
    while (k < words.length && words[k] === skipWord) k++;
    i += k * 4;
  }
  while (i < end && p[i] === skip) i++;
  if (i === end) return bit ? -1 : n * 8;
  const b = bit ? p[i] : ~p[i] & 0xff;
  return (i - from) * 8 + Math.clz32(b) - 24;
}

function bitposByte(b: number, bit: number): number {
  return bitposIn(BYTE.fill(b), 0, 1, bit);
}
const BYTE = new Uint8Array(1);

/** Parse a BYTE|BIT unit argument; null after a syntax error reply. */
function unitIsBit(c: Client, arg: Uint8Array): boolean | null {
  if (is(arg, "bit")) return true;
  if (is(arg, "byte")) return false;
  c.out.error(SYNTAX);
  return null;
}

function bitcount(c: Client, argv: Uint8Array[]): void {
  const db = c.db;
  const addr = lookupRead(c, argv[1]);
  if (addr === 0) return c.out.int(0);
  if (db.type(addr) !== T_STRING) return c.out.error(WRONGTYPE);
  const p = db.str(addr);
  const strlen = p.length;
  let start: number;
  let end: number;
  let firstMask = 0;
  let lastMask = 0;
  if (argv.length === 4 || argv.length === 5) {
    const s = parseInt64(argv[2]);
    if (s === null) return c.out.error(NOT_INTEGER);
    const e = parseInt64(argv[3]);
    if (e === null) return c.out.error(NOT_INTEGER);
    if (s < 0 && e < 0 && s > e) return c.out.int(0);
    let isBit = false;
    if (argv.length === 5) {
      const u = unitIsBit(c, argv[4]);
      if (u === null) return;
      isBit = u;
    }
    const total = isBit ? strlen * 8 : strlen;
    start = toNum(s);
    end = toNum(e);
    if (start < 0) start += total;
    if (end < 0) end += total;
    if (start < 0) start = 0;
    if (end < 0) end = 0;
    if (end >= total) end = total - 1;
    if (isBit && start <= end) {
      // Bits of the edge bytes outside the range, subtracted after counting whole bytes.
      firstMask = ~((1 << (8 - (start & 7))) - 1) & 0xff;
      lastMask = (1 << (7 - (end & 7))) - 1;
      start = Math.floor(start / 8);
      end = Math.floor(end / 8);
    }
  } else if (argv.length === 2) {
    start = 0;
    end = strlen - 1;
  } else {
    return c.out.error(SYNTAX);
  }
  if (start > end) return c.out.int(0);
  let count = popcount(p, start, end - start + 1);
  if (firstMask !== 0) count -= POPCOUNT[p[start] & firstMask];
  if (lastMask !== 0) count -= POPCOUNT[p[end] & lastMask];
  c.out.int(count);
}

function bitpos(c: Client, argv: Uint8Array[]): void {
  const bitArg = parseInt64(argv[2]);
  if (bitArg === null) return c.out.error(NOT_INTEGER);
  if (bitArg !== 0 && bitArg !== 1) return c.out.error("ERR The bit argument must be 1 or 0.");
  const bit = bitArg;
  const db = c.db;
  const addr = lookupRead(c, argv[1]);
  // A missing key is an endless run of zeros.
  if (addr === 0) return c.out.int(bit ? -1 : 0);
  if (db.type(addr) !== T_STRING) return c.out.error(WRONGTYPE);
  const p = db.str(addr);
  const strlen = p.length;
  let start: number;
  let end: number;
  let endGiven = false;
  let firstMask = 0;
  let lastMask = 0;
  if (argv.length >= 4 && argv.length <= 6) {
    const s = parseInt64(argv[3]);
    if (s === null) return c.out.error(NOT_INTEGER);
    let isBit = false;
    if (argv.length === 6) {
      const u = unitIsBit(c, argv[5]);
      if (u === null) return;
      isBit = u;
    }
    start = toNum(s);
    if (argv.length >= 5) {
      const e = parseInt64(argv[4]);
      if (e === null) return c.out.error(NOT_INTEGER);
      end = toNum(e);
      endGiven = true;
    } else {
      end = strlen - 1;
    }
    const total = isBit ? strlen * 8 : strlen;
    if (start < 0) start += total;
    if (end < 0) end += total;
    if (start < 0) start = 0;
    if (end < 0) end = 0;
    if (end >= total) end = total - 1;
    if (isBit && start <= end) {
      firstMask = ~((1 << (8 - (start & 7))) - 1) & 0xff;
      lastMask = (1 << (7 - (end & 7))) - 1;
      start = Math.floor(start / 8);
      end = Math.floor(end / 8);
    }
  } else if (argv.length === 3) {
    start = 0;
    end = strlen - 1;
  } else {
    return c.out.error(SYNTAX);
  }
  if (start > end) return c.out.int(-1);

  // Search the partial first byte, the whole bytes, then the partial last byte; masked-out
  // bits are forced to the value not searched for.
  let bytes = end - start + 1;
  let pos: number;
  found: {
    if (firstMask !== 0) {
      let b = bit ? p[start] & ~firstMask & 0xff : p[start] | firstMask;
      if (lastMask !== 0 && bytes === 1) b = bit ? b & ~lastMask : b | lastMask;
      pos = bitposByte(b, bit);
      if (bytes === 1 || (pos !== -1 && pos !== 8)) break found;
      start++;
      bytes--;
    }
    const whole = bytes - (lastMask !== 0 ? 1 : 0);
    if (whole > 0) {
      pos = bitposIn(p, start, whole, bit);
      if (bytes === whole || (pos !== -1 && pos !== whole * 8)) break found;
      start += whole;
      bytes -= whole;
    }
    pos = bitposByte(bit ? p[end] & ~lastMask & 0xff : p[end] | lastMask, bit);
  }
  // With an explicit end, running off the range looking for a 0 means there is none.
  if (endGiven && bit === 0 && pos === bytes * 8) return c.out.int(-1);
  c.out.int(pos === -1 ? -1 : pos + start * 8);
}

// ---- BITOP -------------------------------------------------------------------------------

const OP_AND = 0;
const OP_OR = 1;
const OP_XOR = 2;
const OP_NOT = 3;

function bitop(c: Client, argv: Uint8Array[]): void {
  const name = argv[1];
  let op: number;
  if (is(name, "and")) op = OP_AND;
  else if (is(name, "or")) op = OP_OR;
  else if (is(name, "xor")) op = OP_XOR;
  else if (is(name, "not")) op = OP_NOT;
  else return c.out.error(SYNTAX);
  if (op === OP_NOT && argv.length !== 4) return c.out.error("ERR BITOP NOT must be called with a single source key.");

  // Views stay valid: lookups never move records and nothing is written until the end.
  const db = c.db;
  const srcs: Uint8Array[] = [];
  let maxlen = 0;
  for (let j = 3; j < argv.length; j++) {
    const addr = lookupRead(c, argv[j]);
    if (addr === 0) {
      srcs.push(EMPTY);
      continue;
    }
    if (db.type(addr) !== T_STRING) return c.out.error(WRONGTYPE);
    const v = db.str(addr);
    srcs.push(v);
    if (v.length > maxlen) maxlen = v.length;
  }

  const target = argv[2];
  if (maxlen === 0) {
    if (db.del(target)) c.written(target, "del", "g");
    return c.out.int(0);
  }
  const res = new Uint8Array(maxlen);
  const first = srcs[0];
  if (op === OP_NOT) {
    for (let i = 0; i < maxlen; i++) res[i] = ~first[i];
  } else {
    res.set(first);
    for (let k = 1; k < srcs.length; k++) {
      const s = srcs[k];
      const n = s.length;
      if (op === OP_AND) {
        for (let i = 0; i < n; i++) res[i] &= s[i];
        res.fill(0, n);
      } else if (op === OP_OR) {
        for (let i = 0; i < n; i++) res[i] |= s[i];
      } else {
        for (let i = 0; i < n; i++) res[i] ^= s[i];
      }
    }
  }
  const found = db.lookup(target) !== 0;
  db.setStr(target, res, false, true);
  if (!found) keyAdded(c, target);
  c.written(target, "set", "$");
  c.out.int(maxlen);
}

// ---- BITFIELD ----------------------------------------------------------------------------

const BF_GET = 0;
const BF_SET = 1;
const BF_INCRBY = 2;

const OV_WRAP = 0;
const OV_SAT = 1;
const OV_FAIL = 2;

interface FieldOp {
  opcode: number;
  offset: number;
  bits: number;
  signed: boolean;
  /** SET value or INCRBY increment (int64). */
  value: bigint;
  overflow: number;
}

/** Unsigned value of the `bits`-wide field at bit `offset`; bytes past the end read as 0. */
function readField(p: Uint8Array, offset: number, bits: number): bigint {
  let hi = 0;
  let lo = 0;
  const split = bits > 32 ? bits - 32 : 0;
  for (let j = 0; j < bits; j++) {
    const o = offset + j;
    const byte = Math.floor(o / 8);
    const b = byte < p.length ? (p[byte] >> (7 - (o & 7))) & 1 : 0;
    if (j < split) hi = hi * 2 + b;
    else lo = lo * 2 + b;
  }
  return split > 0 ? (BigInt(hi) << 32n) | BigInt(lo) : BigInt(lo);
}

/** Store the low `bits` bits of value (two's complement for negatives) at bit `offset`. */
function writeField(p: Uint8Array, offset: number, bits: number, value: bigint): void {
  const u = BigInt.asUintN(64, value);
  const lo = Number(u & 0xffffffffn);
  const hi = Number(u >> 32n);
  for (let j = 0; j < bits; j++) {
    const k = bits - 1 - j; // bit index from the least significant end
    const b = k < 32 ? (lo >>> k) & 1 : (hi >>> (k - 32)) & 1;
    const o = offset + j;
    const byte = Math.floor(o / 8);
    const mask = 1 << (7 - (o & 7));
    p[byte] = b ? p[byte] | mask : p[byte] & ~mask;
  }
}

function readSigned(p: Uint8Array, offset: number, bits: number): bigint {
  return BigInt.asIntN(bits, readField(p, offset, bits));
}

/** The wrapped or saturated result left by the last overflow check that reported one. */
let limit = 0n;

/*
 * checkUnsignedBitfieldOverflow / checkSignedBitfieldOverflow with C's 64-bit wrapping:
 * return 0 when value+incr fits, else 1 (overflow) or -1 (underflow) after setting `limit`
 * (unless the mode is FAIL).
 */
function unsignedOverflow(value: bigint, incr: bigint, bits: number, ov: number): number {
  const max = (1n << BigInt(bits)) - 1n;
  const maxincr = BigInt.asIntN(64, max - value);
  const minincr = BigInt.asIntN(64, -value);
  let dir = 0;
  if (value > max || (incr > 0n && incr > maxincr)) dir = 1;
  else if (incr < 0n && incr < minincr) dir = -1;
  if (dir === 0) return 0;
  if (ov === OV_WRAP) limit = BigInt.asUintN(bits, value + incr);
  else if (ov === OV_SAT) limit = dir > 0 ? max : 0n;
  return dir;
}

function signedOverflow(value: bigint, incr: bigint, bits: number, ov: number): number {
  const max = (1n << BigInt(bits - 1)) - 1n;
  const min = -max - 1n;
  const maxincr = BigInt.asIntN(64, max - value);
  const minincr = BigInt.asIntN(64, min - value);
  let dir = 0;
  if (value > max || (bits !== 64 && incr > maxincr) || (value >= 0n && incr > 0n && incr > maxincr)) dir = 1;
  else if (value < min || (bits !== 64 && incr < minincr) || (value < 0n && incr < 0n && incr < minincr)) dir = -1;
  if (dir === 0) return 0;
  if (ov === OV_WRAP) limit = BigInt.asIntN(bits, value + incr);
  else if (ov === OV_SAT) limit = dir > 0 ? max : min;
  return dir;
}

/** Parse "i<bits>" (1..64) or "u<bits>" (1..63); 0 after an error reply, else ±bits (negative = signed). */
function fieldType(c: Client, arg: Uint8Array): number {
  const sign = arg.length > 0 ? arg[0] : 0;
  if (sign === 105 /* i */ || sign === 117 /* u */) {
    const n = parseInt64(arg.subarray(1));
    if (n !== null && n >= 1 && n <= (sign === 105 ? 64 : 63)) return sign === 105 ? -toNum(n) : toNum(n);
  }
  c.out.error(BITFIELD_TYPE_ERR);
  return 0;
}

function bitfieldGeneric(c: Client, argv: Uint8Array[], readonlyCommand: boolean): void {
  const ops: FieldOp[] = [];
  let overflow = OV_WRAP;
  let writes = false;
  let highest = 0;
  for (let j = 2; j < argv.length; j++) {
    const rem = argv.length - j - 1;
    const sub = argv[j];
    let opcode: number;
    if (is(sub, "get") && rem >= 2) opcode = BF_GET;
    else if (is(sub, "set") && rem >= 3) opcode = BF_SET;
    else if (is(sub, "incrby") && rem >= 3) opcode = BF_INCRBY;
    else if (is(sub, "overflow") && rem >= 1) {
      const kind = argv[++j];
      if (is(kind, "wrap")) overflow = OV_WRAP;
      else if (is(kind, "sat")) overflow = OV_SAT;
      else if (is(kind, "fail")) overflow = OV_FAIL;
      else return c.out.error("ERR Invalid OVERFLOW type specified");
      continue;
    } else {
      return c.out.error(SYNTAX);
    }
    const type = fieldType(c, argv[j + 1]);
    if (type === 0) return;
    const bits = type < 0 ? -type : type;
    const offset = bitOffset(c, argv[j + 2], bits);
    if (offset < 0) return;
    let value = 0n;
    if (opcode !== BF_GET) {
      writes = true;
      if (offset + bits - 1 > highest) highest = offset + bits - 1;
      const v = parseInt64(argv[j + 3]);
      if (v === null) return c.out.error(NOT_INTEGER);
      value = BigInt(v);
    }
    ops.push({ opcode, offset, bits, signed: type < 0, value, overflow });
    j += opcode === BF_GET ? 2 : 3;
  }

  const key = argv[1];
  let p: Uint8Array = EMPTY;
  let grown = false;
  if (!writes) {
    const db = c.db;
    const addr = lookupRead(c, key);
    if (addr !== 0) {
      if (db.type(addr) !== T_STRING) return c.out.error(WRONGTYPE);
      p = db.str(addr);
    }
  } else {
    if (readonlyCommand) return c.out.error("ERR BITFIELD_RO only supports the GET subcommand");
    const t = writableBits(c, key, highest);
    if (t === null) return;
    p = t.bits;
    grown = t.grown;
  }

  const out = c.out;
  out.array(ops.length);
  let changes = 0;
  for (const op of ops) {
    if (op.opcode === BF_GET) {
      out.int(op.signed ? readSigned(p, op.offset, op.bits) : readField(p, op.offset, op.bits));
      continue;
    }
    const old = op.signed ? readSigned(p, op.offset, op.bits) : readField(p, op.offset, op.bits);
    const check = op.signed ? signedOverflow : unsignedOverflow;
    let next: bigint;
    let reply: bigint;
    let over: number;
    if (op.opcode === BF_INCRBY) {
      over = check(old, op.value, op.bits, op.overflow);
      next = over !== 0 ? limit : op.signed ? old + op.value : BigInt.asUintN(64, old + op.value);
      reply = next;
    } else {
      // SET stores the int64 argument; unsigned fields see it as its uint64 bit pattern.
      const v = op.signed ? op.value : BigInt.asUintN(64, op.value);
      over = check(v, 0n, op.bits, op.overflow);
      next = over !== 0 ? limit : v;
      reply = old;
    }
    if (over !== 0 && op.overflow === OV_FAIL) {
      out.nil();
      continue;
    }
    out.int(reply);
    writeField(p, op.offset, op.bits, next);
    if (grown || old !== next) changes++;
  }
  if (changes > 0) {
    c.written(key, "setbit", "$");
    // Redis adds one dirty change per modifying operation.
    c.shard.dirty += changes - 1;
  }
}

function bitfield(c: Client, argv: Uint8Array[]): void {
  bitfieldGeneric(c, argv, false);
}

function bitfieldRo(c: Client, argv: Uint8Array[]): void {
  bitfieldGeneric(c, argv, true);
}

register(
  { name: "setbit", arity: 4, flags: ["write", "denyoom"], keys: [1, 1, 1], group: "bitmap", since: "2.2.0", summary: "Sets or clears the bit at offset in the string value stored at key", complexity: "O(1)", acl: ["write", "bitmap", "slow"], handler: setbit },
  { name: "getbit", arity: 3, flags: ["readonly", "fast"], keys: [1, 1, 1], group: "bitmap", since: "2.2.0", summary: "Returns the bit value at offset in the string value stored at key", complexity: "O(1)", acl: ["read", "bitmap", "fast"], handler: getbit },
  { name: "bitcount", arity: -2, flags: ["readonly"], keys: [1, 1, 1], group: "bitmap", since: "2.6.0", summary: "Count set bits in a string", complexity: "O(N)", acl: ["read", "bitmap", "slow"], handler: bitcount },
  { name: "bitpos", arity: -3, flags: ["readonly"], keys: [1, 1, 1], group: "bitmap", since: "2.8.7", summary: "Find first bit set or clear in a string", complexity: "O(N)", acl: ["read", "bitmap", "slow"], handler: bitpos },
  { name: "bitop", arity: -4, flags: ["write", "denyoom"], keys: [2, -1, 1], group: "bitmap", since: "2.6.0", summary: "Perform bitwise operations between strings", complexity: "O(N)", acl: ["write", "bitmap", "slow"], handler: bitop },
  { name: "bitfield", arity: -2, flags: ["write", "denyoom"], keys: [1, 1, 1], group: "bitmap", since: "3.2.0", summary: "Perform arbitrary bitfield integer operations on strings", complexity: "O(1) for each subcommand specified", acl: ["write", "bitmap", "slow"], handler: bitfield },
  { name: "bitfield_ro", arity: -2, flags: ["readonly", "fast"], keys: [1, 1, 1], group: "bitmap", since: "6.0.0", summary: "Perform arbitrary bitfield integer operations on strings. Read-only variant of BITFIELD", complexity: "O(1) for each subcommand specified", acl: ["read", "bitmap", "fast"], handler: bitfieldRo },
);
