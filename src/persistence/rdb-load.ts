// Loading an RDB stream into a shard's databases (rdbLoadRio): header, aux fields, SELECTDB,
// expires, LRU/LFU hints, then one value per key through the decoder registry. The loader
// works in steps so start-up loading can yield to the event loop (clients get -LOADING
// meanwhile); a malformed stream stops it with an RdbError naming the problem.

import { type Db, T_STRING, accessPolicy, lruClock } from "../keyspace/db.ts";
import { latin1 } from "../util/bytes.ts";
import { type RdbReader, readModuleId, readValue, moduleNameOf, type DecodeContext } from "./rdb-reader.ts";
import {
  OP_AUX,
  OP_EOF,
  OP_EXPIRETIME,
  OP_EXPIRETIME_MS,
  OP_FREQ,
  OP_FUNCTION2,
  OP_FUNCTION_PRE_GA,
  OP_IDLE,
  OP_MODULE_AUX,
  OP_RESIZEDB,
  OP_SELECTDB,
  RDB_VERSION,
} from "./rdb-writer.ts";

const MAGIC = [0x52, 0x45, 0x44, 0x49, 0x53];

export interface LoadOptions {
  /** Keep only the keys this accepts (a shard worker keeps the keys of its slots). */
  owns?: (key: Uint8Array) => boolean;
  /** Let a key replace one already loaded (DEBUG RELOAD MERGE) instead of failing. */
  merge?: boolean;
  /** Compare the CRC64 trailer with the data (rdbchecksum yes). */
  checksum: boolean;
  /**
   * Keep keys whose TTL already passed (an AOF preamble, where later commands may use them),
   * with the TTL this maps theirs to.
   */
  keepExpired?: (when: number) => number;
}

/** Whether the stream at the reader's position starts with the RDB magic "REDIS". */
export function looksLikeRdb(head: Uint8Array): boolean {
  return head.length >= 5 && MAGIC.every((b, i) => head[i] === b);
}

export class RdbLoader {
  keysLoaded = 0;
  keysExpired = 0;
  /** Keys read from the stream, loaded or not. */
  keysRead = 0;
  emptySkipped = 0;
  version = 0;
  readonly aux = new Map<string, string>();
  done = false;
  private started = false;
  private db: Db;
  private dbId = 0;
  private expire = -1;
  private idle = -1;
  private freq = -1;

  constructor(
    private readonly r: RdbReader,
    private readonly dbs: Db[],
    private readonly ctx: DecodeContext,
    private readonly opts: LoadOptions,
    private readonly log: (level: string, msg: string) => void = () => {},
  ) {
    this.db = dbs[0];
  }

  /** Bytes consumed so far. */
  get offset(): number {
    return this.r.offset;
  }

  private header(): void {
    const r = this.r;
    r.startChecksum();
    const head = r.view(9);
    if (!looksLikeRdb(head)) r.fail("Wrong signature trying to load DB from file");
    const digits = String.fromCharCode(...head.subarray(5));
    if (!/^[0-9]{4}$/.test(digits)) r.fail("Wrong signature trying to load DB from file");
    this.version = Number(digits);
    if (this.version < 1 || this.version > RDB_VERSION) r.fail(`Can't handle RDB format version ${this.version}`);
    this.started = true;
  }

  /**
   * Load entries until performance.now() passes deadline or maxKeys keys were read; returns
   * true once the stream ended.
   */
  step(deadline: number, maxKeys = Infinity): boolean {
    if (this.done) return true;
    if (!this.started) this.header();
    const stop = this.keysRead + maxKeys;
    let n = 0;
    while (!this.entry()) {
      if (this.keysRead >= stop || ((++n & 63) === 0 && performance.now() >= deadline)) return false;
    }
    this.done = true;
    return true;
  }

  runToEnd(): void {
    this.step(Infinity);
  }

  /** One opcode or key; true at the end of the stream. */
  private entry(): boolean {
    const r = this.r;
    const type = r.u8();
    switch (type) {
      case OP_EXPIRETIME:
        this.expire = r.u32le() * 1000;
        return false;
      case OP_EXPIRETIME_MS:
        this.expire = r.millis();
        return false;
      case OP_FREQ:
        this.freq = r.u8();
        return false;
      case OP_IDLE:
        this.idle = r.length();
        return false;
      case OP_EOF:
        this.finish();
        return true;
      case OP_SELECTDB: {
        const id = r.length();
        if (id >= this.dbs.length) {
          r.fail(`FATAL: Data file was created with a Redis server configured to handle more than ${this.dbs.length} databases`);
        }
        this.dbId = id;
        this.db = this.dbs[id];
        return false;
      }
      case OP_RESIZEDB:
        r.length();
        r.length();
        return false;
      case OP_AUX: {
        const key = r.text();
        const value = r.text();
        this.aux.set(key, value);
        if (key === "redis-ver") this.log("notice", `Loading RDB produced by version ${value}`);
        return false;
      }
      case OP_MODULE_AUX:
        return r.fail(`The RDB file contains AUX module data I can't load: no matching module '${moduleNameOf(readModuleId(r))}'`);
      case OP_FUNCTION2:
      case OP_FUNCTION_PRE_GA:
        return r.fail("The RDB file contains Redis functions (FUNCTION LOAD libraries), which this server cannot load");
    }
    this.keyValue(type);
    return false;
  }

  private keyValue(rdbType: number): void {
    this.keysRead++;
    const r = this.r;
    const key = r.string();
    const { type, value } = readValue(r, rdbType, this.ctx);
    let expire = this.expire;
    const idle = this.idle;
    const freq = this.freq;
    this.expire = -1;
    this.idle = -1;
    this.freq = -1;
    if (value === null) {
      if (this.emptySkipped++ < 10) this.log("warning", `rdbLoadObject skipping empty key: ${latin1(key)}`);
      return;
    }
    if (this.opts.owns !== undefined && !this.opts.owns(key)) return;
    if (expire !== -1 && expire < Date.now()) {
      if (this.opts.keepExpired === undefined) {
        this.keysExpired++;
        return;
      }
      expire = this.opts.keepExpired(expire);
    }
    const db = this.db;
    const before = db.size;
    const addr = type === T_STRING ? db.setStr(key, value as Uint8Array) : db.setObj(key, type, value);
    if (db.size === before && !this.opts.merge) r.fail(`RDB has duplicated key '${latin1(key)}' in DB ${this.dbId}`);
    if (expire !== -1) db.setExpire(addr, expire);
    if (accessPolicy.lfu) {
      if (freq !== -1) db.setLfu(addr, freq);
    } else if (idle !== -1) {
      db.setLru(addr, Math.max(0, lruClock() - idle));
    }
    this.keysLoaded++;
  }

  private finish(): void {
    const r = this.r;
    if (this.version < 5) return;
    const expected = this.opts.checksum ? r.checksum() : null;
    const stored = r.view(8);
    if (expected === null) return;
    const got = new DataView(stored.buffer, stored.byteOffset, 8);
    const lo = got.getUint32(0, true);
    const hi = got.getUint32(4, true);
    if (lo === 0 && hi === 0) {
      this.log("warning", "RDB file was saved with checksum disabled: no check performed.");
      return;
    }
    if (lo !== expected.lo || hi !== expected.hi) {
      const hex = (h: number, l: number) => ((BigInt(h) << 32n) | BigInt(l)).toString(16);
      r.fail(`Wrong RDB checksum expected: (${hex(expected.hi, expected.lo)}) got (${hex(hi, lo)}). Aborting now.`);
    }
  }
}
