// RDB (version 10, Redis 7.0) serialisation. Strings are encoded here; every other type
// registers a codec (src/persistence/codecs/) that picks the RDB type byte for a value and
// writes its payload, so this module knows no value classes.

import { ByteBuilder } from "../util/bytebuilder.ts";
import { Crc64 } from "./crc64.ts";
import { lzfCompress } from "./lzf.ts";
import { T_STRING, lfuDecay, lruClock, type Db } from "../keyspace/db.ts";
import { parseInt64 } from "../util/bytes.ts";
import { REDIS_VERSION } from "../version.ts";

export const RDB_VERSION = 10;

export const OP_FUNCTION2 = 0xf5;
export const OP_FUNCTION_PRE_GA = 0xf6;
export const OP_MODULE_AUX = 0xf7;
export const OP_IDLE = 0xf8;
export const OP_FREQ = 0xf9;
export const OP_AUX = 0xfa;
export const OP_RESIZEDB = 0xfb;
export const OP_EXPIRETIME_MS = 0xfc;
export const OP_EXPIRETIME = 0xfd;
export const OP_SELECTDB = 0xfe;
export const OP_EOF = 0xff;

export const RDB_TYPE_STRING = 0;
export const RDB_TYPE_LIST = 1;
export const RDB_TYPE_SET = 2;
export const RDB_TYPE_ZSET = 3;
export const RDB_TYPE_HASH = 4;
export const RDB_TYPE_ZSET_2 = 5;
export const RDB_TYPE_MODULE_PRE_GA = 6;
export const RDB_TYPE_MODULE_2 = 7;
export const RDB_TYPE_HASH_ZIPMAP = 9;
export const RDB_TYPE_LIST_ZIPLIST = 10;
export const RDB_TYPE_SET_INTSET = 11;
export const RDB_TYPE_ZSET_ZIPLIST = 12;
export const RDB_TYPE_HASH_ZIPLIST = 13;
export const RDB_TYPE_LIST_QUICKLIST = 14;
export const RDB_TYPE_STREAM_LISTPACKS = 15;
export const RDB_TYPE_HASH_LISTPACK = 16;
export const RDB_TYPE_ZSET_LISTPACK = 17;
export const RDB_TYPE_LIST_QUICKLIST_2 = 18;
export const RDB_TYPE_STREAM_LISTPACKS_2 = 19;

export const ENC_INT8 = 0;
export const ENC_INT16 = 1;
export const ENC_INT32 = 2;
export const ENC_LZF = 3;

const encoder = new TextEncoder();

/** Growable output buffer with RDB's primitive encodings. */
export class RdbOut extends ByteBuilder {
  /** Store strings longer than 20 bytes LZF-compressed when that saves space (rdbcompression). */
  compress: boolean;
  /** Database the stream last SELECTed in this chunk; -1 makes the next entry select again. */
  db = -1;
  private scratch = new Uint8Array(0);

  constructor(compress = false, capacity = 64 * 1024) {
    super(capacity);
    this.compress = compress;
  }

  /** RDB length encoding (6-bit, 14-bit, 32-bit or 64-bit big-endian). */
  length(n: number): void {
    this.ensure(9);
    const buf = this.buf;
    if (n < 64) buf[this.len++] = n;
    else if (n < 16384) {
      buf[this.len++] = 0x40 | (n >> 8);
      buf[this.len++] = n & 0xff;
    } else if (n <= 0xffffffff) {
      buf[this.len++] = 0x80;
      this.view.setUint32(this.len, n);
      this.len += 4;
    } else {
      buf[this.len++] = 0x81;
      this.view.setBigUint64(this.len, BigInt(n));
      this.len += 8;
    }
  }

  /** A u64 given as two 32-bit words, in the length encoding (stream IDs). */
  lengthWords(hi: number, lo: number): void {
    if (hi === 0) return this.length(lo);
    this.ensure(9);
    this.buf[this.len++] = 0x81;
    this.view.setUint32(this.len, hi);
    this.view.setUint32(this.len + 4, lo);
    this.len += 8;
  }

  /**
   * rdbSaveRawString: a small integer's canonical text as an int encoding, a string over 20
   * bytes LZF-compressed when compression is on and saves at least 4 bytes, else plain.
   */
  string(s: Uint8Array): void {
    const n = s.length;
    if (n <= 11 && n > 0) {
      const v = parseInt64(s);
      if (typeof v === "number" && v >= -2147483648 && v <= 2147483647) return this.intEncoded(v);
    }
    if (this.compress && n > 20 && this.lzf(s)) return;
    this.length(n);
    this.raw(s);
  }

  private intEncoded(v: number): void {
    this.ensure(5);
    const buf = this.buf;
    if (v >= -128 && v <= 127) {
      buf[this.len++] = 0xc0 | ENC_INT8;
      buf[this.len++] = v & 0xff;
    } else if (v >= -32768 && v <= 32767) {
      buf[this.len++] = 0xc0 | ENC_INT16;
      buf[this.len++] = v & 0xff;
      buf[this.len++] = (v >> 8) & 0xff;
    } else {
      buf[this.len++] = 0xc0 | ENC_INT32;
      this.view.setInt32(this.len, v, true);
      this.len += 4;
    }
  }

  private lzf(s: Uint8Array): boolean {
    const room = s.length - 4;
    if (this.scratch.length < room) this.scratch = new Uint8Array(Math.max(room, 4096));
    const out = this.scratch.subarray(0, room);
    const clen = lzfCompress(s, out);
    if (clen === 0) return false;
    this.byte(0xc0 | ENC_LZF);
    this.length(clen);
    this.length(s.length);
    this.raw(out.subarray(0, clen));
    return true;
  }

  text(s: string): void {
    this.string(encoder.encode(s));
  }

  /** rdbSaveMillisecondTime: int64 little-endian. */
  millis(ms: number): void {
    this.ensure(8);
    this.view.setBigInt64(this.len, BigInt(Math.trunc(ms)), true);
    this.len += 8;
  }

  /** Binary double (RDB_TYPE_ZSET_2 scores). */
  f64le(d: number): void {
    this.ensure(8);
    this.view.setFloat64(this.len, d, true);
    this.len += 8;
  }

  /** A 16-byte big-endian stream ID given as four 32-bit words (no length prefix). */
  id128(msHi: number, msLo: number, seqHi: number, seqLo: number): void {
    this.ensure(16);
    const dv = this.view;
    dv.setUint32(this.len, msHi);
    dv.setUint32(this.len + 4, msLo);
    dv.setUint32(this.len + 8, seqHi);
    dv.setUint32(this.len + 12, seqLo);
    this.len += 16;
  }

  /** Hand out what was written (a copy) and start over; the next entry re-selects its db. */
  take(): Uint8Array {
    const out = this.buf.slice(0, this.len);
    this.len = 0;
    this.db = -1;
    return out;
  }
}

/** Receives one command of an AOF rewrite. */
export type CommandSink = (argv: Uint8Array[]) => void;

/**
 * How values of a registered type are persisted: the RDB type byte Redis 7.0 would use for
 * the value's encoding, the RDB payload, and the commands that rebuild it (AOF rewrites
 * without the RDB preamble).
 */
export interface TypeCodec {
  rdbType(value: unknown): number;
  write(out: RdbOut, value: unknown): void;
  rewrite(key: Uint8Array, value: unknown, emit: CommandSink): void;
}
const encoders = new Map<number, TypeCodec>();

export function registerCodec(type: number, codec: TypeCodec): void {
  encoders.set(type, codec);
}

export class UnsupportedTypeError extends Error {}

export function encoderFor(type: number): TypeCodec {
  const enc = encoders.get(type);
  if (!enc) throw new UnsupportedTypeError(`no RDB encoding for value type ${type}`);
  return enc;
}

/** Type byte and payload of the value at addr (DUMP's body, and half of an entry). */
export function writeValue(out: RdbOut, db: Db, addr: number): void {
  const type = db.type(addr);
  if (type === T_STRING) {
    out.byte(RDB_TYPE_STRING);
    out.string(db.str(addr));
    return;
  }
  const enc = encoderFor(type);
  const value = db.obj(addr);
  out.byte(enc.rdbType(value));
  enc.write(out, value);
}

/** Encode the key at addr: type byte, key, value payload. */
export function writeEntry(out: RdbOut, db: Db, addr: number): void {
  const type = db.type(addr);
  if (type === T_STRING) {
    out.byte(RDB_TYPE_STRING);
    out.string(db.keyOf(addr));
    out.string(db.str(addr));
    return;
  }
  const enc = encoderFor(type);
  const value = db.obj(addr);
  out.byte(enc.rdbType(value));
  out.string(db.keyOf(addr));
  enc.write(out, value);
}

/** What the access field of an entry is saved as (maxmemory-policy *-lru / *-lfu). */
export type AccessInfo = "none" | "lru" | "lfu";

export function accessInfoFor(policy: string): AccessInfo {
  return policy.endsWith("-lru") ? "lru" : policy.endsWith("-lfu") ? "lfu" : "none";
}

/**
 * rdbSaveKeyValuePair for the key at addr of snapshot database dbId: SELECTDB when the
 * stream is on another database, the expire, the LRU idle time or LFU counter, the entry.
 */
function writeKeyValue(out: RdbOut, dbId: number, db: Db, addr: number, access: AccessInfo): void {
  if (out.db !== dbId) {
    out.byte(OP_SELECTDB);
    out.length(dbId);
    out.db = dbId;
  }
  const at = db.expireAt(addr);
  if (at >= 0) {
    out.byte(OP_EXPIRETIME_MS);
    out.millis(at);
  }
  if (access === "lru") {
    out.byte(OP_IDLE);
    out.length(Math.max(0, lruClock() - db.lru(addr)));
  } else if (access === "lfu") {
    out.byte(OP_FREQ);
    out.byte(lfuDecay(db.lru(addr)));
  }
  writeEntry(out, db, addr);
}

/** SELECTDB + RESIZEDB at the start of a database's part of the stream. */
function writeDbStart(out: RdbOut, dbId: number, size: number, expires: number): void {
  out.byte(OP_SELECTDB);
  out.length(dbId);
  out.db = dbId;
  out.byte(OP_RESIZEDB);
  out.length(size);
  out.length(expires);
}

export interface HeaderOptions {
  /** Extra aux fields (replication's repl-id/offset), written after Redis's usual ones. */
  aux?: [string, string][];
  /** An AOF base written with the RDB preamble. */
  aofBase?: boolean;
}

/** rdbPopulateSaveInfo: replication's repl-stream-db/repl-id/repl-offset, installed by src/replication. */
let saveInfo: () => [string, string][] = () => [];
export function setSaveInfo(provider: () => [string, string][]): void {
  saveInfo = provider;
}

/** Magic, version and aux fields, as rdbSaveInfoAuxFields writes them. */
export function writeHeader(out: RdbOut, opts: HeaderOptions = {}): void {
  out.raw(encoder.encode(`REDIS${String(RDB_VERSION).padStart(4, "0")}`));
  const aux: [string, string][] = [
    ["redis-ver", REDIS_VERSION],
    ["redis-bits", "64"],
    ["ctime", String(Math.floor(Date.now() / 1000))],
    ["used-mem", String(process.memoryUsage().heapUsed)],
    ...(opts.aux ?? (opts.aofBase ? [] : saveInfo())),
    ["aof-base", opts.aofBase ? "1" : "0"],
  ];
  for (const [k, v] of aux) {
    out.byte(OP_AUX);
    out.text(k);
    out.text(v);
  }
}

/** The EOF opcode and the CRC64 trailer (zero when checksums are off). */
export function trailer(crc: Crc64 | null): Uint8Array {
  const end = Uint8Array.of(OP_EOF);
  if (crc === null) return Uint8Array.of(OP_EOF, 0, 0, 0, 0, 0, 0, 0, 0);
  crc.update(end);
  const out = new Uint8Array(9);
  out[0] = OP_EOF;
  out.set(crc.digest(), 1);
  return out;
}

/**
 * Every live key of every database, each database introduced by SELECTDB/RESIZEDB. Keys go
 * out in a scrambled order (a multiplicative permutation of the index order): in the index's
 * own order, i.e. by hash, a loading keyspace that has not grown to its final size yet would
 * pile them into long probe runs.
 */
export function writeBody(out: RdbOut, dbs: Db[], access: AccessInfo, flush?: (out: RdbOut) => void): void {
  const now = Date.now();
  for (const db of dbs) {
    if (db.size === 0) continue;
    writeDbStart(out, db.id, db.size, db.volatileCount);
    const addrs = new Int32Array(db.size);
    let n = 0;
    db.forEach((addr) => {
      addrs[n++] = addr;
    });
    let span = 1;
    while (span < n) span *= 2;
    for (let i = 0; i < span; i++) {
      const j = Math.imul(i, 0x9e3779b1) & (span - 1);
      if (j >= n) continue;
      const addr = addrs[j];
      if (db.isExpired(addr, now)) continue;
      writeKeyValue(out, db.id, db, addr, access);
      if (flush !== undefined && out.len >= FLUSH_BYTES) flush(out);
    }
  }
}

/** Output is handed to its sink in pieces of about this size. */
export const FLUSH_BYTES = 1 << 20;

/** Snapshot entries as RDB (BGSAVE, AOF base with preamble, replication). */
export class RdbEntryWriter {
  readonly out: RdbOut;

  constructor(
    compress: boolean,
    private readonly access: AccessInfo,
  ) {
    this.out = new RdbOut(compress, FLUSH_BYTES + (FLUSH_BYTES >> 2));
  }

  entry(dbId: number, db: Db, addr: number): void {
    writeKeyValue(this.out, dbId, db, addr, this.access);
  }

  dbStart(dbId: number, size: number, expires: number): void {
    writeDbStart(this.out, dbId, size, expires);
  }

  get pending(): number {
    return this.out.len;
  }

  take(): Uint8Array {
    return this.out.take();
  }
}
