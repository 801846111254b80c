// Replica side of replication: the link to our master (replication.c's connectWithMaster,
// syncWithMaster, readSyncBulkPayload and the replica half of replicationCron).
//
// Handshake: PING, AUTH [masteruser] masterauth, REPLCONF listening-port / ip-address /
// capa eof capa psync2, then PSYNC with the cached master's replid and offset+1 (or "? -1").
// +CONTINUE resumes the stream; +FULLRESYNC is followed by the RDB ($<len> or $EOF:<mark>),
// which is written to a temporary file and loaded from it (repl-diskless-load disabled) or
// loaded from memory, in slices while clients get -LOADING. The stream is then executed by
// a "master client" that may write despite replica-read-only and whose replies are dropped;
// the bytes it executed go unchanged into our backlog and to our own replicas, and its
// offset is ACKed every second. A dropped link is cached and resumed with PSYNC.

import type { Socket } from "bun";
import { closeSync, openSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import { Client } from "../server/client.ts";
import { processCommand } from "../server/dispatch.ts";
import { feed } from "../server/net.ts";
import { replication as ids } from "../server/info.ts";
import { gate, refreshGate } from "../persistence/gate.ts";
import { describe } from "../persistence/rdb-file.ts";
import { RdbReader } from "../persistence/rdb-reader.ts";
import { RdbLoader } from "../persistence/rdb-load.ts";
import { persistenceOf } from "../persistence/manager.ts";
import { latin1 } from "../util/bytes.ts";
import type { Replication } from "./feed.ts";
import { ascii, StreamEncoder } from "./stream.ts";

export type LinkState = "connect" | "connecting" | "handshake" | "transfer" | "connected";

/** Handshake replies still expected, in order. */
type Expect = "pong" | "auth" | "port" | "ip" | "capa" | "psync";

const LOAD_SLICE_MS = 20;
const EOF_MARK_LEN = 40;
const dec = new TextDecoder("latin1");

function resp(...args: string[]): Uint8Array {
  let s = `*${args.length}\r\n`;
  for (const a of args) s += `$${Buffer.byteLength(a)}\r\n${a}\r\n`;
  return ascii(s);
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

interface Transfer {
  /** End mark of a diskless ($EOF:) transfer, or null when the length is known. */
  mark: Uint8Array | null;
  /** Announced length (-1 with an end mark). */
  size: number;
  read: number;
  /** Disk: the temporary file; memory: the chunks. */
  fd: number;
  tmp: string;
  chunks: Uint8Array[];
  /** Last bytes held back while looking for the end mark. */
  tail: Uint8Array;
  replid: string;
  offset: number;
}

export class MasterLink {
  state: LinkState = "connect";
  /** The master client while the link is up. */
  client: Client | null = null;
  /** Offset of the master's stream executed so far (an open MULTI counts at its EXEC). */
  reploff = 0;
  /** When the link went down after being up (repl_down_since); 0 = never up. */
  downSince = 0;
  /** Last data of the handshake or transfer (repl_transfer_lastio). */
  lastIo = Date.now();
  transfer: Transfer | null = null;
  private sock: Socket<undefined> | null = null;
  /** Bumped per connection so events of an abandoned socket are ignored. */
  private gen = 0;
  private inbuf = new Uint8Array(0);
  private expect: Expect[] = [];
  private outq: Uint8Array[] = [];
  /** Master stream received while the RDB loads. */
  private held: Uint8Array[] = [];
  private loading = false;
  private lostWhileLoading = false;
  /** Commands of the master's open MULTI, counted (and forwarded) at EXEC. */
  private tx: Uint8Array[] = [];
  private readonly enc = new StreamEncoder();
  private stopped = false;

  constructor(
    private readonly hub: Replication,
    readonly host: string,
    readonly port: number,
  ) {}

  private get shard() {
    return this.hub.shard;
  }

  private get config() {
    return this.hub.config;
  }

  private log(level: string, msg: string): void {
    this.hub.log(level, msg);
  }

  // ---- connection ---------------------------------------------------------------------------

  connect(): void {
    if (this.stopped) return;
    this.state = "connecting";
    this.lastIo = Date.now();
    this.inbuf = new Uint8Array(0);
    this.expect = [];
    this.outq = [];
    const gen = ++this.gen;
    this.log("notice", "MASTER <-> REPLICA sync started");
    Bun.connect({
      hostname: this.host,
      port: this.port,
      socket: {
        open: (s) => {
          if (gen !== this.gen) return void s.end();
          this.sock = s;
          s.setNoDelay(true);
          this.connected();
        },
        data: (_s, chunk) => {
          if (gen === this.gen) this.data(chunk);
        },
        drain: () => {
          if (gen === this.gen) this.flushOut();
        },
        close: () => {
          if (gen === this.gen) this.closed();
        },
        error: () => {},
        connectError: (_s, e) => {
          if (gen !== this.gen) return;
          const code = (e as { code?: string }).code;
          this.log("warning", `Error condition on socket for SYNC: ${code === "ECONNREFUSED" ? "Connection refused" : e.message}`);
          this.state = "connect";
        },
      },
    }).catch(() => {});
  }

  private write(b: Uint8Array): void {
    if (this.sock === null) return;
    if (this.outq.length > 0) {
      this.outq.push(b);
      return;
    }
    const n = this.sock.write(b);
    if (n < b.length) this.outq.push(b.subarray(Math.max(0, n)));
  }

  private flushOut(): void {
    while (this.sock !== null && this.outq.length > 0) {
      const b = this.outq[0];
      const n = this.sock.write(b);
      if (n < b.length) {
        this.outq[0] = b.subarray(Math.max(0, n));
        return;
      }
      this.outq.shift();
    }
  }

  private closeSocket(): void {
    this.gen++;
    const s = this.sock;
    this.sock = null;
    s?.end();
  }

  /** The socket closed under us. */
  private closed(): void {
    this.sock = null;
    if (this.state === "connected") return this.lost();
    if (this.loading) {
      this.lostWhileLoading = true;
      return;
    }
    this.log("warning", this.state === "transfer" ? "I/O error trying to sync with MASTER: connection lost" : "Master closed the connection during the replication handshake");
    this.cancel();
  }

  /** cancelReplicationHandshake: back to "connect", retried by the cron. */
  private cancel(): void {
    this.closeSocket();
    this.abortTransfer();
    this.state = "connect";
  }

  // ---- handshake ----------------------------------------------------------------------------

  private connected(): void {
    this.log("notice", "Non blocking connect for SYNC fired the event.");
    this.state = "handshake";
    this.lastIo = Date.now();
    this.expect = ["pong"];
    this.write(resp("PING"));
  }

  private data(chunk: Uint8Array): void {
    this.lastIo = Date.now();
    this.hub.inputBytes += chunk.length;
    this.shard.stats.netInput += chunk.length;
    if (this.state === "connected") return this.stream(chunk);
    if (this.loading) {
      this.held.push(chunk.slice());
      return;
    }
    if (this.state === "transfer" && this.transfer !== null) return this.payload(chunk);
    const merged = new Uint8Array(this.inbuf.length + chunk.length);
    merged.set(this.inbuf);
    merged.set(chunk, this.inbuf.length);
    this.inbuf = merged;
    this.lines();
  }

  /** Handle complete reply lines of the handshake (and the bulk header of the transfer). */
  private lines(): void {
    while (this.state === "handshake" || (this.state === "transfer" && this.transfer === null)) {
      const nl = this.inbuf.indexOf(10);
      if (nl < 0) return;
      const line = dec.decode(this.inbuf.subarray(0, nl)).replace(/\r$/, "");
      this.inbuf = this.inbuf.subarray(nl + 1);
      // Empty lines keep the link alive while the master prepares the RDB.
      if (line === "") continue;
      if (this.state === "transfer") {
        this.bulkHeader(line);
        if (this.transfer !== null && this.inbuf.length > 0) {
          const rest = this.inbuf;
          this.inbuf = new Uint8Array(0);
          this.payload(rest);
        }
        return;
      }
      if (!this.reply(line)) return;
    }
  }

  /** One handshake reply; false when the handshake stopped or the stream began. */
  private reply(line: string): boolean {
    const what = this.expect.shift();
    const err = line.startsWith("-");
    switch (what) {
      case "pong":
        if (err && !line.startsWith("-NOAUTH") && !line.startsWith("-NOPERM") && !line.startsWith("-ERR operation not permitted")) {
          this.log("warning", `Error reply to PING from master: '${line}'`);
          this.cancel();
          return false;
        }
        this.log("notice", "Master replied to PING, replication can continue...");
        this.sendHandshake();
        return true;
      case "auth":
        if (err) {
          this.log("warning", `Unable to AUTH to MASTER: ${line}`);
          this.cancel();
          return false;
        }
        return true;
      case "port":
        if (err) this.log("notice", `(Non critical) Master does not understand REPLCONF listening-port: ${line}`);
        return true;
      case "ip":
        if (err) this.log("notice", `(Non critical) Master does not understand REPLCONF ip-address: ${line}`);
        return true;
      case "capa":
        if (err) this.log("notice", `(Non critical) Master does not understand REPLCONF capa: ${line}`);
        this.sendPsync();
        return true;
      case "psync":
        return this.psyncReply(line);
      default:
        return false;
    }
  }

  private sendHandshake(): void {
    const cfg = this.config;
    const pass = cfg.getStr("masterauth");
    if (pass !== "") {
      const user = cfg.getStr("masteruser");
      this.write(user !== "" ? resp("AUTH", user, pass) : resp("AUTH", pass));
      this.expect.push("auth");
    }
    const port = cfg.getNum("replica-announce-port") || cfg.getNum("port");
    this.write(resp("REPLCONF", "listening-port", String(port)));
    this.expect.push("port");
    const ip = cfg.getStr("replica-announce-ip");
    if (ip !== "") {
      this.write(resp("REPLCONF", "ip-address", ip));
      this.expect.push("ip");
    }
    this.write(resp("REPLCONF", "capa", "eof", "capa", "psync2"));
    this.expect.push("capa");
  }

  private sendPsync(): void {
    const cached = this.hub.cached;
    if (cached !== null) {
      this.log("notice", `Trying a partial resynchronization (request ${cached.replid}:${cached.offset + 1}).`);
      if (this.hub.failover.state === "failover-in-progress") this.write(resp("PSYNC", cached.replid, String(cached.offset + 1), "FAILOVER"));
      else this.write(resp("PSYNC", cached.replid, String(cached.offset + 1)));
    } else {
      this.log("notice", "Partial resynchronization not possible (no cached master)");
      this.write(resp("PSYNC", "?", "-1"));
    }
    this.expect.push("psync");
  }

  private psyncReply(line: string): boolean {
    const hub = this.hub;
    if (line.startsWith("+FULLRESYNC")) {
      const [, replid, offset] = line.split(" ");
      this.log("notice", `Full resync from master: ${replid}:${offset}`);
      if (hub.cached !== null) {
        this.log("notice", "Discarding previously cached master state.");
        hub.cached = null;
      }
      hub.failover.psyncAnswered(true);
      this.state = "transfer";
      this.pendingFull = { replid: replid ?? "", offset: Number(offset) };
      return true;
    }
    if (line.startsWith("+CONTINUE")) {
      const cached = hub.cached;
      if (cached === null) {
        this.cancel();
        return false;
      }
      this.log("notice", "Successful partial resynchronization with master.");
      hub.failover.psyncAnswered(true);
      const replid = line.slice(9).trim();
      if (replid !== "" && replid !== cached.replid) {
        this.log("notice", `Master replication ID changed to ${replid}`);
        ids.replid2 = cached.replid;
        ids.secondOffset = ids.offset + 1;
        ids.replid = replid;
        cached.replid = replid;
        hub.master.disconnectAll();
      }
      if (hub.backlog === null) hub.createBacklog();
      hub.cached = null;
      this.attach(cached.offset, cached.db);
      this.log("notice", "MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.");
      // What followed the reply is the stream.
      const rest = this.inbuf;
      this.inbuf = new Uint8Array(0);
      if (rest.length > 0) this.stream(rest);
      return false;
    }
    if (line.startsWith("-NOMASTERLINK") || line.startsWith("-LOADING")) {
      this.log("notice", `Master is currently unable to PSYNC but should be in the future: ${line}`);
    } else {
      this.log("warning", `Unexpected reply to PSYNC from master: ${line}`);
    }
    this.cancel();
    hub.failover.psyncAnswered(false);
    return false;
  }

  private pendingFull: { replid: string; offset: number } | null = null;

  // ---- RDB transfer -------------------------------------------------------------------------

  private get diskLoad(): boolean {
    return this.config.getStr("repl-diskless-load") === "disabled";
  }

  private bulkHeader(line: string): void {
    if (line.startsWith("-")) {
      this.log("warning", `MASTER aborted replication with an error: ${line.slice(1)}`);
      return this.cancel();
    }
    if (!line.startsWith("$")) {
      this.log("warning", `Bad protocol from MASTER, the first byte is not '$' (we received '${line}'), are you sure the host and port are right?`);
      return this.cancel();
    }
    const full = this.pendingFull!;
    const eof = line.startsWith("$EOF:") && line.length === 5 + EOF_MARK_LEN;
    const size = eof ? -1 : Number(line.slice(1));
    const target = this.diskLoad ? "disk" : "parser";
    if (eof) this.log("notice", `MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF to ${target}`);
    else this.log("notice", `MASTER <-> REPLICA sync: receiving ${size} bytes from master to ${target}`);
    const t: Transfer = {
      mark: eof ? ascii(line.slice(5)) : null,
      size,
      read: 0,
      fd: -1,
      tmp: "",
      chunks: [],
      tail: new Uint8Array(0),
      replid: full.replid,
      offset: full.offset,
    };
    if (this.diskLoad) {
      t.tmp = join(this.config.getStr("dir"), `temp-${Math.floor(Date.now() / 1000)}.${process.pid}.rdb`);
      try {
        t.fd = openSync(t.tmp, "w", 0o644);
      } catch (e) {
        this.log("warning", `Opening the temp file needed for MASTER <-> REPLICA synchronization: ${describe(e)}`);
        return this.cancel();
      }
    }
    this.transfer = t;
  }

  private keep(t: Transfer, b: Uint8Array): void {
    if (b.length === 0) return;
    if (t.fd >= 0) {
      for (let off = 0; off < b.length; ) off += writeSync(t.fd, b, off, b.length - off);
    } else {
      t.chunks.push(b.slice());
    }
    t.read += b.length;
  }

  /** RDB payload bytes (and, past its end, the start of the stream). */
  private payload(chunk: Uint8Array): void {
    const t = this.transfer!;
    let rest: Uint8Array | null = null;
    try {
      if (t.mark === null) {
        const want = t.size - t.read;
        if (chunk.length > want) rest = chunk.subarray(want);
        this.keep(t, chunk.subarray(0, Math.min(want, chunk.length)));
        if (t.read < t.size) return;
      } else {
        // Hold back the last 40 bytes: they may be the end mark.
        const all = new Uint8Array(t.tail.length + chunk.length);
        all.set(t.tail);
        all.set(chunk, t.tail.length);
        const cut = Math.max(0, all.length - EOF_MARK_LEN);
        this.keep(t, all.subarray(0, cut));
        t.tail = all.slice(cut);
        if (t.tail.length < EOF_MARK_LEN || !t.tail.every((b, i) => b === t.mark![i])) return;
      }
    } catch (e) {
      this.log("warning", `Write error or short write writing to the DB dump file needed for MASTER <-> REPLICA synchronization: ${describe(e)}`);
      return this.cancel();
    }
    if (rest !== null && rest.length > 0) this.held.push(rest.slice());
    this.load();
  }

  private abortTransfer(): void {
    const t = this.transfer;
    this.transfer = null;
    this.pendingFull = null;
    if (t === null || t.fd < 0) return;
    closeSync(t.fd);
    try {
      unlinkSync(t.tmp);
    } catch {
      // Already renamed or removed.
    }
  }

  /** readSyncBulkPayload's second half: replace the dataset with the master's RDB. */
  private load(): void {
    const t = this.transfer!;
    const hub = this.hub;
    const shard = this.shard;
    const cfg = this.config;
    const aof = persistenceOf(shard).aof;
    const aofWasOn = aof.state !== "off";
    if (aofWasOn) aof.disable();
    let reader: RdbReader;
    let fd = -1;
    try {
      if (t.fd >= 0) {
        closeSync(t.fd);
        t.fd = -1;
        const target = join(cfg.getStr("dir"), cfg.getStr("dbfilename"));
        renameSync(t.tmp, target);
        fd = openSync(target, "r");
        reader = RdbReader.fromFile(fd, cfg.getStr("dbfilename"));
      } else {
        reader = RdbReader.fromBytes(concat(t.chunks, t.read), "replication payload");
        t.chunks = [];
      }
    } catch (e) {
      this.log("warning", `Failed trying to rename the temp DB into ${cfg.getStr("dbfilename")} in MASTER <-> REPLICA synchronization: ${describe(e)}`);
      return this.cancel();
    }
    this.transfer = null;
    this.pendingFull = null;
    hub.attachToNewMaster();
    this.log("notice", "MASTER <-> REPLICA sync: Flushing old data");
    shard.dbModified(-1);
    for (const db of shard.dbs) db.flush();
    this.log("notice", "MASTER <-> REPLICA sync: Loading DB in memory");
    const loader = new RdbLoader(reader, shard.dbs, { config: cfg }, { checksum: cfg.getBool("rdbchecksum") }, (l, m) => this.log(l, m));
    this.loading = true;
    gate.loading = true;
    refreshGate(shard);
    const end = (err: unknown) => {
      if (fd >= 0) closeSync(fd);
      this.loading = false;
      gate.loading = false;
      refreshGate(shard);
      if (err !== null) {
        this.log("warning", `Failed trying to load the MASTER synchronization DB from ${t.mark === null || this.diskLoad ? "disk" : "socket"}, check server logs.`);
        this.log("warning", `Error loading the replication RDB: ${(err as Error).message}`);
        shard.dbModified(-1);
        for (const db of shard.dbs) db.flush();
        this.held = [];
        return this.cancel();
      }
      const ctime = Number(loader.aux.get("ctime"));
      if (Number.isFinite(ctime)) this.log("notice", `RDB age ${Math.floor(Date.now() / 1000) - ctime} seconds`);
      this.log("notice", `Done loading RDB, keys loaded: ${loader.keysLoaded}, keys expired: ${loader.keysExpired}.`);
      shard.dirty = 0;
      hub.newMasterHistory(t.replid, t.offset);
      this.attach(t.offset, Number(loader.aux.get("repl-stream-db") ?? 0) || 0);
      this.log("notice", "MASTER <-> REPLICA sync: Finished with success");
      if (aofWasOn) {
        const e = aof.enable();
        if (e !== null) this.log("warning", e);
      }
      // The master starts streaming after this first ACK (diskless transfers).
      this.sendAck();
      const held = this.held;
      this.held = [];
      for (const b of held) {
        if (this.state !== "connected") break;
        this.stream(b);
      }
      if (this.lostWhileLoading) {
        this.lostWhileLoading = false;
        this.lost();
      }
    };
    const slice = () => {
      let done: boolean;
      try {
        done = loader.step(performance.now() + LOAD_SLICE_MS);
      } catch (e) {
        return end(e);
      }
      if (done) end(null);
      else setImmediate(slice);
    };
    slice();
  }

  // ---- the stream ---------------------------------------------------------------------------

  /** The link is up: a master client executes what the master sends. */
  private attach(offset: number, db: number): void {
    const shard = this.shard;
    const c = new Client(shard, shard.nextClientId());
    c.isMaster = true;
    c.authenticated = true;
    c.addr = `${this.host}:${this.port}`;
    c.laddr = `${this.sock?.localAddress ?? "127.0.0.1"}:${this.sock?.localPort ?? 0}`;
    if (db >= 0 && db < shard.dbs.length) c.select(db);
    c.sink = (argv) => this.apply(c, argv);
    shard.clients.set(c.id, c);
    this.client = c;
    this.reploff = offset;
    this.tx = [];
    this.state = "connected";
    this.lastIo = Date.now();
    this.downSince = 0;
  }

  private stream(chunk: Uint8Array): void {
    const c = this.client!;
    c.lastInteraction = Date.now();
    c.netIn += chunk.length;
    if (c.paused) {
      c.parser.hold(chunk);
      return;
    }
    feed(c, chunk);
    c.out.len = 0;
    if (c.closeAfterReply && this.client === c) {
      this.log("warning", "Protocol error in the replication stream from MASTER: closing the link");
      this.lost();
    }
  }

  /** Execute one command of the master's stream; its bytes count once it is applied. */
  private apply(c: Client, argv: Uint8Array[]): boolean {
    const shard = this.shard;
    const bytes = this.enc.encode(argv);
    const errors = shard.stats.errorReplies;
    // Keys our clock says expired are still there for the master's commands: its DEL (or
    // whatever it sends) must find them, so they are reaped for the command's duration.
    const dbs = shard.dbs;
    for (const db of dbs) db.deleteExpired = true;
    let more: boolean;
    try {
      more = processCommand(c, argv);
    } finally {
      for (const db of dbs) db.deleteExpired = false;
    }
    if (shard.stats.errorReplies !== errors) {
      const reply = latin1(c.out.buf.subarray(0, c.out.len));
      const at = reply.indexOf("-");
      const text = at < 0 ? reply : reply.slice(at + 1, reply.indexOf("\r\n", at));
      this.log("warning", `== CRITICAL == This replica is sending an error to its master: '${text}' after processing the command '${latin1(argv[0])}'`);
    }
    c.out.len = 0;
    if (c.multi !== null) {
      this.tx.push(bytes.slice());
      return more;
    }
    if (this.tx.length > 0) {
      for (const b of this.tx) this.applied(b);
      this.tx = [];
    }
    this.applied(bytes);
    return more && !c.closed;
  }

  private applied(bytes: Uint8Array): void {
    this.reploff += bytes.length;
    if (this.hub.backlog !== null) this.hub.append(bytes);
  }

  sendAck(): void {
    if (this.state !== "connected") return;
    this.write(resp("REPLCONF", "ACK", String(this.reploff)));
  }

  /** The link went down after being up: cache the master to PSYNC it, reconnect. */
  private lost(): void {
    this.dropMaster();
    if (this.stopped) return;
    this.log("notice", `Reconnecting to MASTER ${this.host}:${this.port}`);
    this.connect();
  }

  /** freeClient(server.master) → replicationCacheMaster. */
  private dropMaster(): void {
    const c = this.client;
    if (c === null) return;
    this.log("warning", "Connection with master lost.");
    this.log("notice", "Caching the disconnected master state.");
    this.hub.cached = { replid: ids.replid, offset: this.reploff, db: c.dbIndex };
    this.client = null;
    this.tx = [];
    c.multi = null;
    c.closed = true;
    this.shard.clientClosed(c);
    this.closeSocket();
    this.state = "connect";
    this.downSince = Date.now();
  }

  /** REPLICAOF elsewhere or NO ONE: drop the link for good (the master is cached). */
  shutdown(): void {
    this.stopped = true;
    if (this.client !== null) this.dropMaster();
    else this.cancel();
  }

  // ---- cron ---------------------------------------------------------------------------------

  tick(): void {
    // CLIENT KILL TYPE master only flags the client.
    if (this.client !== null && this.client.closed) this.lost();
  }

  cron(): void {
    const timeoutMs = this.config.getNum("repl-timeout") * 1000;
    const now = Date.now();
    switch (this.state) {
      case "connect":
        this.log("notice", `Connecting to MASTER ${this.host}:${this.port}`);
        this.connect();
        break;
      case "connecting":
      case "handshake":
        if (now - this.lastIo > timeoutMs) {
          this.log("warning", "Timeout connecting to the MASTER...");
          this.cancel();
        }
        break;
      case "transfer":
        if (!this.loading && now - this.lastIo > timeoutMs) {
          this.log("warning", "Timeout receiving bulk data from MASTER... If the problem persists try to set the 'repl-timeout' parameter in redis.conf to a larger value.");
          this.cancel();
        }
        break;
      case "connected":
        if (now - this.client!.lastInteraction > timeoutMs) {
          this.log("warning", "MASTER timeout: no data nor PING received...");
          this.lost();
          break;
        }
        this.sendAck();
        break;
    }
  }
}
