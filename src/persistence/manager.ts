// Persistence of one shard worker: SAVE and BGSAVE (save points, stop-writes-on-bgsave-error),
// the AOF, loading at start-up (clients get -LOADING meanwhile), DEBUG RELOAD / LOADAOF, the
// shutdown save, and INFO persistence.

import { existsSync, openSync, closeSync, fstatSync } from "node:fs";
import { join } from "node:path";
import type { Shard } from "../server/shard.ts";
import { Client } from "../server/client.ts";
import type { Mesh } from "../server/mesh.ts";
import { feed, flush } from "../server/net.ts";
import { addInfoFields } from "../server/info.ts";
import { keyHashSlot, slotOwnerTable } from "../util/slots.ts";
import { bytes, is } from "../util/bytes.ts";
import { Aof } from "./aof.ts";
import { AofError, type AofLoader } from "./aof-load.ts";
import { gate, refreshGate } from "./gate.ts";
import { SnapshotJob, fileSink, type SnapshotSink } from "./job.ts";
import { SafeFile, describe } from "./rdb-file.ts";
import { RdbError, RdbReader, type DecodeContext } from "./rdb-reader.ts";
import { RdbLoader } from "./rdb-load.ts";
import { RdbEntryWriter, RdbOut, accessInfoFor, trailer, writeBody, writeHeader } from "./rdb-writer.ts";
import { Snapshot } from "./snapshot.ts";
import "./codecs/index.ts";

declare const self: Worker;

type SaveParams = readonly (readonly [seconds: bigint, changes: number])[];
type Field = [string, string | number];
type Done = (err: string | null) => void;

/** BGSAVE's argument when another worker asks this one to write its part of a save. */
export const PART_TOKEN = "TSREDIS-PART";

/** This worker's part of a save spanning every shard worker. */
interface Part {
  /** The background walk; null for a SAVE, written at once. */
  job: SnapshotJob | null;
  dirtyAtStart: number;
  startedAt: number;
  /** Called on the worker that started the save. */
  done: Done | null;
}

/** Hold a client's input until the work calls back (SAVE waits for the coordinator). */
function holdClient(c: Client): () => void {
  c.paused = true;
  return () => {
    if (c.closed) return;
    c.paused = false;
    feed(c, null);
    flush(c);
  };
}

const MISCONF_RDB =
  "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.";
/** CONFIG_BGSAVE_RETRY_DELAY: after a failed BGSAVE, save points wait this long. */
const BGSAVE_RETRY_MS = 5000;
/** Loading works in slices this long, answering -LOADING in between. */
const LOAD_SLICE_MS = 20;

/** What loading reports to INFO while it runs. */
interface LoadProgress {
  startedAt: number;
  totalBytes: number;
  loadedBytes: () => number;
  rdbUsedMem: number;
}

export class Persistence {
  readonly aof: Aof;
  rdbSaves = 0;
  lastBgsaveStatus: "ok" | "err" = "ok";
  lastBgsaveTimeSec = -1;
  bgsave: SnapshotJob | null = null;
  bgsaveScheduled = false;
  private lastBgsaveTry = 0;
  private dirtyAtBgsave = 0;
  keysLoaded = 0;
  keysExpired = 0;
  progress: LoadProgress | null = null;
  /**
   * Set when several shard workers split the keyspace: a save then covers all of them, each
   * writing its part from one common instant taken under the mesh lock.
   */
  mesh: Mesh | null = null;
  private readonly parts = new Map<string, Part>();
  private partSeq = 0;
  /** Stand-in client for requests to the other workers. */
  private peerClient: Client | null = null;

  constructor(readonly shard: Shard) {
    this.aof = new Aof(shard, () => this.refreshMisconf());
    shard.propagators.push((db, argv) => this.aof.feed(db, argv));
    shard.cronHooks.push(() => this.cron());
    shard.config.onChange((names) => this.configChanged(names));
  }

  private get config() {
    return this.shard.config;
  }

  private log(level: string, msg: string): void {
    this.shard.log(level, msg);
  }

  private get dir(): string {
    return this.config.getStr("dir");
  }

  private saveParams(): SaveParams {
    return this.config.getRaw<SaveParams>("save");
  }

  get decodeContext(): DecodeContext {
    return { config: this.config };
  }

  /** Keys this worker keeps when several workers split the keyspace. */
  private owns(): ((key: Uint8Array) => boolean) | undefined {
    const shard = this.shard;
    if (shard.count === 1) return undefined;
    const owner = slotOwnerTable(shard.count);
    return (key) => owner[keyHashSlot(key)] === shard.id;
  }

  // ---- status ---------------------------------------------------------------------------

  refreshMisconf(): void {
    const rdbErr = this.config.getBool("stop-writes-on-bgsave-error") && this.saveParams().length > 0 && this.lastBgsaveStatus === "err";
    const aofErr = this.aof.state !== "off" && this.aof.lastWriteStatus === "err";
    gate.misconf = rdbErr ? MISCONF_RDB : aofErr ? `MISCONF Errors writing to the AOF file: ${this.aof.lastWriteError}` : null;
    refreshGate(this.shard);
  }

  private configChanged(names: string[]): void {
    if (names.includes("appendonly")) {
      if (this.mesh !== null) this.log("warning", "appendonly is not supported with more than one shard worker: the AOF stays off");
      else if (this.config.getBool("appendonly")) {
        const err = this.aof.enable();
        if (err !== null) this.log("warning", err);
      } else {
        this.aof.disable();
      }
    }
    if (names.includes("save") || names.includes("stop-writes-on-bgsave-error") || names.includes("appendonly")) this.refreshMisconf();
  }

  /** A background save or AOF rewrite is running (Redis: a child process is active). */
  get busy(): boolean {
    return this.bgsave !== null || this.aof.rewrite !== null || this.parts.size > 0;
  }

  /** The background save running here, if any (for BGSAVE's checks and INFO). */
  get backgroundSave(): SnapshotJob | null {
    if (this.bgsave !== null) return this.bgsave;
    for (const p of this.parts.values()) if (p.job !== null) return p.job;
    return null;
  }

  // ---- RDB ------------------------------------------------------------------------------

  /** rdbSave: the whole dataset to dbfilename now; null on success, else the reason. */
  saveSync(): string | null {
    const tempName = `temp-${process.pid}.rdb`;
    let file: SafeFile;
    try {
      file = new SafeFile(this.dir, tempName, this.config.getBool("rdbchecksum"));
    } catch (e) {
      this.log("warning", `Failed opening the temp RDB file ${tempName} (in server root dir ${this.dir}) for saving: ${describe(e)}`);
      return describe(e);
    }
    try {
      const out = new RdbOut(this.config.getBool("rdbcompression"));
      writeHeader(out);
      writeBody(out, this.shard.dbs, accessInfoFor(this.config.getStr("maxmemory-policy")), (o) => file.write(o.take()));
      file.write(out.take());
      file.commitSync(trailer(file.crc), this.config.getStr("dbfilename"));
    } catch (e) {
      file.discard();
      this.log("warning", `Write error saving DB on disk: ${describe(e)}`);
      return describe(e);
    }
    this.log("notice", "DB saved on disk");
    this.shard.dirty = 0;
    this.shard.lastSave = Math.floor(Date.now() / 1000);
    this.lastBgsaveStatus = "ok";
    this.refreshMisconf();
    return null;
  }

  /** rdbSaveBackground. */
  startBgsave(): void {
    this.rdbSaves++;
    this.lastBgsaveTry = Date.now();
    if (this.mesh !== null) return this.saveEverywhere(false, null);
    const tempName = `temp-bgsave-${process.pid}.rdb`;
    let file: SafeFile;
    try {
      file = new SafeFile(this.dir, tempName, this.config.getBool("rdbchecksum"));
      const head = new RdbOut(false);
      writeHeader(head);
      file.write(head.take());
    } catch (e) {
      // Redis's forked child would fail here after BGSAVE answered: report it the same way.
      this.log("notice", `Background saving started by pid ${process.pid}`);
      this.log("warning", `Failed opening the temp RDB file ${tempName} (in server root dir ${this.dir}) for saving: ${describe(e)}`);
      setImmediate(() => {
        this.log("warning", "Background saving error");
        this.lastBgsaveStatus = "err";
        this.refreshMisconf();
      });
      return;
    }
    const writer = new RdbEntryWriter(this.config.getBool("rdbcompression"), accessInfoFor(this.config.getStr("maxmemory-policy")));
    const sink = fileSink(file, () => trailer(file.crc), this.config.getStr("dbfilename"));
    const job = new SnapshotJob(this.shard, new Snapshot(this.shard.dbs, writer), sink, (err) => this.bgsaveDone(job, err));
    this.bgsave = job;
    this.bgsaveScheduled = false;
    this.dirtyAtBgsave = this.shard.dirty;
    this.log("notice", `Background saving started by pid ${process.pid}`);
    job.start();
  }

  private bgsaveDone(job: SnapshotJob, err: unknown): void {
    if (this.bgsave !== job) return;
    this.bgsave = null;
    this.lastBgsaveTimeSec = Math.floor((Date.now() - job.startedAt) / 1000);
    if (err instanceof Error && err.message === "aborted") {
      this.log("warning", "Background saving terminated by signal 10");
      return;
    }
    if (err !== null) {
      this.log("warning", `Background saving error: ${describe(err)}`);
      this.lastBgsaveStatus = "err";
    } else {
      this.log("notice", "Background saving terminated with success");
      this.shard.dirty = Math.max(0, this.shard.dirty - this.dirtyAtBgsave);
      this.shard.lastSave = Math.floor(Date.now() / 1000);
      this.lastBgsaveStatus = "ok";
    }
    this.refreshMisconf();
  }

  /**
   * SAVE: the dataset to dbfilename now, then done(null) or done(error). Several workers
   * save together through the coordinator, so c waits for its answer.
   */
  save(c: Client | null, done: Done): void {
    if (this.mesh === null) return done(this.saveSync() === null ? null : "ERR");
    const resume = c === null ? null : holdClient(c);
    this.saveEverywhere(true, (err) => {
      done(err === null ? null : "ERR");
      resume?.();
    });
  }

  // ---- saves spanning every shard worker ------------------------------------------------

  /**
   * Under the mesh lock no worker runs a command, so the parts every worker starts there
   * form one point-in-time image. The coordinator writes the header, the parts as they
   * stream in, and the trailer, and answers every worker with rdb-done.
   */
  private saveEverywhere(sync: boolean, done: Done | null): void {
    const mesh = this.mesh!;
    const shard = this.shard;
    mesh.exclusive(() => {
      if (this.busy) return done?.("ERR Background save already in progress");
      const id = `${shard.id}.${++this.partSeq}.${Date.now()}`;
      const head = new RdbOut(false);
      writeHeader(head);
      const header = head.take();
      self.postMessage(
        { type: "rdb-begin", id, dir: this.dir, temp: `temp-${process.pid}-${id}.rdb`, target: this.config.getStr("dbfilename"), header, checksum: this.config.getBool("rdbchecksum"), parts: shard.count },
        [header.buffer as ArrayBuffer],
      );
      if (this.peerClient === null) {
        this.peerClient = new Client(shard, shard.nextClientId());
        this.peerClient.authenticated = true;
      }
      const argv = [bytes("BGSAVE"), bytes(PART_TOKEN), bytes(id), bytes(sync ? "sync" : "bg")];
      for (let dst = 0; dst < shard.count; dst++) if (dst !== shard.id) mesh.execOn(dst, this.peerClient, argv);
      this.startPart(id, sync, done);
    });
  }

  /** Write this worker's part of save id: at once (sync) or in the background. */
  startPart(id: string, sync: boolean, done: Done | null = null): void {
    const part: Part = { job: null, dirtyAtStart: this.shard.dirty, startedAt: Date.now(), done };
    this.parts.set(id, part);
    const sink: SnapshotSink = {
      write: (chunk) => self.postMessage({ type: "rdb-part", id, chunk }, [chunk.buffer as ArrayBuffer]),
      commit: (committed) => {
        self.postMessage({ type: "rdb-part-end", id, error: null });
        committed(null);
      },
      discard: (aborted) => self.postMessage({ type: "rdb-part-end", id, error: aborted ? "aborted" : "failed" }),
    };
    const compress = this.config.getBool("rdbcompression");
    const access = accessInfoFor(this.config.getStr("maxmemory-policy"));
    if (sync) {
      const out = new RdbOut(compress);
      try {
        writeBody(out, this.shard.dbs, access, (o) => sink.write(o.take()));
        sink.write(out.take());
      } catch (e) {
        this.log("warning", `Write error saving DB: ${describe(e)}`);
        return sink.discard(false);
      }
      return sink.commit(() => {});
    }
    part.job = new SnapshotJob(this.shard, new Snapshot(this.shard.dbs, new RdbEntryWriter(compress, access)), sink, () => {});
    this.log("notice", `Background saving started by pid ${process.pid}`);
    part.job.start();
  }

  /** The coordinator's answer for save id. */
  partDone(id: string, error: string | null): void {
    const part = this.parts.get(id);
    if (part === undefined) return;
    this.parts.delete(id);
    if (part.job !== null) this.lastBgsaveTimeSec = Math.floor((Date.now() - part.startedAt) / 1000);
    if (error === "aborted") {
      this.log("warning", "Background saving terminated by signal 10");
    } else if (error !== null) {
      this.log("warning", `Background saving error: ${error}`);
      this.lastBgsaveStatus = "err";
    } else {
      this.log("notice", part.job !== null ? "Background saving terminated with success" : "DB saved on disk");
      this.shard.dirty = Math.max(0, this.shard.dirty - part.dirtyAtStart);
      this.shard.lastSave = Math.floor(Date.now() / 1000);
      this.lastBgsaveStatus = "ok";
    }
    this.refreshMisconf();
    part.done?.(error);
  }

  /** Give up this worker's background parts (FLUSHALL, shutdown). */
  private abortParts(): void {
    for (const p of this.parts.values()) p.job?.abort();
  }

  /** BGSAVE / BGREWRITEAOF scheduling, save points, auto-rewrite and AOF fsync. */
  private cron(): void {
    if (gate.loading) return;
    this.aof.cron();
    if (this.busy) return;
    const now = Date.now();
    const retryOk = this.lastBgsaveStatus === "ok" || now - this.lastBgsaveTry > BGSAVE_RETRY_MS;
    for (const [seconds, changes] of this.saveParams()) {
      if (this.shard.dirty >= changes && now - this.shard.lastSave * 1000 > Number(seconds) * 1000 && retryOk) {
        this.log("notice", `${changes} changes in ${seconds} seconds. Saving...`);
        this.startBgsave();
        return;
      }
    }
    if (this.bgsaveScheduled && retryOk) {
      this.startBgsave();
      return;
    }
    if (this.aof.rewriteScheduled) {
      this.aof.startRewrite();
      return;
    }
    if (this.aof.wantsAutoRewrite()) {
      const base = this.aof.baseSize > 0 ? this.aof.baseSize : 1;
      this.log("notice", `Starting automatic rewriting of AOF on ${Math.floor(((this.aof.currentSize - base) * 100) / base)}% growth`);
      this.aof.startRewrite();
    }
  }

  /**
   * FLUSHALL with save points: abandon a BGSAVE and save the empty dataset (dirty kept).
   * With several workers every one runs the FLUSHALL; the client's own worker saves.
   */
  afterFlushAll(c: Client): void {
    this.bgsave?.abort();
    this.abortParts();
    if (this.saveParams().length === 0 || (this.mesh !== null && c.socket === null)) return;
    const dirty = this.shard.dirty;
    this.save(null, () => {});
    this.shard.dirty = dirty;
  }

  // ---- loading ------------------------------------------------------------------------------

  private emptyData(): void {
    this.shard.dbModified(-1);
    for (const db of this.shard.dbs) db.flush();
  }

  /** The RDB file as a loader, or null when there is none. */
  private rdbLoader(opts: { merge?: boolean }): { loader: RdbLoader; close: () => void; size: number } | null {
    const path = join(this.dir, this.config.getStr("dbfilename"));
    if (!existsSync(path)) return null;
    const fd = openSync(path, "r");
    const size = fstatSync(fd).size;
    const reader = RdbReader.fromFile(fd, this.config.getStr("dbfilename"));
    const loader = new RdbLoader(reader, this.shard.dbs, this.decodeContext, { checksum: this.config.getBool("rdbchecksum"), owns: this.owns(), merge: opts.merge }, (l, m) => this.log(l, m));
    return { loader, close: () => closeSync(fd), size };
  }

  private rdbLoaded(loader: RdbLoader): void {
    this.keysLoaded = loader.keysLoaded;
    this.keysExpired = loader.keysExpired;
    const ctime = Number(loader.aux.get("ctime"));
    if (Number.isFinite(ctime)) this.log("notice", `RDB age ${Math.floor(Date.now() / 1000) - ctime} seconds`);
    const mem = Number(loader.aux.get("used-mem"));
    if (Number.isFinite(mem)) this.log("notice", `RDB memory usage when created ${(mem / 1024 / 1024).toFixed(2)} Mb`);
    this.log("notice", `Done loading RDB, keys loaded: ${loader.keysLoaded}, keys expired: ${loader.keysExpired}.`);
  }

  /**
   * Load the dataset at start-up (the AOF when appendonly is on, else the RDB file), in
   * slices while clients get -LOADING; then ready() or fatal(message).
   */
  loadOnStart(ready: () => void, fatal: (message: string) => void): void {
    const aofOn = this.config.getBool("appendonly");
    if (aofOn && this.shard.count > 1) {
      fatal("appendonly yes is not supported with more than one shard worker: run with --shards 1");
      return;
    }
    const started = performance.now();
    // key-load-delay (µs per key, a testing aid): load one key at a time with that pause.
    const keyDelayUs = this.config.getNum("key-load-delay");
    let step: (deadline: number) => boolean;
    let finish: () => void;
    let what: string;
    try {
      if (aofOn) {
        const files = this.aof.filesToLoad();
        what = "append only file";
        if (files === null) {
          step = () => true;
          finish = () => {};
        } else {
          const loader = this.aof.loader(files, this.decodeContext);
          this.progress = { startedAt: Date.now(), totalBytes: loader.totalBytes, loadedBytes: () => loader.loadedBytes, rdbUsedMem: 0 };
          step = (deadline) => this.replay(loader, deadline);
          finish = () => {
            this.keysLoaded = loader.keysLoaded;
          };
        }
      } else {
        what = "disk";
        const rdb = this.rdbLoader({});
        if (rdb === null) {
          step = () => true;
          finish = () => {};
        } else {
          const { loader, close, size } = rdb;
          this.progress = { startedAt: Date.now(), totalBytes: size, loadedBytes: () => loader.offset, rdbUsedMem: 0 };
          step = (deadline) => {
            try {
              const done = loader.step(deadline, keyDelayUs > 0 ? 1 : Infinity);
              if (this.progress !== null) this.progress.rdbUsedMem = Number(loader.aux.get("used-mem") ?? 0);
              if (done) close();
              return done;
            } catch (e) {
              close();
              throw e;
            }
          };
          finish = () => this.rdbLoaded(loader);
        }
      }
    } catch (e) {
      fatal(`Fatal error loading the DB: ${(e as Error).message}. Exiting.`);
      return;
    }
    const activeExpire = this.shard.activeExpire;
    this.shard.activeExpire = false;
    gate.loading = true;
    refreshGate(this.shard);
    const end = (err: unknown) => {
      gate.loading = false;
      this.progress = null;
      this.shard.activeExpire = activeExpire;
      refreshGate(this.shard);
      if (err !== null) {
        this.emptyData();
        const msg = err instanceof RdbError || err instanceof AofError ? err.message : describe(err);
        fatal(`Fatal error loading the DB: ${msg}. Exiting.`);
        return;
      }
      this.shard.dirty = 0;
      finish();
      this.log("notice", `DB loaded from ${what}: ${((performance.now() - started) / 1000).toFixed(3)} seconds`);
      if (aofOn) {
        try {
          this.aof.openOnStart();
        } catch (e) {
          fatal(`Can't open the append-only file: ${describe(e)}`);
          return;
        }
      }
      ready();
    };
    const slice = () => {
      let done: boolean;
      try {
        done = step(performance.now() + LOAD_SLICE_MS);
      } catch (e) {
        end(e);
        return;
      }
      if (done) end(null);
      else if (keyDelayUs > 0) setTimeout(slice, keyDelayUs / 1000);
      else setImmediate(slice);
    };
    slice();
  }

  /** Run AOF commands without propagating their effects again. */
  private replay(loader: AofLoader, deadline: number): boolean {
    const shard = this.shard;
    const propagate = shard.propagate;
    shard.propagate = () => {};
    try {
      return loader.step(deadline);
    } finally {
      shard.propagate = propagate;
    }
  }

  // ---- DEBUG RELOAD / LOADAOF -----------------------------------------------------------

  debugReload(c: Client, argv: Uint8Array[]): void {
    let flush = true;
    let save = true;
    let merge = false;
    for (let j = 2; j < argv.length; j++) {
      if (is(argv[j], "merge")) merge = true;
      else if (is(argv[j], "noflush")) flush = false;
      else if (is(argv[j], "nosave")) save = false;
      else return c.out.error("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.");
    }
    // The save resets the dirty counter: that is not a change to propagate.
    c.propagateAs = [];
    // A request from the worker that runs the reload everywhere reloads just here.
    if (this.mesh !== null && c.socket !== null) return this.debugReloadEverywhere(c, argv, save);
    if (save && this.saveSync() !== null) return c.out.error("ERR");
    this.reload(c, flush, merge);
  }

  /** Several workers: save together, then every worker reloads its own keys. */
  private debugReloadEverywhere(c: Client, argv: Uint8Array[], save: boolean): void {
    const reloadAll = () => {
      const others = [bytes("DEBUG"), bytes("RELOAD"), bytes("NOSAVE"), ...argv.slice(2).filter((a) => !is(a, "nosave"))];
      this.mesh!.exclusive(() => {
        for (let dst = 0; dst < this.shard.count; dst++) if (dst !== this.shard.id) this.mesh!.execOn(dst, c, others);
        this.reload(c, !others.some((a) => is(a, "noflush")), others.some((a) => is(a, "merge")));
      });
    };
    if (!save) return reloadAll();
    this.save(c, (err) => {
      if (err !== null) c.out.error(err);
      else reloadAll();
    });
  }

  private reload(c: Client, flush: boolean, merge: boolean): void {
    if (flush) this.emptyData();
    let rdb: ReturnType<Persistence["rdbLoader"]>;
    try {
      rdb = this.rdbLoader({ merge });
      if (rdb === null) throw new RdbError(`${this.config.getStr("dbfilename")} does not exist`);
      try {
        rdb.loader.runToEnd();
      } finally {
        rdb.close();
      }
    } catch (e) {
      this.log("warning", `Error trying to load the RDB dump: ${(e as Error).message}`);
      return c.out.error("ERR Error trying to load the RDB dump, check server logs.");
    }
    this.rdbLoaded(rdb.loader);
    this.log("warning", "DB reloaded by DEBUG RELOAD");
    c.out.ok();
  }

  debugLoadAof(c: Client): void {
    if (this.mesh !== null) return c.out.error("ERR The AOF is not supported with more than one shard worker");
    c.propagateAs = [];
    if (this.aof.state !== "off") this.aof.flushSync();
    try {
      const files = this.aof.filesToLoad();
      // Redis exits here; keeping the dataset and saying why is kinder.
      if (files === null) return c.out.error("ERR There is no AOF to load: the append only file does not exist");
      this.emptyData();
      this.replay(this.aof.loader(files, this.decodeContext), Infinity);
    } catch (e) {
      this.log("warning", (e as Error).message);
      return c.out.error("ERR Error trying to load the AOF files, check server logs.");
    }
    this.shard.dirty = 0;
    this.log("warning", "Append Only File loaded by DEBUG LOADAOF");
    c.out.ok();
  }

  // ---- shutdown --------------------------------------------------------------------------

  /**
   * prepareForShutdown: stop background saves, flush and fsync the AOF, save the RDB when
   * asked (save true) or by default with save points (save null); then done(null) when the
   * server may exit, else done(error). c, if given, waits while several workers save.
   */
  prepareShutdown(save: boolean | null, force: boolean, c: Client | null, done: Done): void {
    this.bgsave?.abort();
    this.abortParts();
    if (this.aof.rewrite !== null) {
      if (this.aof.state === "wait_rewrite" && !force) {
        this.log("warning", "Writing initial AOF, can't exit.");
        return done("ERR Errors trying to SHUTDOWN. Check logs.");
      }
      this.aof.rewrite.abort();
    }
    if (this.aof.state !== "off") {
      this.log("notice", "Calling fsync() on the AOF file.");
      try {
        this.aof.flushSync();
      } catch (e) {
        this.log("warning", `Fail to fsync the AOF file: ${describe(e)}`);
      }
    }
    if (save === false || (save === null && this.saveParams().length === 0)) return done(null);
    this.log("notice", "Saving the final RDB snapshot before exiting.");
    this.save(c, (err) => {
      if (err === null || force) return done(null);
      this.log("warning", "Error trying to save the DB, can't exit.");
      done("ERR Errors trying to SHUTDOWN. Check logs.");
    });
  }

  // ---- INFO ------------------------------------------------------------------------------

  info(): Field[] {
    const now = Date.now();
    const aof = this.aof;
    const bgsave = this.backgroundSave;
    const snap = (bgsave ?? aof.rewrite)?.snapshot;
    const fields: Field[] = [
      ["loading", gate.loading ? 1 : 0],
      ["current_fork_perc", snap && snap.keysTotal > 0 ? ((Math.min(snap.keysDone, snap.keysTotal) * 100) / snap.keysTotal).toFixed(2) : "0.00"],
      ["current_save_keys_processed", snap ? Math.min(snap.keysDone, snap.keysTotal) : 0],
      ["current_save_keys_total", snap ? snap.keysTotal : 0],
      ["rdb_bgsave_in_progress", bgsave !== null ? 1 : 0],
      ["rdb_last_save_time", this.shard.lastSave],
      ["rdb_last_bgsave_status", this.lastBgsaveStatus],
      ["rdb_last_bgsave_time_sec", this.lastBgsaveTimeSec],
      ["rdb_current_bgsave_time_sec", bgsave !== null ? Math.floor((now - bgsave.startedAt) / 1000) : -1],
      ["rdb_saves", this.rdbSaves],
      ["rdb_last_load_keys_expired", this.keysExpired],
      ["rdb_last_load_keys_loaded", this.keysLoaded],
      ["aof_enabled", aof.state !== "off" ? 1 : 0],
      ["aof_rewrite_in_progress", aof.rewrite !== null ? 1 : 0],
      ["aof_rewrite_scheduled", aof.rewriteScheduled ? 1 : 0],
      ["aof_last_rewrite_time_sec", aof.lastRewriteTimeSec],
      ["aof_current_rewrite_time_sec", aof.rewrite !== null ? Math.floor((now - aof.rewrite.startedAt) / 1000) : -1],
      ["aof_last_bgrewrite_status", aof.lastBgrewriteStatus],
      ["aof_rewrites", aof.rewrites],
      ["aof_rewrites_consecutive_failures", aof.consecutiveFailures],
      ["aof_last_write_status", aof.lastWriteStatus],
    ];
    if (aof.state !== "off") {
      fields.push(
        ["aof_current_size", aof.currentSize],
        ["aof_base_size", aof.baseSize],
        ["aof_pending_rewrite", aof.rewriteScheduled ? 1 : 0],
        ["aof_buffer_length", 0],
        ["aof_pending_bio_fsync", 0],
        ["aof_delayed_fsync", 0],
      );
    }
    const p = this.progress;
    if (gate.loading && p !== null) {
      const loaded = p.loadedBytes();
      const elapsed = (now - p.startedAt) / 1000;
      const perc = p.totalBytes > 0 ? (loaded * 100) / p.totalBytes : 0;
      const eta = loaded > 0 && elapsed > 0 ? Math.floor((p.totalBytes - loaded) / (loaded / elapsed)) : 1;
      fields.push(
        ["loading_start_time", Math.floor(p.startedAt / 1000)],
        ["loading_total_bytes", p.totalBytes],
        ["loading_rdb_used_mem", p.rdbUsedMem],
        ["loading_loaded_bytes", loaded],
        ["loading_loaded_perc", perc.toFixed(2)],
        ["loading_eta_seconds", eta],
      );
    }
    return fields;
  }
}

const instances = new WeakMap<Shard, Persistence>();

export function installPersistenceManager(shard: Shard): Persistence {
  const p = new Persistence(shard);
  instances.set(shard, p);
  addInfoFields("persistence", (s) => instances.get(s)?.info() ?? []);
  return p;
}

export function persistenceOf(shard: Shard): Persistence {
  const p = instances.get(shard);
  if (p === undefined) throw new Error("persistence is not installed on this shard");
  return p;
}
