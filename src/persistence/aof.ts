// The append-only file, as Redis 7 keeps it: every propagated effect is appended as RESP to
// the newest incremental file of the manifest (SELECT when the database changes; MULTI/EXEC
// blocks arrive whole). Each command's effects are written before its reply leaves, so a
// crashed process loses nothing it acknowledged; appendfsync always also fsyncs them first,
// everysec fsyncs once a second on the thread pool, no leaves fsync to the OS.
//
// A rewrite opens a new incremental file first (so writes never wait), then streams a
// snapshot into a new base file (RDB preamble or commands) and, once it is durable, writes a
// manifest naming the new base and that incremental file and deletes the older files.

import { closeSync, existsSync, fdatasync, fdatasyncSync, mkdirSync, openSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { Shard } from "../server/shard.ts";
import { T_STRING, type Db } from "../keyspace/db.ts";
import { bytes } from "../util/bytes.ts";
import { Manifest, ManifestError, persistManifest, readManifest, type AofInfo } from "./aof-manifest.ts";
import { AofLoader, type AofFile } from "./aof-load.ts";
import { SafeFile, describe } from "./rdb-file.ts";
import { RdbEntryWriter, RdbOut, encoderFor, trailer, writeHeader, accessInfoFor, FLUSH_BYTES } from "./rdb-writer.ts";
import { Snapshot, type EntryWriter } from "./snapshot.ts";
import { SnapshotJob, fileSink } from "./job.ts";
import type { DecodeContext } from "./rdb-reader.ts";

export type AofState = "off" | "on" | "wait_rewrite";

const SELECT = bytes("SELECT");
const SET = bytes("SET");
const PEXPIREAT = bytes("PEXPIREAT");
const MULTI = bytes("MULTI");
const EXEC = bytes("EXEC");

function same(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if ((a[i] | 0x20) !== (b[i] | 0x20)) return false;
  return true;
}

/** Append argv as a RESP array of bulk strings. */
function appendCommand(out: RdbOut, argv: Uint8Array[]): void {
  out.raw(bytes(`*${argv.length}\r\n`));
  for (const a of argv) {
    out.raw(bytes(`$${a.length}\r\n`));
    out.raw(a);
    out.byte(13);
    out.byte(10);
  }
}

/** Snapshot entries as the commands that rebuild them (aof-use-rdb-preamble no). */
class CommandEntryWriter implements EntryWriter {
  private readonly out = new RdbOut(false, FLUSH_BYTES + (FLUSH_BYTES >> 2));
  private readonly emit = (argv: Uint8Array[]) => appendCommand(this.out, argv);

  entry(dbId: number, db: Db, addr: number): void {
    const out = this.out;
    if (out.db !== dbId) this.dbStart(dbId);
    const key = db.keyOf(addr).slice();
    const type = db.type(addr);
    if (type === T_STRING) this.emit([SET, key, db.str(addr)]);
    else encoderFor(type).rewrite(key, db.obj(addr), this.emit);
    const at = db.expireAt(addr);
    if (at >= 0) this.emit([PEXPIREAT, key, bytes(String(at))]);
  }

  dbStart(dbId: number): void {
    appendCommand(this.out, [SELECT, bytes(String(dbId))]);
    this.out.db = dbId;
  }

  get pending(): number {
    return this.out.len;
  }

  take(): Uint8Array {
    return this.out.take();
  }
}

export class Aof {
  state: AofState = "off";
  private fd = -1;
  manifest = new Manifest();
  private readonly out = new RdbOut(false);
  private selectedDb = -1;
  private inMulti = false;
  private unsynced = false;
  private fsyncing = false;
  private lastFsync = 0;
  lastWriteStatus: "ok" | "err" = "ok";
  lastWriteError = "";
  /** Size of the base and incremental files (aof_current_size). */
  currentSize = 0;
  /** aof_current_size right after the last rewrite or load (aof_base_size). */
  baseSize = 0;
  rewrite: SnapshotJob | null = null;
  rewriteScheduled = false;
  lastRewriteTimeSec = -1;
  lastBgrewriteStatus: "ok" | "err" = "ok";
  rewrites = 0;
  consecutiveFailures = 0;
  /** The temp incremental file written while AOF is being turned on. */
  private tempIncr: string | null = null;

  constructor(
    private readonly shard: Shard,
    private readonly onStatus: () => void,
  ) {}

  private get config() {
    return this.shard.config;
  }

  get dir(): string {
    return join(this.config.getStr("dir"), this.config.getStr("appenddirname"));
  }

  private get prefix(): string {
    return this.config.getStr("appendfilename");
  }

  private log(level: string, msg: string): void {
    this.shard.log(level, msg);
  }

  // ---- appending ------------------------------------------------------------------------

  /** Propagator: append one effect. */
  feed(dbIndex: number, argv: Uint8Array[]): void {
    if (this.state === "off") return;
    const out = this.out;
    if (dbIndex !== this.selectedDb) {
      appendCommand(out, [SELECT, bytes(String(dbIndex))]);
      this.selectedDb = dbIndex;
    }
    appendCommand(out, argv);
    // A MULTI/EXEC block goes out whole, at its EXEC.
    if (same(argv[0], MULTI)) this.inMulti = true;
    else if (same(argv[0], EXEC)) this.inMulti = false;
    if (this.inMulti) return;
    if (this.config.getStr("appendfsync") === "always") this.writeAndSync();
    else this.write();
  }

  /** appendfsync always: the effect is on disk before the reply is sent. */
  private writeAndSync(): void {
    if (!this.write()) {
      this.log("warning", "Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting...");
      process.exit(1);
    }
    try {
      fdatasyncSync(this.fd);
      this.unsynced = false;
    } catch (e) {
      this.log("warning", `Can't persist AOF for fsync error when the AOF fsync policy is 'always': ${describe(e)}. Exiting...`);
      process.exit(1);
    }
  }

  /** Write what is buffered to the current incremental file; false on a write error. */
  write(): boolean {
    const out = this.out;
    if (out.len === 0 || this.fd < 0) return true;
    const data = out.bytes();
    let off = 0;
    try {
      while (off < data.length) off += writeSync(this.fd, data, off, data.length - off);
    } catch (e) {
      // Keep what was not written for the next attempt (serverCron retries).
      out.buf.copyWithin(0, off, data.length);
      out.len = data.length - off;
      this.currentSize += off;
      if (this.lastWriteStatus === "ok") this.log("warning", `Error writing to the AOF file: ${describe(e)}`);
      this.lastWriteStatus = "err";
      this.lastWriteError = describe(e);
      this.onStatus();
      return false;
    }
    out.len = 0;
    this.currentSize += data.length;
    this.unsynced = true;
    if (this.lastWriteStatus === "err") {
      this.log("warning", "AOF write error looks solved, Redis can write again.");
      this.lastWriteStatus = "ok";
      this.onStatus();
    }
    return true;
  }

  /** From the shard cron: write retries, and the everysec fsync off the event loop. */
  cron(): void {
    if (this.state !== "off") {
      if (this.out.len > 0) this.write();
      const now = Date.now();
      if (this.config.getStr("appendfsync") === "everysec" && this.unsynced && !this.fsyncing && this.fd >= 0 && now - this.lastFsync >= 1000) {
        this.lastFsync = now;
        this.unsynced = false;
        this.fsyncing = true;
        fdatasync(this.fd, (err) => {
          this.fsyncing = false;
          if (err) {
            this.log("warning", `Error syncing the AOF file: ${describe(err)}`);
            this.unsynced = true;
          }
        });
      }
    }
  }

  /** Write and fsync everything (shutdown, DEBUG LOADAOF, before a rewrite switches files). */
  flushSync(): void {
    if (this.state === "off" || this.fd < 0) return;
    this.write();
    fdatasyncSync(this.fd);
    this.unsynced = false;
  }

  /** Whether auto-aof-rewrite-percentage/-min-size call for a rewrite now. */
  wantsAutoRewrite(): boolean {
    if (this.state !== "on" || this.rewrite !== null) return false;
    const perc = this.config.getNum("auto-aof-rewrite-percentage");
    if (perc <= 0 || this.currentSize <= this.config.getNum("auto-aof-rewrite-min-size")) return false;
    const base = this.baseSize > 0 ? this.baseSize : 1;
    return ((this.currentSize - base) * 100) / base >= perc;
  }

  // ---- files ----------------------------------------------------------------------------

  private openIncr(name: string): void {
    if (this.fd >= 0) {
      // The old file's remaining bytes were written by the caller; make them durable.
      try {
        fdatasyncSync(this.fd);
      } finally {
        closeSync(this.fd);
      }
    }
    this.fd = openSync(join(this.dir, name), "a", 0o644);
    this.selectedDb = -1;
  }

  private ensureDir(): void {
    if (!existsSync(this.dir)) mkdirSync(this.dir, { recursive: true });
  }

  private fileSize(name: string): number {
    try {
      return statSync(join(this.dir, name)).size;
    } catch {
      return 0;
    }
  }

  private totalSize(m: Manifest): number {
    let n = m.base === null ? 0 : this.fileSize(m.base.name);
    for (const i of m.incrs) n += this.fileSize(i.name);
    return n;
  }

  /**
   * The files to replay, upgrading a Redis < 7 single appendonly.aof in `dir` into the
   * directory layout first (aofUpgradePrepare). Null when there is no AOF yet.
   */
  filesToLoad(): AofFile[] | null {
    let m: Manifest | null;
    try {
      m = readManifest(this.dir, this.prefix);
    } catch (e) {
      if (e instanceof ManifestError) throw new Error(`${e.message} (${join(this.dir, this.prefix)}.manifest)`);
      throw e;
    }
    if (m === null) {
      const legacy = join(this.config.getStr("dir"), this.prefix);
      if (!existsSync(legacy)) return null;
      this.ensureDir();
      m = new Manifest();
      m.base = { name: this.prefix, seq: 1, type: "b" };
      m.baseSeq = 1;
      renameSync(legacy, join(this.dir, this.prefix));
      persistManifest(this.dir, this.prefix, m);
      this.log("notice", "Successfully migrated an old-style AOF into the AOF directory");
    }
    this.manifest = m;
    const files: AofInfo[] = [];
    if (m.base !== null) files.push(m.base);
    files.push(...m.incrs);
    return files.map((f) => ({ path: join(this.dir, f.name), name: f.name }));
  }

  loader(files: AofFile[], ctx: DecodeContext): AofLoader {
    return new AofLoader(this.shard, files, ctx, {
      truncatedOk: this.config.getBool("aof-load-truncated"),
      checksum: this.config.getBool("rdbchecksum"),
      log: (level, msg) => this.log(level, msg),
    });
  }

  /**
   * At start-up with appendonly yes, after loading: create a base for an empty dataset when
   * there is no AOF at all, open the newest incremental file (a new one if none) and persist
   * the manifest (aofOpenIfNeededOnServerStart).
   */
  openOnStart(): void {
    this.ensureDir();
    const m = this.manifest;
    // Like Redis, sizes count what was loaded: a base made now for an empty start counts 0.
    this.currentSize = this.totalSize(m);
    if (m.base === null && m.incrs.length === 0) {
      const base = m.newBase(this.prefix, this.config.getBool("aof-use-rdb-preamble"));
      this.writeBaseSync(base.name);
      this.log("notice", `Creating AOF base file ${base.name} on server start`);
    }
    const incr = m.incrs.length > 0 ? m.incrs[m.incrs.length - 1] : m.newIncr(this.prefix);
    this.openIncr(incr.name);
    persistManifest(this.dir, this.prefix, m);
    if (!this.config.getBool("aof-disable-auto-gc")) this.deleteHistory();
    this.state = "on";
    this.baseSize = this.currentSize;
  }

  /** A whole base file written now (an empty or small dataset at start-up). */
  private writeBaseSync(name: string): void {
    const preamble = this.config.getBool("aof-use-rdb-preamble");
    const file = new SafeFile(this.dir, `temp-rewriteaof-${process.pid}.aof`, preamble && this.config.getBool("rdbchecksum"));
    const snap = new Snapshot(this.shard.dbs, this.entryWriter(preamble));
    try {
      if (preamble) file.write(this.rdbHeader());
      snap.start();
      while (!snap.step(Infinity)) file.write(snap.take());
      file.write(snap.take());
      snap.stop();
      file.commitSync(preamble ? trailer(file.crc) : new Uint8Array(0), name);
    } catch (e) {
      snap.stop();
      file.discard();
      throw e;
    }
  }

  private entryWriter(preamble: boolean): EntryWriter {
    if (!preamble) return new CommandEntryWriter();
    return new RdbEntryWriter(this.config.getBool("rdbcompression"), accessInfoFor(this.config.getStr("maxmemory-policy")));
  }

  private rdbHeader(): Uint8Array {
    const out = new RdbOut(this.config.getBool("rdbcompression"));
    writeHeader(out, { aofBase: true });
    return out.take();
  }

  // ---- turning on and off ------------------------------------------------------------------

  /** CONFIG SET appendonly yes (startAppendOnly): writes go to a temp file until the first rewrite is done. */
  enable(): string | null {
    if (this.state !== "off") return null;
    this.ensureDir();
    this.tempIncr = `temp-${this.prefix}.incr`;
    try {
      this.fd = openSync(join(this.dir, this.tempIncr), "w", 0o644);
    } catch (e) {
      this.log("warning", `Redis needs to enable the AOF but can't open the append only file ${this.tempIncr}: ${describe(e)}`);
      return "Unable to turn on AOF. Check server logs.";
    }
    this.selectedDb = -1;
    this.state = "wait_rewrite";
    this.out.len = 0;
    if (this.rewrite !== null) {
      this.rewriteScheduled = true;
      return null;
    }
    const err = this.startRewrite();
    if (err !== null) {
      this.abandonTempIncr();
      this.state = "off";
      return "Unable to turn on AOF. Check server logs.";
    }
    return null;
  }

  /** CONFIG SET appendonly no (stopAppendOnly). */
  disable(): void {
    if (this.state === "off") return;
    try {
      this.flushSync();
    } catch (e) {
      this.log("warning", `Fail to fsync the AOF file: ${describe(e)}`);
    }
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
    if (this.state === "wait_rewrite") this.abandonTempIncr();
    this.state = "off";
    this.rewriteScheduled = false;
    if (this.rewrite !== null) {
      this.log("notice", "Killing running AOF rewrite child");
      this.rewrite.abort();
    }
  }

  private abandonTempIncr(): void {
    if (this.tempIncr === null) return;
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
    try {
      unlinkSync(join(this.dir, this.tempIncr));
    } catch {
      // Not created.
    }
    this.tempIncr = null;
  }

  // ---- rewriting --------------------------------------------------------------------------

  /** aofDelHistoryFiles: remove the files the manifest keeps as history, then forget them. */
  private deleteHistory(): void {
    const m = this.manifest;
    if (m.history.length === 0) return;
    for (const h of m.history) {
      try {
        unlinkSync(join(this.dir, h.name));
      } catch {
        // Already gone.
      }
    }
    m.history = [];
    try {
      persistManifest(this.dir, this.prefix, m);
    } catch (e) {
      this.log("warning", `Failed to persist the AOF manifest after deleting history files: ${describe(e)}`);
    }
  }

  /** rewriteAppendOnlyFileBackground; null when started, else the error to report. */
  startRewrite(): string | null {
    this.ensureDir();
    const m = this.manifest;
    try {
      if (this.state === "on") {
        // New writes go to a fresh incremental file from this instant: the snapshot point.
        this.write();
        const incr = m.newIncr(this.prefix);
        this.openIncr(incr.name);
        persistManifest(this.dir, this.prefix, m);
      }
    } catch (e) {
      this.log("warning", `Can't open new incr AOF file: ${describe(e)}`);
      return "ERR Can't execute an AOF background rewriting. Please check the server logs for more information.";
    }
    const preamble = this.config.getBool("aof-use-rdb-preamble");
    let file: SafeFile;
    try {
      file = new SafeFile(this.dir, `temp-rewriteaof-bg-${process.pid}.aof`, preamble && this.config.getBool("rdbchecksum"));
      if (preamble) file.write(this.rdbHeader());
    } catch (e) {
      this.log("warning", `Can't open the append-only file for the rewrite: ${describe(e)}`);
      return "ERR Can't execute an AOF background rewriting. Please check the server logs for more information.";
    }
    const next = m.clone();
    const base = next.newBase(this.prefix, preamble);
    const sink = fileSink(file, () => (preamble ? trailer(file.crc) : new Uint8Array(0)), base.name);
    const job = new SnapshotJob(this.shard, new Snapshot(this.shard.dbs, this.entryWriter(preamble)), sink, (err) => this.rewriteDone(job, next, err));
    this.rewrite = job;
    this.rewriteScheduled = false;
    this.rewrites++;
    this.log("notice", `Background append only file rewriting started`);
    job.start();
    return null;
  }

  private rewriteDone(job: SnapshotJob, next: Manifest, err: unknown): void {
    if (this.rewrite !== job) return;
    this.rewrite = null;
    this.lastRewriteTimeSec = Math.floor((Date.now() - job.startedAt) / 1000);
    if (err !== null) {
      const aborted = err instanceof Error && err.message === "aborted";
      if (!aborted) {
        this.log("warning", `Background AOF rewrite failed: ${describe(err)}`);
        this.lastBgrewriteStatus = "err";
        this.consecutiveFailures++;
      }
      if (this.state === "wait_rewrite") {
        this.abandonTempIncr();
        this.state = "off";
        this.log("warning", "AOF rewrite failed while turning AOF on: AOF stays off");
      }
      return;
    }
    try {
      if (this.state === "wait_rewrite") {
        this.write();
        const incr = next.newIncr(this.prefix);
        renameSync(join(this.dir, this.tempIncr!), join(this.dir, incr.name));
        this.tempIncr = null;
        next.retireIncrs(1);
      } else {
        // Incremental files written before the rewrite started are in the new base now.
        next.retireIncrs(this.state === "on" ? 1 : 0);
      }
      persistManifest(this.dir, this.prefix, next);
    } catch (e) {
      this.log("warning", `Background AOF rewrite could not update the manifest: ${describe(e)}`);
      this.lastBgrewriteStatus = "err";
      this.consecutiveFailures++;
      return;
    }
    this.manifest = next;
    if (!this.config.getBool("aof-disable-auto-gc")) this.deleteHistory();
    if (this.state === "wait_rewrite") this.state = "on";
    this.currentSize = this.totalSize(next);
    this.baseSize = this.currentSize;
    this.lastBgrewriteStatus = "ok";
    this.consecutiveFailures = 0;
    this.log("notice", "Background AOF rewrite finished successfully");
  }
}
