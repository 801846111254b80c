// RDB (version 10, Redis 7.0) serialisation. Strings are encoded here; each other type
// registers its encoder (type byte + payload) so this module stays type-agnostic.

import { Crc64 } from "./crc64.ts";
import { T_STRING, type Db } from "../keyspace/db.ts";
import { parseInt64 } from "../util/bytes.ts";
import { REDIS_VERSION } from "../version.ts";

export const RDB_VERSION = 10;

const OP_AUX = 0xfa;
const OP_RESIZEDB = 0xfb;
const OP_EXPIRETIME_MS = 0xfc;
const OP_SELECTDB = 0xfe;
const OP_EOF = 0xff;
export const RDB_TYPE_STRING = 0;

const ENC_INT8 = 0xc0;
const ENC_INT16 = 0xc1;
const ENC_INT32 = 0xc2;

/** Growable output buffer with RDB's primitive encodings. */
export class RdbOut {
  buf = new Uint8Array(64 * 1024);
  len = 0;

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const nb = new Uint8Array(cap);
    nb.set(this.buf.subarray(0, this.len));
    this.buf = nb;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.len++] = b;
  }

  raw(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  /** RDB length encoding (6-bit, 14-bit, 32-bit or 64-bit big-endian). */
  length(n: number): void {
    if (n < 64) this.byte(n);
    else if (n < 16384) {
      this.byte(0x40 | (n >> 8));
      this.byte(n & 0xff);
    } else if (n <= 0xffffffff) {
      this.ensure(5);
      this.buf[this.len++] = 0x80;
      new DataView(this.buf.buffer).setUint32(this.len, n);
      this.len += 4;
    } else {
      this.ensure(9);
      this.buf[this.len++] = 0x81;
      new DataView(this.buf.buffer).setBigUint64(this.len, BigInt(n));
      this.len += 8;
    }
  }

  /** A string, int-encoded when it is a small integer's canonical text (as Redis does). */
  string(s: Uint8Array): void {
    if (s.length <= 11) {
      const v = parseInt64(s);
      if (typeof v === "number") {
        if (v >= -128 && v <= 127) {
          this.byte(ENC_INT8);
          this.byte(v & 0xff);
          return;
        }
        if (v >= -32768 && v <= 32767) {
          this.byte(ENC_INT16);
          this.byte(v & 0xff);
          this.byte((v >> 8) & 0xff);
          return;
        }
        if (v >= -2147483648 && v <= 2147483647) {
          this.ensure(5);
          this.buf[this.len++] = ENC_INT32;
          new DataView(this.buf.buffer).setInt32(this.len, v, true);
          this.len += 4;
          return;
        }
      }
    }
    this.length(s.length);
    this.raw(s);
  }

  text(s: string): void {
    this.string(new TextEncoder().encode(s));
  }

  u64le(n: number): void {
    this.ensure(8);
    new DataView(this.buf.buffer).setBigUint64(this.len, BigInt(Math.trunc(n)), true);
    this.len += 8;
  }

  /** Binary double (RDB_TYPE_ZSET_2 scores, etc.). */
  f64le(d: number): void {
    this.ensure(8);
    new DataView(this.buf.buffer).setFloat64(this.len, d, true);
    this.len += 8;
  }

  bytes(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}

/** How a registered type is written: its RDB type byte for a value, then its payload. */
export interface ValueEncoder {
  rdbType(value: unknown): number;
  write(out: RdbOut, value: unknown): void;
}
const encoders = new Map<number, ValueEncoder>();

export function registerRdbEncoder(type: number, enc: ValueEncoder): void {
  encoders.set(type, enc);
}

export class UnsupportedTypeError extends Error {}

/** Encode the key at addr: type byte, key, value payload. */
export function writeEntry(out: RdbOut, db: Db, addr: number): void {
  const type = db.type(addr);
  if (type === T_STRING) {
    out.byte(RDB_TYPE_STRING);
    out.string(db.keyOf(addr));
    out.string(db.str(addr));
    return;
  }
  const enc = encoders.get(type);
  if (!enc) throw new UnsupportedTypeError(`no RDB encoding for value type ${type}`);
  const value = db.obj(addr);
  out.byte(enc.rdbType(value));
  out.string(db.keyOf(addr));
  enc.write(out, value);
}

export interface SnapshotOptions {
  aux?: [string, string][];
  checksum?: boolean;
}

/** A whole-dataset RDB image of the given databases, taken now. */
export function snapshot(dbs: Db[], opts: SnapshotOptions = {}): Uint8Array {
  const out = new RdbOut();
  out.raw(new TextEncoder().encode(`REDIS${String(RDB_VERSION).padStart(4, "0")}`));
  const aux: [string, string][] = [
    ["redis-ver", REDIS_VERSION],
    ["redis-bits", "64"],
    ["ctime", String(Math.floor(Date.now() / 1000))],
    ["used-mem", String(process.memoryUsage().heapUsed)],
    ...(opts.aux ?? []),
    ["aof-base", "0"],
  ];
  for (const [k, v] of aux) {
    out.byte(OP_AUX);
    out.text(k);
    out.text(v);
  }
  const now = Date.now();
  for (const db of dbs) {
    if (db.size === 0) continue;
    out.byte(OP_SELECTDB);
    out.length(db.id);
    out.byte(OP_RESIZEDB);
    out.length(db.size);
    out.length(db.volatileCount);
    db.forEach((addr) => {
      const at = db.expireAt(addr);
      if (at >= 0 && at <= now) return;
      if (at >= 0) {
        out.byte(OP_EXPIRETIME_MS);
        out.u64le(at);
      }
      writeEntry(out, db, addr);
    });
  }
  out.byte(OP_EOF);
  const crc = new Crc64();
  if (opts.checksum !== false) crc.update(out.bytes());
  out.raw(crc.digest());
  return out.bytes();
}
