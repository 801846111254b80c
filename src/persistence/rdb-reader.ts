// Reading RDB data: primitive decodings over a buffer (DUMP payloads) or a file read in
// pieces (dump.rdb, AOF base files), and the registry of value decoders, one per RDB type
// byte, which the type codecs fill in. Anything malformed or cut short throws RdbError.

import { readSync } from "node:fs";
import { Crc64 } from "./crc64.ts";
import { lzfDecompress, LzfError } from "./lzf.ts";
import { FormatError } from "./listpack.ts";
import { ENC_INT16, ENC_INT32, ENC_INT8, ENC_LZF, RDB_TYPE_MODULE_2, RDB_TYPE_MODULE_PRE_GA, RDB_TYPE_STRING } from "./rdb-writer.ts";
import { T_STRING } from "../keyspace/db.ts";
import type { Config } from "../config/config.ts";

export class RdbError extends Error {}

/** The input ended in the middle of something. */
export class TruncatedError extends RdbError {}

const READ_CHUNK = 1 << 20;
const decoder = new TextDecoder("latin1");

/** Decoded RDB primitives over bytes in memory or read from a file as needed. */
export class RdbReader {
  buf: Uint8Array;
  private dv: DataView;
  pos = 0;
  private end: number;
  /** File offset of buf[0]. */
  private base: number;
  /** CRC64 of everything consumed, when checking; crc covers buf up to crcPos. */
  private crc: Crc64 | null = null;
  private crcPos = 0;
  private eof: boolean;

  private constructor(
    buf: Uint8Array,
    end: number,
    private readonly fd: number,
    private filePos: number,
    readonly name: string,
  ) {
    this.buf = buf;
    this.dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.end = end;
    this.base = filePos - end;
    this.eof = fd < 0;
  }

  static fromBytes(data: Uint8Array, name = "payload"): RdbReader {
    return new RdbReader(data, data.length, -1, data.length, name);
  }

  /** A reader of an open file from byte `offset` on; the caller owns (and closes) the fd. */
  static fromFile(fd: number, name: string, offset = 0): RdbReader {
    return new RdbReader(new Uint8Array(READ_CHUNK), 0, fd, offset, name);
  }

  /** Bytes consumed so far (a file offset for file readers). */
  get offset(): number {
    return this.base + this.pos;
  }

  /** Start checksumming from the current position. */
  startChecksum(): void {
    this.crc = new Crc64();
    this.crcPos = this.pos;
  }

  /** The CRC64 of every byte consumed since startChecksum(). */
  checksum(): Crc64 {
    const crc = this.crc!;
    crc.update(this.buf.subarray(this.crcPos, this.pos));
    this.crcPos = this.pos;
    return crc;
  }

  fail(what: string): never {
    throw new RdbError(`${what} (${this.name}, offset ${this.offset})`);
  }

  private truncated(): never {
    throw new TruncatedError(`Unexpected EOF: the data is truncated (${this.name}, offset ${this.base + this.end})`);
  }

  /** Whether the input has no more bytes. */
  atEnd(): boolean {
    if (this.pos < this.end) return false;
    if (this.eof) return true;
    this.fill(1, false);
    return this.pos >= this.end;
  }

  /** Make n bytes available at pos. */
  need(n: number): void {
    if (this.pos + n <= this.end) return;
    this.fill(n, true);
  }

  private fill(n: number, required: boolean): void {
    if (this.eof) {
      if (!required) return;
      this.truncated();
    }
    if (this.crc !== null) {
      this.crc.update(this.buf.subarray(this.crcPos, this.pos));
      this.crcPos = 0;
    }
    const keep = this.end - this.pos;
    let buf = this.buf;
    if (n > buf.length) {
      buf = new Uint8Array(Math.max(n, buf.length * 2));
      buf.set(this.buf.subarray(this.pos, this.end));
    } else {
      buf.copyWithin(0, this.pos, this.end);
    }
    this.base += this.pos;
    this.pos = 0;
    this.end = keep;
    this.buf = buf;
    this.dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    while (this.end < n || (!required && this.end === 0)) {
      const got = readSync(this.fd, buf, this.end, Math.max(buf.length - this.end, 0), this.filePos);
      if (got <= 0) {
        this.eof = true;
        if (required) this.truncated();
        return;
      }
      this.end += got;
      this.filePos += got;
      if (!required) return;
    }
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++];
  }

  /** Bytes as a view valid until the next read. */
  view(n: number): Uint8Array {
    this.need(n);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  u32le(): number {
    this.need(4);
    const v = this.dv.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  /** rdbLoadMillisecondTime. */
  millis(): number {
    this.need(8);
    const v = this.dv.getBigInt64(this.pos, true);
    this.pos += 8;
    return Number(v);
  }

  f64le(): number {
    this.need(8);
    const v = this.dv.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** A 16-byte big-endian stream ID into four 32-bit words. */
  id128(out: number[]): void {
    this.need(16);
    const dv = this.dv;
    out[0] = dv.getUint32(this.pos);
    out[1] = dv.getUint32(this.pos + 4);
    out[2] = dv.getUint32(this.pos + 8);
    out[3] = dv.getUint32(this.pos + 12);
    this.pos += 16;
  }

  /** Last lengthOrEncoding(): whether it was a special string encoding. */
  encoded = false;

  /** rdbLoadLenByRef: a length, or (encoded = true) a special string encoding number. */
  lengthOrEncoding(): number {
    const b = this.u8();
    const kind = b >> 6;
    this.encoded = false;
    if (kind === 0) return b & 0x3f;
    if (kind === 1) return ((b & 0x3f) << 8) | this.u8();
    if (kind === 3) {
      this.encoded = true;
      return b & 0x3f;
    }
    if (b === 0x80) {
      this.need(4);
      const v = this.dv.getUint32(this.pos);
      this.pos += 4;
      return v;
    }
    if (b === 0x81) {
      this.need(8);
      const v = this.dv.getBigUint64(this.pos);
      this.pos += 8;
      if (v > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(`length ${v} is too large`);
      return Number(v);
    }
    this.fail(`Unknown length encoding ${b} in rdbLoadLen()`);
  }

  length(): number {
    const n = this.lengthOrEncoding();
    if (this.encoded) this.fail("a string encoding where a length was expected");
    return n;
  }

  /** A u64 in the length encoding, as two 32-bit words (stream IDs). */
  lengthWords(out: number[]): void {
    this.need(1);
    if (this.buf[this.pos] === 0x81) {
      this.pos++;
      this.need(8);
      out[0] = this.dv.getUint32(this.pos);
      out[1] = this.dv.getUint32(this.pos + 4);
      this.pos += 8;
      return;
    }
    out[0] = 0;
    out[1] = this.length();
  }

  /** A string as a fresh copy. */
  string(): Uint8Array {
    const n = this.lengthOrEncoding();
    if (this.encoded) return this.specialString(n);
    return this.view(n).slice();
  }

  /** A string as a view valid until the next read (keys and values copied at once). */
  stringView(): Uint8Array {
    const n = this.lengthOrEncoding();
    if (this.encoded) return this.specialString(n);
    return this.view(n);
  }

  /** A string read as text (aux fields, names). */
  text(): string {
    return decoder.decode(this.stringView());
  }

  private specialString(enc: number): Uint8Array {
    let v: number;
    if (enc === ENC_INT8) {
      this.need(1);
      v = this.dv.getInt8(this.pos);
      this.pos += 1;
    } else if (enc === ENC_INT16) {
      this.need(2);
      v = this.dv.getInt16(this.pos, true);
      this.pos += 2;
    } else if (enc === ENC_INT32) {
      this.need(4);
      v = this.dv.getInt32(this.pos, true);
      this.pos += 4;
    } else if (enc === ENC_LZF) {
      const clen = this.length();
      const len = this.length();
      try {
        return lzfDecompress(this.view(clen), len);
      } catch (e) {
        if (e instanceof LzfError) this.fail(`Invalid LZF compressed string: ${e.message}`);
        throw e;
      }
    } else {
      this.fail(`Unknown RDB string encoding type ${enc}`);
    }
    return new TextEncoder().encode(String(v));
  }

  /** rdbLoadDoubleValue: the text-encoded doubles of RDB_TYPE_ZSET. */
  textDouble(): number {
    const n = this.u8();
    if (n === 255) return -Infinity;
    if (n === 254) return Infinity;
    if (n === 253) return NaN;
    const s = decoder.decode(this.view(n));
    const v = Number(s);
    if (Number.isNaN(v) && s.trim().toLowerCase() !== "nan") this.fail(`bad double value '${s}'`);
    return v;
  }
}

// ---- value decoders ----------------------------------------------------------------------

export interface DecodeContext {
  config: Config;
}

export interface Decoded {
  /** T_LIST, T_SET, ... */
  type: number;
  value: unknown;
}

export type ValueDecoder = (r: RdbReader, rdbType: number, ctx: DecodeContext) => Decoded;
const decoders = new Map<number, ValueDecoder>();

export function registerRdbDecoder(rdbTypes: number[], dec: ValueDecoder): void {
  for (const t of rdbTypes) decoders.set(t, dec);
}

const MODULE_CHARSET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** moduleTypeNameByID: the 9-character module type name packed in a 64-bit module id. */
export function moduleNameOf(id: bigint): string {
  let v = id >> 10n;
  let name = "";
  for (let j = 0; j < 9; j++) {
    name = MODULE_CHARSET[Number(v & 63n)] + name;
    v >>= 6n;
  }
  return name;
}

/** A 64-bit module id stored in the length encoding. */
export function readModuleId(r: RdbReader): bigint {
  const w = [0, 0];
  r.lengthWords(w);
  return (BigInt(w[0]) << 32n) | BigInt(w[1]);
}

/**
 * The value of an entry whose type byte is rdbType. Strings come back as T_STRING with a
 * Uint8Array that stays valid only until the next read.
 */
export function readValue(r: RdbReader, rdbType: number, ctx: DecodeContext): Decoded {
  if (rdbType === RDB_TYPE_STRING) return { type: T_STRING, value: r.stringView() };
  if (rdbType === RDB_TYPE_MODULE_2 || rdbType === RDB_TYPE_MODULE_PRE_GA) {
    const name = moduleNameOf(readModuleId(r));
    r.fail(`The RDB file contains module data I can't load: no matching module type '${name}'`);
  }
  const dec = decoders.get(rdbType);
  if (dec === undefined) r.fail(`Unknown RDB encoding type ${rdbType}`);
  try {
    return dec(r, rdbType, ctx);
  } catch (e) {
    if (e instanceof FormatError) r.fail(`Corrupt value of RDB type ${rdbType}: ${e.message}`);
    throw e;
  }
}
