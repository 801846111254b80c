// Replaying an AOF (loadSingleAppendOnlyFile for each file of the manifest): an optional RDB
// preamble, then RESP commands executed by a fake client, MULTI blocks queued until their
// EXEC. A last file cut short is truncated to its last complete command when
// aof-load-truncated allows (an unfinished MULTI block is dropped whole); anything else that
// is malformed stops the load with AofError.

import { closeSync, fstatSync, openSync, truncateSync } from "node:fs";
import { Client } from "../server/client.ts";
import type { Shard } from "../server/shard.ts";
import { call, resolve } from "../server/dispatch.ts";
import { lookupCommandBytes } from "../commands/table.ts";
import { is, latin1, lower, parseSafeInt } from "../util/bytes.ts";
import type { Db } from "../keyspace/db.ts";
import { RdbError, RdbReader, TruncatedError, type DecodeContext } from "./rdb-reader.ts";
import { RdbLoader, looksLikeRdb } from "./rdb-load.ts";
import { gate } from "./gate.ts";

export class AofError extends Error {}

/**
 * Redis does not expire keys while loading: a replayed command must find a key whose TTL
 * passed during the downtime still there, as it was when the command first ran (an INCR
 * after the PEXPIREAT of a rate limiter must not recreate the key without a TTL). So a TTL
 * already in the past is parked far in the future while replaying, and put back at the end,
 * when such keys expire as usual. A parked TTL travels with its key (RENAME, MOVE, COPY).
 */
class PastTtls {
  private static readonly BASE = 2 ** 51;
  private readonly real: number[] = [];
  private readonly now = Date.now();

  park(when: number): number {
    if (when > this.now) return when;
    this.real.push(when);
    return PastTtls.BASE + this.real.length - 1;
  }

  restore(dbs: Db[]): void {
    if (this.real.length === 0) return;
    for (const db of dbs) {
      if (db.volatileCount === 0) continue;
      db.forEach((addr) => {
        const at = db.expireAt(addr);
        if (at >= PastTtls.BASE) db.setExpire(addr, this.real[at - PastTtls.BASE]);
      });
    }
  }

  /** Park the absolute TTL a propagated command carries (PEXPIREAT, SET PXAT/EXAT, RESTORE ABSTTL). */
  rewrite(argv: Uint8Array[]): void {
    const name = lower(argv[0]);
    if (name === "pexpireat" && argv.length >= 3) {
      const t = parseSafeInt(argv[2]);
      if (t !== null) argv[2] = numBytes(this.park(t));
    } else if (name === "set") {
      for (let i = 3; i + 1 < argv.length; i++) {
        const ms = is(argv[i], "pxat") ? 1 : is(argv[i], "exat") ? 1000 : 0;
        const t = ms === 0 ? null : parseSafeInt(argv[i + 1]);
        if (t === null) continue;
        argv[i] = PXAT;
        argv[i + 1] = numBytes(this.park(t * ms));
      }
    } else if (name === "restore" && argv.length >= 4 && argv.slice(4).some((a) => is(a, "absttl"))) {
      const t = parseSafeInt(argv[2]);
      if (t !== null && t > 0) argv[2] = numBytes(this.park(t));
    }
  }
}

const PXAT = new TextEncoder().encode("PXAT");
const numBytes = (n: number) => new TextEncoder().encode(String(n));

export interface AofFile {
  path: string;
  name: string;
}

export interface AofLoadOptions {
  /** aof-load-truncated */
  truncatedOk: boolean;
  /** rdbchecksum, for an RDB preamble */
  checksum: boolean;
  log: (level: string, msg: string) => void;
}

const STAR = 42;
const DOLLAR = 36;
const HASH = 35;

class FileReplay {
  readonly fd: number;
  readonly size: number;
  readonly r: RdbReader;
  private rdb: RdbLoader | null = null;
  private started = false;
  /** Offset just past the last complete command (where a truncation cuts). */
  validUpTo = 0;
  /** validUpTo when the open MULTI began. */
  private validBeforeMulti = 0;
  commands = 0;

  constructor(
    readonly file: AofFile,
    readonly last: boolean,
    private readonly client: Client,
    private readonly ctx: DecodeContext,
    private readonly opts: AofLoadOptions,
    private readonly ttls: PastTtls,
  ) {
    this.fd = openSync(file.path, "r");
    this.size = fstatSync(this.fd).size;
    this.r = RdbReader.fromFile(this.fd, file.name);
  }

  get keysLoaded(): number {
    return this.rdb?.keysLoaded ?? 0;
  }

  /** Replay until the deadline; true when the file is done. */
  step(deadline: number): boolean {
    const r = this.r;
    if (!this.started) {
      this.started = true;
      if (this.size === 0) return true;
      r.need(Math.min(5, this.size));
      if (looksLikeRdb(r.buf.subarray(r.pos, r.pos + 5))) {
        this.opts.log("notice", `Reading RDB base file on AOF loading...`);
        const ttls = this.ttls;
        this.rdb = new RdbLoader(r, this.client.shard.dbs, this.ctx, { checksum: this.opts.checksum, keepExpired: (t) => ttls.park(t) }, this.opts.log);
      }
    }
    try {
      if (this.rdb !== null && !this.rdb.done) {
        if (!this.rdb.step(deadline)) return false;
        this.validUpTo = r.offset;
        this.opts.log("notice", "Reading the remaining AOF tail...");
      }
      let n = 0;
      while (!r.atEnd()) {
        this.command();
        if ((++n & 63) === 0 && performance.now() >= deadline) return false;
      }
    } catch (e) {
      if (this.rdb !== null && !this.rdb.done && e instanceof RdbError) {
        throw new AofError(`Error reading the RDB base file ${this.file.name}, AOF loading aborted: ${e.message}`);
      }
      if (e instanceof TruncatedError) {
        if (this.client.multi === null) return this.truncated(this.validUpTo);
        // Cut before the unfinished MULTI block, whose queued commands never ran.
        this.opts.log("warning", `Revert incomplete MULTI/EXEC transaction in AOF file ${this.file.name}`);
        this.client.multi = null;
        return this.truncated(this.validBeforeMulti);
      }
      if (e instanceof RdbError) {
        throw new AofError(`Bad file format reading the append only file ${this.file.name}: make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>`);
      }
      throw e;
    }
    if (this.client.multi !== null) {
      this.opts.log("warning", `Revert incomplete MULTI/EXEC transaction in AOF file ${this.file.name}`);
      this.client.multi = null;
      return this.truncated(this.validBeforeMulti);
    }
    return true;
  }

  /** The file ended inside a command or a MULTI block: cut it at `cut` if allowed. */
  private truncated(cut: number): boolean {
    const name = this.file.name;
    if (!this.opts.truncatedOk) {
      throw new AofError(
        `Unexpected end of file reading the append only file ${name}. You can: 1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. 2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server.`,
      );
    }
    if (!this.last) throw new AofError(`Unexpected end of file reading the append only file ${name}.`);
    this.opts.log("warning", `!!! Warning: short read while loading the AOF file ${name}!!!`);
    this.opts.log("warning", `!!! Truncating the AOF ${name} at offset ${cut} !!!`);
    truncateSync(this.file.path, cut);
    this.opts.log("warning", `AOF ${name} loaded anyway because aof-load-truncated is enabled`);
    return true;
  }

  private line(): string {
    const r = this.r;
    let s = "";
    for (;;) {
      const b = r.u8();
      if (b === 10) break;
      if (s.length > 128) r.fail("protocol line too long");
      s += String.fromCharCode(b);
    }
    if (!s.endsWith("\r")) r.fail("protocol line without CR");
    return s.slice(0, -1);
  }

  private command(): void {
    const r = this.r;
    const first = r.u8();
    if (first === HASH) {
      // An annotation (aof-timestamp-enabled): "#TS:<unix time>\r\n".
      this.line();
      this.validUpTo = r.offset;
      return;
    }
    if (first !== STAR) r.fail("expected '*'");
    const argc = Number(this.line());
    if (!Number.isInteger(argc) || argc < 1) r.fail("bad argument count");
    const argv: Uint8Array[] = new Array(argc);
    for (let i = 0; i < argc; i++) {
      if (r.u8() !== DOLLAR) r.fail("expected '$'");
      const len = Number(this.line());
      if (!Number.isInteger(len) || len < 0) r.fail("bad bulk length");
      argv[i] = r.view(len).slice();
      const crlf = r.view(2);
      if (crlf[0] !== 13 || crlf[1] !== 10) r.fail("bulk string without CRLF");
    }
    this.execute(argv);
    this.validUpTo = r.offset;
    this.commands++;
  }

  private execute(argv: Uint8Array[]): void {
    const c = this.client;
    if (lookupCommandBytes(argv[0]) === undefined) {
      throw new AofError(`Unknown command '${latin1(argv[0])}' reading the append only file ${this.file.name}`);
    }
    this.ttls.rewrite(argv);
    const cmd = resolve(c, argv);
    if (cmd !== null) {
      if (cmd.name === "multi") this.validBeforeMulti = this.validUpTo;
      if (c.multi !== null && cmd.name !== "exec") c.multi.queue.push(argv);
      else call(c, cmd, argv);
    }
    c.out.reset();
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** Replays the files of an AOF in order, a slice at a time. */
export class AofLoader {
  private readonly client: Client;
  private index = 0;
  private current: FileReplay | null = null;
  private doneBytes = 0;
  private readonly ttls = new PastTtls();
  readonly totalBytes: number;
  keysLoaded = 0;
  commands = 0;

  constructor(
    private readonly shard: Shard,
    private readonly files: AofFile[],
    private readonly ctx: DecodeContext,
    private readonly opts: AofLoadOptions,
  ) {
    const c = new Client(shard, shard.nextClientId());
    c.authenticated = true;
    c.noBlock = true;
    c.out.onError = null;
    // Like a master's link, the AOF must be obeyed (Redis's mustObeyClient): effects such as
    // XADD MAXLEN = n LIMIT m are replayed exactly as they were propagated.
    c.isMaster = true;
    this.client = c;
    let total = 0;
    for (const f of files) {
      try {
        const fd = openSync(f.path, "r");
        total += fstatSync(fd).size;
        closeSync(fd);
      } catch {
        throw new AofError(`The AOF file ${f.name} doesn't exist`);
      }
    }
    this.totalBytes = total;
  }

  get loadedBytes(): number {
    return this.doneBytes + (this.current?.r.offset ?? 0);
  }

  /** Replay until performance.now() passes deadline; true when every file was replayed. */
  step(deadline: number): boolean {
    gate.loader = this.client;
    try {
      while (this.index < this.files.length) {
        if (this.current === null) this.current = new FileReplay(this.files[this.index], this.index === this.files.length - 1, this.client, this.ctx, this.opts, this.ttls);
        const f = this.current;
        let done: boolean;
        try {
          done = f.step(deadline);
        } catch (e) {
          f.close();
          this.current = null;
          throw e;
        }
        if (!done) return false;
        f.close();
        this.doneBytes += f.size;
        this.keysLoaded += f.keysLoaded;
        this.commands += f.commands;
        this.current = null;
        this.index++;
        if (this.index < this.files.length && performance.now() >= deadline) return false;
      }
      this.ttls.restore(this.shard.dbs);
      return true;
    } finally {
      gate.loader = null;
    }
  }
}
