// Replication of one shard worker: the replication identity (replid, replid2, offsets), the
// backlog, the stream fed by propagation, and the role switches (REPLICAOF host port / NO ONE).
// The master side (attached replicas, full and partial resyncs, WAIT) is in master.ts; the
// replica side (the link to our master) in link.ts.
//
// The stream is Redis's: every propagated effect as a RESP command, with SELECT when the
// database changes. A replica does not re-propagate what it executes: it appends the bytes
// its master sent to its own backlog and sub-replicas, so a chain of replicas shares one
// replid and one offset space.

import { closeSync, existsSync, openSync } from "node:fs";
import { join } from "node:path";
import type { Client } from "../server/client.ts";
import type { Shard } from "../server/shard.ts";
import type { Command } from "../commands/table.ts";
import { lookupCommandBytes } from "../commands/table.ts";
import { setCommandGuard } from "../server/dispatch.ts";
import { addInfoFields, replication as ids, randomHex, type Field } from "../server/info.ts";
import { OP_AUX, setSaveInfo } from "../persistence/rdb-writer.ts";
import { RdbReader } from "../persistence/rdb-reader.ts";
import { looksLikeRdb } from "../persistence/rdb-load.ts";
import { Backlog } from "./backlog.ts";
import { MasterSide } from "./master.ts";
import { MasterLink } from "./link.ts";
import { Failover } from "./failover.ts";
import { ascii, StreamEncoder } from "./stream.ts";

const SELECT = ascii("SELECT");
const READONLY = "READONLY You can't write against a read only replica.";
const MASTERDOWN = "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.";
const NOREPLICAS = "NOREPLICAS Not enough good replicas to write.";
const UNBLOCKED = "UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)";

/**
 * A point of a replication history: a master we were attached to, kept to PSYNC from where
 * it left off (Redis's cached master), or what an RDB file's aux fields recorded.
 */
export interface CachedMaster {
  replid: string;
  offset: number;
  /** The database the stream had selected there. */
  db: number;
}

export class Replication {
  readonly master: MasterSide;
  readonly failover: Failover;
  backlog: Backlog | null = null;
  /** Database the stream last SELECTed (Redis's slaveseldb); -1 forces a SELECT first. */
  streamDb = -1;
  /** Our master while we are a replica (REPLICAOF); null while we are a master. */
  masterHost: string | null = null;
  masterPort = 0;
  link: MasterLink | null = null;
  cached: CachedMaster | null = null;
  readonly stats = { syncFull: 0, syncPartialOk: 0, syncPartialErr: 0 };
  /** Bytes read from our master (total_net_repl_input_bytes). */
  inputBytes = 0;
  private readonly enc = new StreamEncoder();
  private readonly dbIndexArg: Uint8Array[] = [];

  constructor(readonly shard: Shard) {
    this.master = new MasterSide(this);
    this.failover = new Failover(this);
    ids.section = () => this.info();
    shard.propagators.push((db, argv) => this.propagate(db, argv));
    for (let i = 0; i < shard.dbs.length; i++) this.dbIndexArg.push(ascii(String(i)));
    setSaveInfo(() => this.saveInfo());
    shard.config.onChange((names) => {
      if (names.includes("repl-backlog-size") && this.backlog !== null) this.resizeBacklog();
      if (names.some((n) => GUARD_CONFIG.has(n))) this.refreshGuard();
    });
    this.refreshGuard();
  }

  get config() {
    return this.shard.config;
  }

  log(level: string, msg: string): void {
    this.shard.log(level, msg);
  }

  get isReplica(): boolean {
    return this.masterHost !== null;
  }

  // ---- identity -----------------------------------------------------------------------

  changeReplicationId(): void {
    ids.replid = randomHex(40);
  }

  clearReplicationId2(): void {
    ids.replid2 = "0".repeat(40);
    ids.secondOffset = -1;
  }

  /** The current history continues under a new id; the old one stays valid up to here. */
  shiftReplicationId(): void {
    ids.replid2 = ids.replid;
    ids.secondOffset = ids.offset + 1;
    this.changeReplicationId();
    this.log("notice", `Setting secondary replication ID to ${ids.replid2}, valid up to offset: ${ids.secondOffset}. New replication ID is ${ids.replid}`);
  }

  // ---- backlog and stream ---------------------------------------------------------------

  createBacklog(): void {
    this.backlog = Backlog.create(this.config.getNum("repl-backlog-size"), ids.offset);
  }

  freeBacklog(): void {
    this.backlog = null;
  }

  private resizeBacklog(): void {
    const size = this.config.getNum("repl-backlog-size");
    if (this.backlog !== null && this.backlog.size !== size) this.backlog = this.backlog.resized(size);
  }

  /** A propagated effect of a command executed here (never on a replica: see link.ts). */
  private propagate(dbIndex: number, argv: Uint8Array[]): void {
    if (this.backlog === null || this.masterHost !== null) return;
    if (dbIndex !== this.streamDb) {
      this.append(this.enc.encode([SELECT, this.dbIndexArg[dbIndex] ?? ascii(String(dbIndex))]));
      this.streamDb = dbIndex;
    }
    this.append(this.enc.encode(argv));
  }

  /** A command of our own (PING, REPLCONF GETACK) in whatever database the stream is on. */
  emit(argv: Uint8Array[]): void {
    if (this.backlog === null) return;
    this.append(this.enc.encode(argv));
  }

  /** Bytes of the stream: into the backlog and out to the replicas. */
  append(bytes: Uint8Array): void {
    ids.offset = this.backlog!.append(bytes);
    this.master.deliver(bytes);
  }

  // ---- persistence ------------------------------------------------------------------------

  /** rdbPopulateSaveInfo: the aux fields a save carries so a restart can PSYNC. */
  private saveInfo(): [string, string][] {
    let db: number;
    if (this.masterHost === null) {
      if (this.backlog === null) return [];
      db = this.streamDb === -1 ? 0 : this.streamDb;
    } else if (this.link?.client) {
      db = this.link.client.dbIndex;
    } else if (this.cached !== null) {
      db = this.cached.db;
    } else {
      return [];
    }
    return [
      ["repl-stream-db", String(db)],
      ["repl-id", ids.replid],
      ["repl-offset", String(ids.offset)],
    ];
  }

  /**
   * After loading the dataset at start-up: take the replication identity the RDB recorded.
   * A replica uses it as its cached master (so it can PSYNC after a restart); a master keeps
   * it as replid2 so its former replicas can still partially resync.
   */
  restore(info: CachedMaster | null): void {
    if (info === null) return;
    if (this.config.getStr("replicaof") !== "") {
      ids.replid = info.replid;
      ids.offset = info.offset;
      this.createBacklog();
      this.cached = { replid: info.replid, offset: info.offset, db: info.db };
    } else {
      ids.replid2 = info.replid;
      ids.secondOffset = info.offset + 1;
      ids.offset = info.offset;
      this.createBacklog();
    }
  }

  /** replicationAttachToNewMaster: our history ends here, so our replicas must resync too. */
  attachToNewMaster(): void {
    this.cached = null;
    this.master.disconnectAll();
    this.freeBacklog();
  }

  /** After a full sync the master's history is ours. */
  newMasterHistory(replid: string, offset: number): void {
    ids.replid = replid;
    ids.offset = offset;
    this.clearReplicationId2();
    this.createBacklog();
    this.streamDb = -1;
  }

  // ---- role -------------------------------------------------------------------------------

  /** The replica-of configuration at start-up (replicaof in the config file). */
  start(): void {
    const v = this.config.getStr("replicaof");
    if (v === "") return;
    const sp = v.lastIndexOf(" ");
    this.becomeReplica(v.slice(0, sp), Number(v.slice(sp + 1)), false);
  }

  /** replicationSetMaster. */
  setMaster(host: string, port: number): void {
    this.becomeReplica(host, port, this.masterHost === null);
  }

  private becomeReplica(host: string, port: number, wasMaster: boolean): void {
    if (this.link !== null) {
      this.link.shutdown();
      this.link = null;
    }
    this.disconnectBlocked();
    this.masterHost = host;
    this.masterPort = port;
    if (wasMaster) {
      this.cached = null;
      this.cacheMasterUsingMyself();
    }
    this.applyRole();
    this.refreshGuard();
    this.config.applyDirective("replicaof", [host, String(port)]);
    this.link = new MasterLink(this, host, port);
    this.log("notice", `Connecting to MASTER ${host}:${port}`);
    this.link.connect();
  }

  /**
   * disconnectAllBlockedClients: a client blocked on the master (BLPOP, WAIT) must not be
   * served by the stream of our new master; it gets an error and is closed.
   */
  private disconnectBlocked(): void {
    const blocking = this.shard.blocking;
    for (const c of this.shard.clients.values()) {
      if (blocking.isBlocked(c)) {
        // unblock() answers as a timeout; that answer is replaced by the error.
        const mark = c.out.len;
        blocking.unblock(c, false);
        c.out.len = mark;
      } else if (!this.master.releaseWaiter(c)) {
        continue;
      }
      c.out.error(UNBLOCKED);
      c.closeAfterReply = true;
    }
  }

  /** replicationCacheMasterUsingMyself: PSYNC to the new master from our own history. */
  private cacheMasterUsingMyself(): void {
    if (this.backlog === null) this.createBacklog();
    this.cached = { replid: ids.replid, offset: ids.offset, db: this.streamDb === -1 ? 0 : this.streamDb };
    this.log("notice", "Before turning into a replica, using my own master parameters to synthesize a cached master: I may be able to synchronize with the new master with just a partial transfer.");
  }

  /** replicationUnsetMaster (REPLICAOF NO ONE, FAILOVER). */
  unsetMaster(): void {
    if (this.masterHost === null) return;
    this.link?.shutdown();
    this.link = null;
    this.masterHost = null;
    if (this.cached !== null) {
      this.log("notice", "Discarding previously cached master state.");
      this.cached = null;
    }
    this.config.applyDirective("replicaof", ["no", "one"]);
    if (this.backlog === null) this.createBacklog();
    this.shiftReplicationId();
    // The replicas must learn the new replid: they reconnect and continue with a PSYNC.
    this.master.disconnectAll();
    this.streamDb = -1;
    this.master.noReplicasSince = Date.now();
    this.applyRole();
    this.refreshGuard();
  }

  /** Log lines show the role (M/S). Installed by the worker. */
  onRole: ((replica: boolean) => void) | null = null;

  /**
   * Settings that follow the role. Replicas leave expiry to their master (its DELs) and only
   * hide expired keys.
   */
  applyRole(): void {
    const master = this.masterHost === null;
    for (const db of this.shard.dbs) db.deleteExpired = master;
    this.shard.activeExpire = master;
    this.onRole?.(!master);
  }

  // ---- command guard ----------------------------------------------------------------------

  /** Install the dispatcher's READONLY / MASTERDOWN / NOREPLICAS check only while it can refuse. */
  refreshGuard(): void {
    const cfg = this.config;
    let need: boolean;
    if (this.masterHost !== null) need = cfg.getBool("replica-read-only") || !cfg.getBool("replica-serve-stale-data");
    else need = cfg.getNum("min-replicas-to-write") > 0 && cfg.getNum("min-replicas-max-lag") > 0;
    setCommandGuard(need ? (c, cmd) => this.guard(c, cmd) : null);
  }

  private guard(c: Client, cmd: Command): string | null {
    const cfg = this.config;
    if (this.masterHost === null) {
      if (isWrite(c, cmd) && this.master.goodReplicas() < cfg.getNum("min-replicas-to-write")) return NOREPLICAS;
      return null;
    }
    if (cfg.getBool("replica-read-only") && isWrite(c, cmd)) return READONLY;
    if (!cfg.getBool("replica-serve-stale-data") && this.link?.state !== "connected" && deniedWhenStale(c, cmd)) return MASTERDOWN;
    return null;
  }

  // ---- cron ---------------------------------------------------------------------------------

  /** replicationCron, once a second. */
  cron(): void {
    this.link?.cron();
    this.master.cron();
  }

  /** Checks that cannot wait a second (killed master link, delayed diskless sync start, failover). */
  tick(): void {
    this.link?.tick();
    this.master.tick();
    this.failover.update();
  }

  // ---- INFO ---------------------------------------------------------------------------------

  /** INFO replication, field by field as Redis 7.0 writes it. */
  private info(): Field[] {
    const cfg = this.config;
    const f: Field[] = [];
    const link = this.link;
    if (this.masterHost === null || link === null) {
      f.push(["role", "master"]);
    } else {
      const now = Date.now();
      const up = link.state === "connected";
      const offset = link.client !== null ? link.reploff : this.cached !== null ? this.cached.offset : 1;
      f.push(
        ["role", "slave"],
        ["master_host", this.masterHost],
        ["master_port", this.masterPort],
        ["master_link_status", up ? "up" : "down"],
        ["master_last_io_seconds_ago", link.client !== null ? Math.floor((now - link.client.lastInteraction) / 1000) : -1],
        ["master_sync_in_progress", link.state === "transfer" ? 1 : 0],
        ["slave_read_repl_offset", offset],
        ["slave_repl_offset", offset],
      );
      const t = link.transfer;
      if (link.state === "transfer" && t !== null) {
        f.push(
          ["master_sync_total_bytes", t.size],
          ["master_sync_read_bytes", t.read],
          ["master_sync_left_bytes", t.size - t.read],
          ["master_sync_perc", (t.size > 0 ? (t.read * 100) / t.size : 0).toFixed(2)],
          ["master_sync_last_io_seconds_ago", Math.floor((now - link.lastIo) / 1000)],
        );
      }
      if (!up) f.push(["master_link_down_since_seconds", link.downSince !== 0 ? Math.floor((now - link.downSince) / 1000) : -1]);
      f.push(
        ["slave_priority", cfg.getNum("replica-priority")],
        ["slave_read_only", cfg.getBool("replica-read-only") ? 1 : 0],
        ["replica_announced", cfg.getBool("replica-announced") ? 1 : 0],
      );
    }
    const replicas = ids.replicas();
    f.push(["connected_slaves", replicas.length]);
    if (cfg.getNum("min-replicas-to-write") > 0 && cfg.getNum("min-replicas-max-lag") > 0) f.push(["min_slaves_good_slaves", this.master.goodReplicas()]);
    replicas.forEach((r, i) => f.push([`slave${i}`, `ip=${r.ip},port=${r.port},state=${r.state},offset=${r.offset},lag=${r.lag}`]));
    const b = this.backlog;
    f.push(
      ["master_failover_state", this.failover.state],
      ["master_replid", ids.replid],
      ["master_replid2", ids.replid2],
      ["master_repl_offset", ids.offset],
      ["second_repl_offset", ids.secondOffset],
      ["repl_backlog_active", b !== null ? 1 : 0],
      ["repl_backlog_size", cfg.getNum("repl-backlog-size")],
      ["repl_backlog_first_byte_offset", b !== null ? b.firstByte : 0],
      ["repl_backlog_histlen", b !== null ? b.histlen : 0],
    );
    return f;
  }
}

const GUARD_CONFIG = new Set(["replica-read-only", "replica-serve-stale-data", "min-replicas-to-write", "min-replicas-max-lag"]);

/** Redis's is_write_command: a write, or an EXEC whose queue holds one. */
function isWrite(c: Client, cmd: Command): boolean {
  if (cmd.isWrite) return true;
  if (cmd.name !== "exec" || c.multi === null) return false;
  return c.multi.queue.some((argv) => lookupCommandBytes(argv[0])?.isWrite ?? false);
}

/** Commands without the "stale" flag (or an EXEC queueing one) are refused while the link is down. */
function deniedWhenStale(c: Client, cmd: Command): boolean {
  if (!cmd.flags.has("stale")) return true;
  if (cmd.name !== "exec" || c.multi === null) return false;
  return c.multi.queue.some((argv) => !(lookupCommandBytes(argv[0])?.flags.has("stale") ?? true));
}

const instances = new WeakMap<Shard, Replication>();

export function installReplication(shard: Shard): void {
  const r = new Replication(shard);
  instances.set(shard, r);
  addInfoFields("stats", (s) => {
    const repl = instances.get(s);
    if (repl === undefined) return [];
    const st = repl.stats;
    return [
      ["total_net_repl_input_bytes", repl.inputBytes],
      ["total_net_repl_output_bytes", repl.master.outputBytes()],
      ["sync_full", st.syncFull],
      ["sync_partial_ok", st.syncPartialOk],
      ["sync_partial_err", st.syncPartialErr],
    ];
  });
  addInfoFields("memory", (s) => [["mem_replication_backlog", instances.get(s)?.backlog?.size ?? 0]]);
  setInterval(() => r.cron(), 1000);
  shard.cronHooks.push(() => r.tick());
}

export function replicationOf(shard: Shard): Replication {
  return instances.get(shard)!;
}

/** A read-only replica refuses writes from scripts too (scriptVerifyWriteCommandAllow). */
export function readOnlyReplica(shard: Shard): boolean {
  const r = instances.get(shard);
  return r !== undefined && r.masterHost !== null && shard.config.getBool("replica-read-only");
}

/** The replication aux fields of the RDB file, when it has all three (rdbLoad's rsi). */
function savedReplInfo(dir: string, dbfilename: string): CachedMaster | null {
  const path = join(dir, dbfilename);
  if (!existsSync(path)) return null;
  const fd = openSync(path, "r");
  try {
    const r = RdbReader.fromFile(fd, dbfilename);
    if (!looksLikeRdb(r.view(9))) return null;
    const aux = new Map<string, string>();
    while (r.u8() === OP_AUX) {
      const key = r.text();
      aux.set(key, r.text());
    }
    const replid = aux.get("repl-id");
    const offset = Number(aux.get("repl-offset"));
    const db = Number(aux.get("repl-stream-db"));
    if (replid === undefined || replid.length !== 40 || !Number.isSafeInteger(offset) || offset < 0 || !Number.isInteger(db) || db < 0) return null;
    return { replid, offset, db };
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/**
 * Once the dataset is loaded at start-up: take the RDB's replication identity, connect to a
 * configured master. Returns why the server cannot start, or null.
 */
export function startReplication(shard: Shard): string | null {
  const r = replicationOf(shard);
  const cfg = shard.config;
  if (shard.count > 1) {
    return cfg.getStr("replicaof") !== "" ? "replicaof is not supported with more than one shard worker: run with --shards 1" : null;
  }
  if (!cfg.getBool("appendonly")) r.restore(savedReplInfo(cfg.getStr("dir"), cfg.getStr("dbfilename")));
  r.start();
  return null;
}
