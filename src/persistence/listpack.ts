// The compact blobs Redis embeds in RDB values: listpacks (written and read), and the
// legacy ziplists, intsets and zipmaps (read; intsets are also written). Every reader checks
// the structure against the blob's bounds and throws FormatError instead of reading past it.

import { parseInt64 } from "../util/bytes.ts";

export class FormatError extends Error {}

/** An element as stored: bytes, or an integer the blob holds in binary form. */
export type Element = Uint8Array | number | bigint;

const encoder = new TextEncoder();

/** The bytes an element stands for (integers as their decimal text). */
export function elementBytes(e: Element): Uint8Array {
  return e instanceof Uint8Array ? e : encoder.encode(String(e));
}

/** An element as an integer, when it is one (stream IDs, flags and counters). */
export function elementInt(e: Element): number | bigint {
  if (typeof e !== "object") return e;
  const v = parseInt64(e);
  if (v === null) throw new FormatError("listpack element is not an integer");
  return v;
}

// ---- listpack writer ----------------------------------------------------------------------

const LP_HDR = 6;

/** Builds one listpack the way Redis encodes it (integers in their smallest int encoding). */
export class ListpackBuilder {
  private buf = new Uint8Array(256);
  private len = LP_HDR;
  count = 0;

  get bytes(): number {
    return this.len + 1;
  }

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const nb = new Uint8Array(cap);
    nb.set(this.buf.subarray(0, this.len));
    this.buf = nb;
  }

  /** lpAppend of a string: stored as an integer when it is one in canonical form. */
  addString(s: Uint8Array): void {
    if (s.length <= 20) {
      const v = parseInt64(s);
      if (v !== null) return this.addInt(v);
    }
    const n = s.length;
    this.ensure(n + 10);
    const buf = this.buf;
    let o = this.len;
    if (n < 64) buf[o++] = 0x80 | n;
    else if (n < 4096) {
      buf[o++] = 0xe0 | (n >> 8);
      buf[o++] = n & 0xff;
    } else {
      buf[o++] = 0xf0;
      buf[o++] = n & 0xff;
      buf[o++] = (n >>> 8) & 0xff;
      buf[o++] = (n >>> 16) & 0xff;
      buf[o++] = (n >>> 24) & 0xff;
    }
    buf.set(s, o);
    o += n;
    this.finishElement(o);
  }

  addInt(v: number | bigint): void {
    this.ensure(16);
    const buf = this.buf;
    let o = this.len;
    if (typeof v === "number" && v >= -2147483648 && v <= 2147483647) {
      if (v >= 0 && v <= 127) buf[o++] = v;
      else if (v >= -4096 && v <= 4095) {
        const u = v < 0 ? 8192 + v : v;
        buf[o++] = 0xc0 | (u >> 8);
        buf[o++] = u & 0xff;
      } else if (v >= -32768 && v <= 32767) {
        const u = v < 0 ? 65536 + v : v;
        buf[o++] = 0xf1;
        buf[o++] = u & 0xff;
        buf[o++] = u >> 8;
      } else if (v >= -8388608 && v <= 8388607) {
        const u = v < 0 ? 16777216 + v : v;
        buf[o++] = 0xf2;
        buf[o++] = u & 0xff;
        buf[o++] = (u >> 8) & 0xff;
        buf[o++] = u >> 16;
      } else {
        buf[o++] = 0xf3;
        buf[o++] = v & 0xff;
        buf[o++] = (v >> 8) & 0xff;
        buf[o++] = (v >> 16) & 0xff;
        buf[o++] = (v >> 24) & 0xff;
      }
    } else {
      buf[o++] = 0xf4;
      new DataView(buf.buffer).setBigInt64(o, BigInt(v), true);
      o += 8;
    }
    this.finishElement(o);
  }

  /** Append the back-length of the element that starts at this.len and ends at o. */
  private finishElement(o: number): void {
    const l = o - this.len;
    const buf = this.buf;
    if (l <= 127) buf[o++] = l;
    else if (l < 16383) {
      buf[o++] = l >> 7;
      buf[o++] = (l & 127) | 128;
    } else if (l < 2097151) {
      buf[o++] = l >> 14;
      buf[o++] = ((l >> 7) & 127) | 128;
      buf[o++] = (l & 127) | 128;
    } else if (l < 268435455) {
      buf[o++] = l >> 21;
      buf[o++] = ((l >> 14) & 127) | 128;
      buf[o++] = ((l >> 7) & 127) | 128;
      buf[o++] = (l & 127) | 128;
    } else {
      buf[o++] = Math.floor(l / 2 ** 28);
      buf[o++] = ((l >>> 21) & 127) | 128;
      buf[o++] = ((l >>> 14) & 127) | 128;
      buf[o++] = ((l >>> 7) & 127) | 128;
      buf[o++] = (l & 127) | 128;
    }
    this.len = o;
    this.count++;
  }

  /** The finished blob (the builder can be reused after reset()). */
  finish(): Uint8Array {
    this.ensure(1);
    this.buf[this.len] = 0xff;
    const total = this.len + 1;
    const out = this.buf.slice(0, total);
    const v = new DataView(out.buffer);
    v.setUint32(0, total, true);
    v.setUint16(4, this.count > 65535 ? 65535 : this.count, true);
    return out;
  }

  reset(): void {
    this.len = LP_HDR;
    this.count = 0;
  }
}

// ---- listpack reader ----------------------------------------------------------------------

function backlenSize(l: number): number {
  return l <= 127 ? 1 : l < 16383 ? 2 : l < 2097151 ? 3 : l < 268435455 ? 4 : 5;
}

/** Every element of a listpack, validating header, entries, back-lengths and terminator. */
export function parseListpack(lp: Uint8Array): Element[] {
  const n = lp.length;
  if (n < LP_HDR + 1) throw new FormatError("listpack too short");
  const dv = new DataView(lp.buffer, lp.byteOffset, n);
  if (dv.getUint32(0, true) !== n) throw new FormatError("listpack header size mismatch");
  if (lp[n - 1] !== 0xff) throw new FormatError("listpack without terminator");
  const declared = dv.getUint16(4, true);
  const out: Element[] = [];
  let p = LP_HDR;
  const end = n - 1;
  while (p < end) {
    const start = p;
    const b = lp[p];
    let e: Element;
    if (b < 0x80) {
      e = b;
      p += 1;
    } else if ((b & 0xc0) === 0x80) {
      const len = b & 0x3f;
      if (p + 1 + len > end) throw new FormatError("listpack string overflows");
      e = lp.slice(p + 1, p + 1 + len);
      p += 1 + len;
    } else if ((b & 0xe0) === 0xc0) {
      if (p + 2 > end) throw new FormatError("listpack entry overflows");
      const u = ((b & 0x1f) << 8) | lp[p + 1];
      e = u >= 4096 ? u - 8192 : u;
      p += 2;
    } else if ((b & 0xf0) === 0xe0) {
      if (p + 2 > end) throw new FormatError("listpack entry overflows");
      const len = ((b & 0x0f) << 8) | lp[p + 1];
      if (p + 2 + len > end) throw new FormatError("listpack string overflows");
      e = lp.slice(p + 2, p + 2 + len);
      p += 2 + len;
    } else if (b === 0xf0) {
      if (p + 5 > end) throw new FormatError("listpack entry overflows");
      const len = dv.getUint32(p + 1, true);
      if (p + 5 + len > end) throw new FormatError("listpack string overflows");
      e = lp.slice(p + 5, p + 5 + len);
      p += 5 + len;
    } else if (b === 0xf1) {
      if (p + 3 > end) throw new FormatError("listpack entry overflows");
      e = dv.getInt16(p + 1, true);
      p += 3;
    } else if (b === 0xf2) {
      if (p + 4 > end) throw new FormatError("listpack entry overflows");
      const u = lp[p + 1] | (lp[p + 2] << 8) | (lp[p + 3] << 16);
      e = u >= 0x800000 ? u - 0x1000000 : u;
      p += 4;
    } else if (b === 0xf3) {
      if (p + 5 > end) throw new FormatError("listpack entry overflows");
      e = dv.getInt32(p + 1, true);
      p += 5;
    } else if (b === 0xf4) {
      if (p + 9 > end) throw new FormatError("listpack entry overflows");
      const v = dv.getBigInt64(p + 1, true);
      e = v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
      p += 9;
    } else {
      throw new FormatError(`listpack: bad entry encoding 0x${b.toString(16)}`);
    }
    const l = p - start;
    const bl = backlenSize(l);
    if (p + bl > end) throw new FormatError("listpack back-length overflows");
    let v = 0;
    for (let k = 0; k < bl; k++) v = v * 128 + (lp[p + k] & 127);
    if (v !== l) throw new FormatError("listpack back-length mismatch");
    p += bl;
    out.push(e);
  }
  if (p !== end) throw new FormatError("listpack entries overflow the terminator");
  if (declared !== 65535 && declared !== out.length) throw new FormatError("listpack element count mismatch");
  return out;
}

// ---- ziplist reader (RDB 7-9 lists, hashes, zsets) ---------------------------------------------

export function parseZiplist(zl: Uint8Array): Element[] {
  const n = zl.length;
  if (n < 11) throw new FormatError("ziplist too short");
  const dv = new DataView(zl.buffer, zl.byteOffset, n);
  if (dv.getUint32(0, true) !== n) throw new FormatError("ziplist header size mismatch");
  if (zl[n - 1] !== 0xff) throw new FormatError("ziplist without terminator");
  const tail = dv.getUint32(4, true);
  const declared = dv.getUint16(8, true);
  const end = n - 1;
  const out: Element[] = [];
  let p = 10;
  let prevLen = 0;
  let last = p;
  while (p < end) {
    const start = p;
    last = p;
    let pl: number;
    if (zl[p] < 254) {
      pl = zl[p];
      p += 1;
    } else if (zl[p] === 254) {
      if (p + 5 > end) throw new FormatError("ziplist entry overflows");
      pl = dv.getUint32(p + 1, true);
      p += 5;
    } else {
      throw new FormatError("ziplist: bad prevlen");
    }
    if (pl !== prevLen) throw new FormatError("ziplist prevlen mismatch");
    if (p >= end) throw new FormatError("ziplist entry overflows");
    const b = zl[p];
    let e: Element;
    const top = b >> 6;
    if (top === 0) {
      const len = b & 0x3f;
      if (p + 1 + len > end) throw new FormatError("ziplist string overflows");
      e = zl.slice(p + 1, p + 1 + len);
      p += 1 + len;
    } else if (top === 1) {
      if (p + 2 > end) throw new FormatError("ziplist entry overflows");
      const len = ((b & 0x3f) << 8) | zl[p + 1];
      if (p + 2 + len > end) throw new FormatError("ziplist string overflows");
      e = zl.slice(p + 2, p + 2 + len);
      p += 2 + len;
    } else if (b === 0x80) {
      if (p + 5 > end) throw new FormatError("ziplist entry overflows");
      const len = dv.getUint32(p + 1, false);
      if (p + 5 + len > end) throw new FormatError("ziplist string overflows");
      e = zl.slice(p + 5, p + 5 + len);
      p += 5 + len;
    } else if (b === 0xc0) {
      if (p + 3 > end) throw new FormatError("ziplist entry overflows");
      e = dv.getInt16(p + 1, true);
      p += 3;
    } else if (b === 0xd0) {
      if (p + 5 > end) throw new FormatError("ziplist entry overflows");
      e = dv.getInt32(p + 1, true);
      p += 5;
    } else if (b === 0xe0) {
      if (p + 9 > end) throw new FormatError("ziplist entry overflows");
      const v = dv.getBigInt64(p + 1, true);
      e = v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
      p += 9;
    } else if (b === 0xf0) {
      if (p + 4 > end) throw new FormatError("ziplist entry overflows");
      const u = zl[p + 1] | (zl[p + 2] << 8) | (zl[p + 3] << 16);
      e = u >= 0x800000 ? u - 0x1000000 : u;
      p += 4;
    } else if (b === 0xfe) {
      if (p + 2 > end) throw new FormatError("ziplist entry overflows");
      e = dv.getInt8(p + 1);
      p += 2;
    } else if (b >= 0xf1 && b <= 0xfd) {
      e = (b & 0x0f) - 1;
      p += 1;
    } else {
      throw new FormatError(`ziplist: bad entry encoding 0x${b.toString(16)}`);
    }
    prevLen = p - start;
    out.push(e);
  }
  if (p !== end) throw new FormatError("ziplist entries overflow the terminator");
  if (out.length > 0 && tail !== last) throw new FormatError("ziplist tail offset mismatch");
  if (declared !== 65535 && declared !== out.length) throw new FormatError("ziplist element count mismatch");
  return out;
}

// ---- intset -----------------------------------------------------------------------------------

/** The members of an intset blob, ascending (validated to be strictly so). */
export function parseIntset(is: Uint8Array): (number | bigint)[] {
  if (is.length < 8) throw new FormatError("intset too short");
  const dv = new DataView(is.buffer, is.byteOffset, is.length);
  const enc = dv.getUint32(0, true);
  const len = dv.getUint32(4, true);
  if (enc !== 2 && enc !== 4 && enc !== 8) throw new FormatError("intset: bad encoding");
  if (8 + len * enc !== is.length) throw new FormatError("intset size mismatch");
  if (len === 0) throw new FormatError("intset is empty");
  const out: (number | bigint)[] = new Array(len);
  for (let i = 0; i < len; i++) {
    const o = 8 + i * enc;
    if (enc === 2) out[i] = dv.getInt16(o, true);
    else if (enc === 4) out[i] = dv.getInt32(o, true);
    else {
      const v = dv.getBigInt64(o, true);
      out[i] = v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
    }
    if (i > 0 && !(out[i - 1] < out[i])) throw new FormatError("intset is not sorted");
  }
  return out;
}

/** An intset blob of ascending members, in the narrowest encoding that holds them all. */
export function intsetOf(members: (number | bigint)[]): Uint8Array {
  let enc = 2;
  for (const v of members) {
    if (v < -2147483648 || v > 2147483647) {
      enc = 8;
      break;
    }
    if (v < -32768 || v > 32767) enc = 4;
  }
  const out = new Uint8Array(8 + members.length * enc);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, enc, true);
  dv.setUint32(4, members.length, true);
  for (let i = 0; i < members.length; i++) {
    const o = 8 + i * enc;
    const v = members[i];
    if (enc === 2) dv.setInt16(o, Number(v), true);
    else if (enc === 4) dv.setInt32(o, Number(v), true);
    else dv.setBigInt64(o, BigInt(v), true);
  }
  return out;
}

// ---- zipmap (RDB_TYPE_HASH_ZIPMAP, Redis < 2.6) ------------------------------------------------

/** field, value, field, value, ... of a zipmap. */
export function parseZipmap(zm: Uint8Array): Uint8Array[] {
  const n = zm.length;
  if (n < 2) throw new FormatError("zipmap too short");
  const dv = new DataView(zm.buffer, zm.byteOffset, n);
  const out: Uint8Array[] = [];
  let p = 1;
  const readLen = (): number => {
    if (p >= n) throw new FormatError("zipmap entry overflows");
    const b = zm[p];
    if (b < 254) {
      p += 1;
      return b;
    }
    if (b === 254) {
      if (p + 5 > n) throw new FormatError("zipmap entry overflows");
      const v = dv.getUint32(p + 1, true);
      p += 5;
      return v;
    }
    return -1;
  };
  for (;;) {
    const klen = readLen();
    if (klen < 0) break;
    if (p + klen > n) throw new FormatError("zipmap key overflows");
    const key = zm.slice(p, p + klen);
    p += klen;
    const vlen = readLen();
    if (vlen < 0) throw new FormatError("zipmap key without value");
    if (p >= n) throw new FormatError("zipmap entry overflows");
    const free = zm[p++];
    if (p + vlen + free > n) throw new FormatError("zipmap value overflows");
    out.push(key, zm.slice(p, p + vlen));
    p += vlen + free;
  }
  if (p !== n - 1) throw new FormatError("zipmap has bytes after its end");
  return out;
}
