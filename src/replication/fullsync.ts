// A full resynchronisation: an RDB of the dataset taken by a forkless snapshot (see
// persistence/snapshot.ts) at one point of the stream, sent to every replica that asked,
// then the stream from that point on, which is buffered here meanwhile.
//
//  - Diskless (repl-diskless-sync, replicas with capa eof): "$EOF:<40 random chars>\r\n",
//    the RDB as it is produced, the same 40 chars. The walk waits for the slowest replica's
//    socket. The stream starts after the replica's first REPLCONF ACK, as in Redis, so the
//    replica finds the end mark at the end of what it read.
//  - Disk: the RDB goes to a temporary file, then each replica gets "$<length>\r\n" and the
//    file. Replicas asking while the file is being written or sent join this sync.

import { closeSync, openSync, readSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import type { Client } from "../server/client.ts";
import { scheduleFlush } from "../server/net.ts";
import { randomHex, replication as ids } from "../server/info.ts";
import { refreshGate } from "../persistence/gate.ts";
import { SafeFile, describe } from "../persistence/rdb-file.ts";
import { Crc64 } from "../persistence/crc64.ts";
import { RdbEntryWriter, RdbOut, accessInfoFor, trailer, writeHeader } from "../persistence/rdb-writer.ts";
import { Snapshot } from "../persistence/snapshot.ts";
import { replicaName, type MasterSide, type ReplicaInfo } from "./master.ts";
import { ascii } from "./stream.ts";

/** Walker time per slice; clients are served between slices. */
const SLICE_MS = 5;
/** Output a replica may have queued before the walk (or the file read) waits for it. */
const HIGH_WATER = 8 * 1024 * 1024;
const FILE_CHUNK = 1024 * 1024;

let seq = 0;

/** Write straight to the replica's socket while nothing else is queued (no copy), else queue. */
function send(c: Client, b: Uint8Array): void {
  if (c.out.len === 0 && c.socket !== null && !c.closed) {
    const n = Math.max(0, c.socket.write(b));
    c.netOut += n;
    c.shard.stats.netOutput += n;
    // The rest leaves on the socket's drain, like any pending reply.
    if (n < b.length) c.out.raw(b.subarray(n));
    return;
  }
  c.out.raw(b);
  scheduleFlush(c);
}

export class FullSync {
  /** The snapshot point: the replicas continue the stream from here. */
  readonly offset = ids.offset;
  private readonly replid = ids.replid;
  private readonly replicas = new Set<ReplicaInfo>();
  /** Stream since the snapshot point. */
  private readonly stream: Uint8Array[] = [];
  private snapshot: Snapshot | null = null;
  private crc: Crc64 | null = null;
  private walking = false;
  private timer: ReturnType<typeof setTimeout> | ReturnType<typeof setImmediate> | null = null;
  private ended = false;
  /** Diskless end mark. */
  private mark = "";
  /** Disk: the file being written, then its path, size and descriptor while replicas read it. */
  private file: SafeFile | null = null;
  private path = "";
  private size = -1;
  private fd = -1;
  private readonly sendPos = new Map<ReplicaInfo, number>();
  private pumping = false;

  constructor(
    private readonly side: MasterSide,
    readonly diskless: boolean,
  ) {}

  private get shard() {
    return this.side.hub.shard;
  }

  /** A disk sync takes more replicas until its last one has its file. */
  get joinable(): boolean {
    return !this.diskless && !this.ended;
  }

  /** replicationSetupSlaveForFullResync. */
  attach(r: ReplicaInfo): void {
    r.job = this;
    r.state = "wait_bgsave";
    r.waitingSince = 0;
    this.replicas.add(r);
    // The stream to this replica starts with a SELECT.
    this.side.hub.streamDb = -1;
    if (!r.prePsync) {
      r.c.out.raw(ascii(`+FULLRESYNC ${this.replid} ${this.offset}\r\n`));
      scheduleFlush(r.c);
    }
    if (this.size >= 0) this.send(r);
  }

  /** The replica went away. */
  detach(r: ReplicaInfo): void {
    this.replicas.delete(r);
    this.sendPos.delete(r);
    if (this.replicas.size === 0) this.end();
  }

  /** Stream bytes produced after the snapshot point. */
  buffer(bytes: Uint8Array): void {
    this.stream.push(bytes.slice());
  }

  start(): void {
    const cfg = this.shard.config;
    const head = new RdbOut(false);
    writeHeader(head);
    const header = head.take();
    this.crc = cfg.getBool("rdbchecksum") ? new Crc64() : null;
    this.crc?.update(header);
    if (this.diskless) {
      this.mark = randomHex(40);
      const intro = ascii(`$EOF:${this.mark}\r\n`);
      for (const r of this.replicas) {
        r.c.out.raw(intro);
        r.c.out.raw(header);
        scheduleFlush(r.c);
      }
    } else {
      const dir = cfg.getStr("dir");
      const name = `temp-repl-${process.pid}-${++seq}.rdb`;
      try {
        this.file = new SafeFile(dir, name, false);
        this.file.write(header);
      } catch (e) {
        return this.fail(`Can't open the temporary file for the replication RDB: ${describe(e)}`);
      }
      this.path = join(dir, `repl-${process.pid}-${seq}.rdb`);
    }
    const writer = new RdbEntryWriter(cfg.getBool("rdbcompression"), accessInfoFor(cfg.getStr("maxmemory-policy")));
    this.snapshot = new Snapshot(this.shard.dbs, writer);
    this.snapshot.start();
    refreshGate(this.shard);
    this.walking = true;
    this.schedule();
  }

  private schedule(): void {
    const delayUs = this.shard.config.getNum("rdb-key-save-delay");
    if (delayUs > 0) this.timer = setTimeout(() => this.slice(1), delayUs / 1000);
    else this.timer = setImmediate(() => this.slice(Infinity));
  }

  private slowestPending(): number {
    let max = 0;
    for (const r of this.replicas) max = Math.max(max, r.c.out.len - r.c.sent);
    return max;
  }

  private slice(maxKeys: number): void {
    this.timer = null;
    if (this.ended) return;
    if (this.diskless && this.slowestPending() > HIGH_WATER) {
      this.timer = setTimeout(() => this.slice(maxKeys), 1);
      return;
    }
    const snap = this.snapshot!;
    let done: boolean;
    try {
      done = snap.step(performance.now() + SLICE_MS, maxKeys);
      if (done || snap.pending > 0) this.output(snap.take());
    } catch (e) {
      return this.fail(`Full sync snapshot failed: ${describe(e)}`);
    }
    if (!done) return this.schedule();
    this.stopSnapshot();
    const tail = trailer(this.crc);
    if (this.diskless) return this.finishDiskless(tail);
    const file = this.file!;
    this.file = null;
    file.commit(tail, this.path.slice(this.path.lastIndexOf("/") + 1), (err) => {
      if (err) {
        file.discard();
        return this.fail(`Failed writing the replication RDB: ${describe(err)}`);
      }
      if (this.ended) return this.removeFile();
      try {
        this.fd = openSync(this.path, "r");
        this.size = file.bytes;
      } catch (e) {
        return this.fail(`Can't open the replication RDB: ${describe(e)}`);
      }
      for (const r of [...this.replicas]) this.send(r);
    });
  }

  private output(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.crc?.update(chunk);
    if (!this.diskless) {
      this.file!.write(chunk);
      return;
    }
    for (const r of this.replicas) send(r.c, chunk);
  }

  private stopSnapshot(): void {
    if (!this.walking) return;
    this.walking = false;
    this.snapshot!.stop();
    refreshGate(this.shard);
  }

  private finishDiskless(tail: Uint8Array): void {
    const mark = ascii(this.mark);
    for (const r of [...this.replicas]) {
      r.c.out.raw(tail);
      r.c.out.raw(mark);
      scheduleFlush(r.c);
      this.side.hub.log("notice", `Streamed RDB transfer with replica ${replicaName(r)} succeeded (socket). Waiting for REPLCONF ACK from slave to enable streaming`);
      this.side.online(r, [...this.stream], true);
    }
    this.replicas.clear();
    this.end();
  }

  /** Disk: start sending the finished file to a replica. */
  private send(r: ReplicaInfo): void {
    r.state = "send_bulk";
    r.c.out.raw(ascii(`$${this.size}\r\n`));
    scheduleFlush(r.c);
    this.sendPos.set(r, 0);
    this.pump();
  }

  /** Feed the file to every replica reading it, as fast as their sockets take it. */
  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    const step = () => {
      if (this.ended) return;
      let blocked = false;
      for (const [r, pos] of this.sendPos) {
        if (r.c.closed) continue;
        if (r.c.out.len - r.c.sent > HIGH_WATER) {
          blocked = true;
          continue;
        }
        const n = Math.min(FILE_CHUNK, this.size - pos);
        const buf = new Uint8Array(n);
        let got = 0;
        try {
          while (got < n) got += readSync(this.fd, buf, got, n - got, pos + got);
        } catch (e) {
          return this.fail(`Failed reading the replication RDB: ${describe(e)}`);
        }
        send(r.c, buf);
        if (pos + n < this.size) {
          this.sendPos.set(r, pos + n);
          continue;
        }
        this.sendPos.delete(r);
        this.replicas.delete(r);
        this.side.online(r, [...this.stream], false);
      }
      if (this.sendPos.size === 0) {
        this.pumping = false;
        if (this.replicas.size === 0) this.end();
        return;
      }
      this.timer = blocked ? setTimeout(step, 1) : setImmediate(step);
    };
    step();
  }

  private fail(msg: string): void {
    this.side.hub.log("warning", msg);
    for (const r of [...this.replicas]) this.side.drop(r);
    this.end();
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.timer !== null) {
      clearTimeout(this.timer as ReturnType<typeof setTimeout>);
      clearImmediate(this.timer as ReturnType<typeof setImmediate>);
    }
    this.stopSnapshot();
    this.file?.discard();
    this.file = null;
    this.removeFile();
    this.stream.length = 0;
    this.side.jobEnded(this);
  }

  private removeFile(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
    if (this.size < 0 && this.path === "") return;
    try {
      unlinkSync(this.path);
    } catch {
      // Never renamed into place, or already gone.
    }
  }
}
