// Master side of replication (replication.c's syncCommand, masterTryPartialResynchronization,
// replconfCommand, waitCommand and the master half of replicationCron): replicas attach with
// SYNC/PSYNC, get a partial resync from the backlog when their offset is still in it, else a
// full resync from a forkless snapshot (fullsync.ts), then follow the live stream.

import type { Client } from "../server/client.ts";
import { flush, scheduleFlush, wakeBlocked } from "../server/net.ts";
import { replication as ids } from "../server/info.ts";
import { NOT_INTEGER, SYNTAX } from "../server/errors.ts";
import { is, latin1, lower, parseInt64 } from "../util/bytes.ts";
import type { Replication } from "./feed.ts";
import { FullSync } from "./fullsync.ts";
import { ascii } from "./stream.ts";

const PING = [ascii("PING")];
const GETACK = [ascii("REPLCONF"), ascii("GETACK"), ascii("*")];
const NEWLINE = ascii("\n");

export type ReplicaState = "wait_bgsave" | "send_bulk" | "online";

/** What a connection announced with REPLCONF before (and after) it became a replica. */
interface Handshake {
  port: number;
  ip: string | null;
  eof: boolean;
  psync2: boolean;
}

export interface ReplicaInfo extends Peer {
  state: ReplicaState;
  /** SYNC (not PSYNC): no +FULLRESYNC line and no ACKs expected. */
  readonly prePsync: boolean;
  /** When it started waiting for a snapshot to begin; 0 once one serves it. */
  waitingSince: number;
  job: FullSync | null;
  ackOffset: number;
  ackTime: number;
  /** Stream held back after a diskless transfer until the replica's first ACK. */
  held: Uint8Array[] | null;
  /** Since when the output buffer is over the soft limit (0 = it is not). */
  softSince: number;
}

interface Waiter {
  c: Client;
  offset: number;
  replicas: number;
  timer: ReturnType<typeof setTimeout> | null;
}

interface ObufLimit {
  hard: bigint;
  soft: bigint;
  seconds: number;
}

/** A connection and what it announced: a replica, or one asking to become one. */
interface Peer {
  readonly c: Client;
  readonly hs: Handshake;
}

/** replicationGetSlaveName: announced or peer address, and the listening port. */
export function replicaName(r: Peer): string {
  return `${replicaIp(r)}:${r.hs.port !== 0 ? r.hs.port : "<unknown-replica-port>"}`;
}

export function replicaIp(r: Peer): string {
  if (r.hs.ip !== null) return r.hs.ip;
  const a = r.c.addr;
  return a.slice(0, a.lastIndexOf(":")).replace(/^\[|\]$/g, "");
}

function kill(c: Client): void {
  c.closeAfterReply = true;
  c.closed = true;
  c.socket?.end();
}

export class MasterSide {
  readonly replicas = new Map<Client, ReplicaInfo>();
  /** The running full sync (Redis runs one RDB child at a time). */
  job: FullSync | null = null;
  noReplicasSince = Date.now();
  private readonly handshakes = new WeakMap<Client, Handshake>();
  private readonly waiters = new Set<Waiter>();
  /** Bytes written to replicas that are gone (total_net_repl_output_bytes counts them too). */
  private goneOutput = 0;
  private ackRequested = false;
  private flushScheduled = false;
  private cronLoops = 0;

  constructor(readonly hub: Replication) {
    const shard = hub.shard;
    shard.closeHooks.push((c) => this.closed(c));
    ids.replicas = () =>
      [...this.replicas.values()].map((r) => ({
        ip: replicaIp(r),
        port: r.hs.port,
        state: r.state,
        offset: r.ackOffset,
        lag: r.state === "online" ? Math.floor((Date.now() - r.ackTime) / 1000) : 0,
      }));
  }

  private log(level: string, msg: string): void {
    this.hub.log(level, msg);
  }

  private handshake(c: Client): Handshake {
    let hs = this.handshakes.get(c);
    if (hs === undefined) this.handshakes.set(c, (hs = { port: 0, ip: null, eof: false, psync2: false }));
    return hs;
  }

  // ---- the stream ---------------------------------------------------------------------------

  /** New stream bytes: online replicas get them now, replicas in a full sync later. */
  deliver(bytes: Uint8Array): void {
    if (this.job !== null) this.job.buffer(bytes);
    if (this.replicas.size === 0) return;
    for (const r of this.replicas.values()) {
      if (r.state !== "online") continue;
      if (r.held !== null) {
        r.held.push(bytes.slice());
        continue;
      }
      r.c.out.raw(bytes);
      this.checkOutputLimits(r);
    }
    this.scheduleStreamFlush();
  }

  /**
   * Replicas get the stream once per turn of the event loop, after every client's commands
   * of that turn (Redis writes to replicas in beforeSleep): one write per replica for a
   * batch of commands instead of one per command.
   */
  private scheduleStreamFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      for (const r of this.replicas.values()) if (r.state === "online" && r.c.out.len > r.c.sent) flush(r.c);
    });
  }

  /** client-output-buffer-limit for the replica class. */
  private checkOutputLimits(r: ReplicaInfo): void {
    const pending = r.c.out.len - r.c.sent;
    const limit = this.hub.config.getRaw<readonly ObufLimit[]>("client-output-buffer-limit")[1];
    const soft = Number(limit.soft);
    if (soft === 0 || pending <= soft) {
      r.softSince = 0;
      if (limit.hard === 0n || pending <= Number(limit.hard)) return;
    }
    const now = Date.now();
    const hardHit = limit.hard !== 0n && pending > Number(limit.hard);
    if (!hardHit) {
      if (r.softSince === 0) r.softSince = now;
      if (now - r.softSince <= limit.seconds * 1000) return;
    }
    this.log("warning", `Client id=${r.c.id} addr=${r.c.addr} laddr=${r.c.laddr} flags=S scheduled to be closed ASAP for overcoming of output buffer limits.`);
    kill(r.c);
  }

  /** total_net_repl_output_bytes. */
  outputBytes(): number {
    let n = this.goneOutput;
    for (const c of this.replicas.keys()) n += c.netOut;
    return n;
  }

  // ---- SYNC / PSYNC -------------------------------------------------------------------------

  /** syncCommand, for SYNC and PSYNC replid offset [FAILOVER]. */
  sync(c: Client, argv: Uint8Array[]): void {
    if (c.isReplica) return;
    const psync = argv.length >= 3;
    const hub = this.hub;
    if (psync && argv.length > 3 && is(argv[3], "failover")) {
      if (latin1(argv[1]) !== ids.replid) return c.out.error("ERR PSYNC FAILOVER replid must match my replid.");
      hub.unsetMaster();
      this.log("notice", `MASTER MODE enabled (failover request from 'id=${c.id} addr=${c.addr}')`);
    }
    if (hub.failover.state !== "no-failover") return c.out.error("NOMASTERLINK Can't SYNC while failing over");
    if (hub.isReplica && hub.link?.state !== "connected") return c.out.error("NOMASTERLINK Can't SYNC while not connected with my master");
    const hs = this.handshake(c);
    const name = replicaName({ c, hs });
    this.log("notice", `Replica ${name} asks for synchronization`);
    if (psync) {
      const offset = parseInt64(argv[2]);
      if (offset === null || typeof offset === "bigint") {
        c.out.error(NOT_INTEGER);
        this.log("warning", `Replica ${name} asks for synchronization but with a wrong offset`);
        return;
      }
      const replid = latin1(argv[1]);
      if (this.tryPartial(c, hs, name, replid, offset)) {
        hub.stats.syncPartialOk++;
        return;
      }
      if (replid !== "?") hub.stats.syncPartialErr++;
    }
    hub.stats.syncFull++;
    const r = this.add(c, hs, "wait_bgsave", !psync);
    r.waitingSince = Date.now();
    if (this.replicas.size === 1 && hub.backlog === null) {
      hub.changeReplicationId();
      hub.clearReplicationId2();
      hub.createBacklog();
      this.log("notice", `Replication backlog created, my new replication IDs are '${ids.replid}' and '${ids.replid2}'`);
    }
    const job = this.job;
    if (job !== null) {
      if (job.joinable) {
        job.attach(r);
        this.log("notice", "Waiting for end of BGSAVE for SYNC");
      } else {
        this.log("notice", "Current BGSAVE has socket target. Waiting for next BGSAVE for SYNC");
      }
      return;
    }
    if (hub.config.getBool("repl-diskless-sync") && hs.eof && hub.config.getNum("repl-diskless-sync-delay") > 0) {
      this.log("notice", "Delay next BGSAVE for diskless SYNC");
      return;
    }
    this.startFullSync();
  }

  private add(c: Client, hs: Handshake, state: ReplicaState, prePsync: boolean): ReplicaInfo {
    const r: ReplicaInfo = { c, hs, state, prePsync, waitingSince: 0, job: null, ackOffset: 0, ackTime: Date.now(), held: null, softSince: 0 };
    c.isReplica = true;
    this.replicas.set(c, r);
    return r;
  }

  /** masterTryPartialResynchronization. */
  private tryPartial(c: Client, hs: Handshake, name: string, replid: string, offset: number): boolean {
    if (replid !== ids.replid && (replid !== ids.replid2 || offset > ids.secondOffset)) {
      if (replid === "?") {
        this.log("notice", `Full resync requested by replica ${name}`);
      } else if (replid !== ids.replid && replid !== ids.replid2) {
        this.log("notice", `Partial resynchronization not accepted: Replication ID mismatch (Replica asked for '${replid}', my replication IDs are '${ids.replid}' and '${ids.replid2}')`);
      } else {
        this.log("notice", `Partial resynchronization not accepted: Requested offset for second ID was ${offset}, but I can reply up to ${ids.secondOffset}`);
      }
      return false;
    }
    const backlog = this.hub.backlog;
    if (backlog === null || !backlog.covers(offset)) {
      this.log("notice", `Unable to partial resync with replica ${name} for lack of backlog (Replica request was: ${offset}).`);
      if (offset > ids.offset) this.log("warning", `Warning: replica ${name} tried to PSYNC with an offset that is greater than the master replication offset.`);
      return false;
    }
    const data = backlog.read(offset - 1, backlog.offset)!;
    this.add(c, hs, "online", false);
    c.out.raw(ascii(hs.psync2 ? `+CONTINUE ${ids.replid}\r\n` : "+CONTINUE\r\n"));
    c.out.raw(data);
    this.log("notice", `Partial resynchronization request from ${name} accepted. Sending ${data.length} bytes of backlog starting from offset ${offset}.`);
    this.checkWaiters();
    return true;
  }

  /** startBgsaveForReplication: one snapshot for every replica waiting for one. */
  startFullSync(): void {
    const waiting = [...this.replicas.values()].filter((r) => r.state === "wait_bgsave" && r.job === null);
    if (waiting.length === 0) return;
    const diskless = this.hub.config.getBool("repl-diskless-sync") && waiting.every((r) => r.hs.eof);
    this.log("notice", `Starting BGSAVE for SYNC with target: ${diskless ? "replicas sockets" : "disk"}`);
    const job = new FullSync(this, diskless);
    this.job = job;
    for (const r of waiting) job.attach(r);
    job.start();
  }

  /** A full sync ended (every replica served, or it failed). */
  jobEnded(job: FullSync): void {
    if (this.job === job) this.job = null;
  }

  /** The RDB went out: the replica follows the stream from its snapshot offset on. */
  online(r: ReplicaInfo, stream: Uint8Array[], waitAck: boolean): void {
    r.state = "online";
    r.job = null;
    r.ackTime = Date.now();
    if (waitAck && !r.prePsync) {
      r.held = stream;
    } else {
      for (const b of stream) r.c.out.raw(b);
      scheduleFlush(r.c);
    }
    this.log("notice", `Synchronization with replica ${replicaName(r)} succeeded`);
  }

  /** Drop a replica whose full sync cannot go on. */
  drop(r: ReplicaInfo): void {
    kill(r.c);
  }

  disconnectAll(): void {
    for (const c of this.replicas.keys()) kill(c);
  }

  private closed(c: Client): void {
    for (const w of this.waiters) {
      if (w.c !== c) continue;
      if (w.timer !== null) clearTimeout(w.timer);
      this.waiters.delete(w);
    }
    const r = this.replicas.get(c);
    if (r === undefined) return;
    this.replicas.delete(c);
    this.goneOutput += c.netOut;
    r.job?.detach(r);
    this.log("warning", `Connection with replica ${replicaName(r)} lost.`);
    if (this.replicas.size === 0) this.noReplicasSince = Date.now();
  }

  // ---- REPLCONF -----------------------------------------------------------------------------

  replconf(c: Client, argv: Uint8Array[]): void {
    if (argv.length % 2 === 0) return c.out.error(SYNTAX);
    const hs = this.handshake(c);
    for (let j = 1; j < argv.length; j += 2) {
      const opt = lower(argv[j]);
      const val = argv[j + 1];
      if (opt === "listening-port") {
        const port = parseInt64(val);
        if (port === null || typeof port === "bigint") return c.out.error(NOT_INTEGER);
        hs.port = port;
      } else if (opt === "ip-address") {
        if (val.length >= 46) return c.out.error(`ERR REPLCONF ip-address provided by replica instance is too long: ${val.length} bytes`);
        hs.ip = latin1(val);
      } else if (opt === "capa") {
        if (is(val, "eof")) hs.eof = true;
        else if (is(val, "psync2")) hs.psync2 = true;
      } else if (opt === "ack") {
        // ACKs get no reply: the replica does not read one.
        const r = this.replicas.get(c);
        const offset = parseInt64(val);
        if (r === undefined || offset === null || typeof offset === "bigint") return;
        if (offset > r.ackOffset) r.ackOffset = offset;
        r.ackTime = Date.now();
        if (r.held !== null) {
          for (const b of r.held) c.out.raw(b);
          r.held = null;
        }
        this.checkWaiters();
        return;
      } else if (opt === "getack") {
        this.hub.link?.sendAck();
        return;
      } else if (opt === "rdb-only") {
        const v = parseInt64(val);
        if (v === null) return c.out.error(NOT_INTEGER);
        if (v !== 0 && v !== 1) return c.out.error("ERR value is out of range, value must between 0 and 1");
      } else if (opt === "rdb-filter-only") {
        if (val.length > 0 && !is(val, "functions")) return c.out.error(`ERR Unsupported rdb-filter-only option: ${latin1(val)}`);
      } else {
        return c.out.error(`ERR Unrecognized REPLCONF option: ${latin1(argv[j])}`);
      }
    }
    c.out.ok();
  }

  // ---- WAIT ---------------------------------------------------------------------------------

  /** Replicas that acknowledged at least offset. */
  acked(offset: number): number {
    let n = 0;
    for (const r of this.replicas.values()) if (r.state === "online" && r.ackOffset >= offset) n++;
    return n;
  }

  /** Replicas online with a lag within min-replicas-max-lag (refreshGoodSlavesCount). */
  goodReplicas(): number {
    const maxLag = this.hub.config.getNum("min-replicas-max-lag");
    const now = Date.now();
    let n = 0;
    for (const r of this.replicas.values()) if (r.state === "online" && Math.floor((now - r.ackTime) / 1000) <= maxLag) n++;
    return n;
  }

  wait(c: Client, replicas: number, timeoutMs: number): void {
    const offset = c.woff;
    const acked = this.acked(offset);
    if (acked >= replicas || c.noBlock) return c.out.int(acked);
    const w: Waiter = { c, offset, replicas, timer: null };
    if (timeoutMs > 0) w.timer = setTimeout(() => this.release(w), Math.min(timeoutMs, 2 ** 31 - 1));
    this.waiters.add(w);
    c.paused = true;
    this.requestAck();
  }

  /** Stop a WAIT without answering it (the caller answers); false when c was not waiting. */
  releaseWaiter(c: Client): boolean {
    for (const w of this.waiters) {
      if (w.c !== c) continue;
      this.waiters.delete(w);
      if (w.timer !== null) clearTimeout(w.timer);
      wakeBlocked(c);
      return true;
    }
    return false;
  }

  private release(w: Waiter): void {
    if (!this.waiters.delete(w)) return;
    if (w.timer !== null) clearTimeout(w.timer);
    w.c.out.int(this.acked(w.offset));
    wakeBlocked(w.c);
  }

  private checkWaiters(): void {
    for (const w of this.waiters) if (this.acked(w.offset) >= w.replicas) this.release(w);
  }

  /** REPLCONF GETACK * goes into the stream once, after the commands of this event. */
  private requestAck(): void {
    if (this.ackRequested) return;
    this.ackRequested = true;
    queueMicrotask(() => {
      this.ackRequested = false;
      if (this.waiters.size > 0 && !this.hub.isReplica && this.hub.failover.state === "no-failover") this.hub.emit(GETACK);
    });
  }

  // ---- cron ---------------------------------------------------------------------------------

  /** Start the full sync delayed for more diskless replicas once the wait is over. */
  tick(): void {
    if (this.job !== null || this.replicas.size === 0) return;
    const cfg = this.hub.config;
    const now = Date.now();
    let waiting = 0;
    let maxIdle = 0;
    for (const r of this.replicas.values()) {
      if (r.state !== "wait_bgsave" || r.job !== null) continue;
      waiting++;
      maxIdle = Math.max(maxIdle, now - r.waitingSince);
    }
    if (waiting === 0) return;
    const max = cfg.getNum("repl-diskless-sync-max-replicas");
    if (!cfg.getBool("repl-diskless-sync") || (max > 0 && waiting >= max) || maxIdle >= cfg.getNum("repl-diskless-sync-delay") * 1000) this.startFullSync();
  }

  cron(): void {
    const hub = this.hub;
    const cfg = hub.config;
    const now = Date.now();
    this.cronLoops++;
    if (!hub.isReplica && this.replicas.size > 0 && this.cronLoops % cfg.getNum("repl-ping-replica-period") === 0 && hub.failover.state === "no-failover") {
      hub.emit(PING);
    }
    const timeoutMs = cfg.getNum("repl-timeout") * 1000;
    for (const r of this.replicas.values()) {
      // Keep replicas waiting for their RDB from timing out (they read newlines as pings).
      if (r.state === "wait_bgsave" && (r.job === null || !r.job.diskless)) {
        r.c.out.raw(NEWLINE);
        scheduleFlush(r.c);
      }
      if (r.state === "online" && !r.prePsync && now - r.ackTime > timeoutMs) {
        this.log("warning", `Disconnecting timedout replica (streaming sync): ${replicaName(r)}`);
        kill(r.c);
      }
    }
    const ttl = cfg.getNum("repl-backlog-ttl");
    if (!hub.isReplica && this.replicas.size === 0 && ttl > 0 && hub.backlog !== null && now - this.noReplicasSince > ttl * 1000) {
      hub.changeReplicationId();
      hub.clearReplicationId2();
      hub.freeBacklog();
      this.log("notice", `Replication backlog freed after ${ttl} seconds without connected replicas.`);
    }
  }
}
