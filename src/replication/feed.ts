// Master side of replication, first step: SYNC/PSYNC answer with a full resync (an RDB
// image of the dataset taken now), then every propagated effect streams to the replica as
// RESP, with SELECT whenever the database changes — the same stream Redis sends, so
// redis-server replicas and the test suite's replication-stream readers can follow it.

import { register } from "../commands/table.ts";
import type { Client } from "../server/client.ts";
import type { Shard } from "../server/shard.ts";
import { scheduleFlush } from "../server/net.ts";
import { snapshot, UnsupportedTypeError } from "../persistence/rdb-writer.ts";
import { replication } from "../server/info.ts";
import { is, parseSafeInt, str } from "../util/bytes.ts";

const enc = new TextEncoder();

interface Replica {
  c: Client;
  listeningPort: number;
  ackOffset: number;
  ackTime: number;
}

export class ReplicationFeed {
  readonly replicas = new Map<Client, Replica>();
  /** Database the stream last SELECTed; -1 forces a SELECT before the next command. */
  private streamDb = -1;
  private readonly scratch: Uint8Array[] = [];

  constructor(private readonly shard: Shard) {
    shard.propagators.push((db, argv) => this.feed(db, argv));
    shard.closeHooks.push((c) => this.replicas.delete(c));
    replication.replicas = () =>
      [...this.replicas.values()].map((r) => ({
        ip: r.c.addr.slice(0, r.c.addr.lastIndexOf(":")).replace(/^\[|\]$/g, ""),
        port: r.listeningPort,
        offset: r.ackOffset,
        lag: Math.floor((Date.now() - r.ackTime) / 1000),
      }));
  }

  /** Encode one command of the stream and send it to every replica. */
  private feed(dbIndex: number, argv: Uint8Array[]): void {
    if (this.replicas.size === 0) return;
    const parts = this.scratch;
    parts.length = 0;
    if (dbIndex !== this.streamDb) {
      parts.push(encodeCommand([enc.encode("SELECT"), enc.encode(String(dbIndex))]));
      this.streamDb = dbIndex;
    }
    parts.push(encodeCommand(argv));
    for (const p of parts) {
      replication.offset += p.length;
      for (const r of this.replicas.values()) {
        r.c.out.raw(p);
        scheduleFlush(r.c);
      }
    }
  }

  /** Full resynchronisation: RDB payload now, then the live stream. */
  fullSync(c: Client, psync: boolean): void {
    let rdb: Uint8Array;
    try {
      rdb = snapshot(this.shard.dbs, {
        aux: [
          ["repl-stream-db", "0"],
          ["repl-id", replication.replid],
          ["repl-offset", String(replication.offset)],
        ],
        checksum: this.shard.config.getBool("rdbchecksum"),
      });
    } catch (e) {
      if (e instanceof UnsupportedTypeError) return c.out.error(`ERR full sync not possible: ${e.message}`);
      throw e;
    }
    const addr = c.addr;
    this.shard.log("notice", `Replica ${addr} asks for synchronization`);
    if (psync) c.out.simple(`FULLRESYNC ${replication.replid} ${replication.offset}`);
    c.out.raw(enc.encode(`$${rdb.length}\r\n`));
    c.out.raw(rdb);
    const prev = this.replicas.get(c);
    this.replicas.set(c, { c, listeningPort: prev?.listeningPort ?? 0, ackOffset: 0, ackTime: Date.now() });
    this.streamDb = -1;
    this.shard.log("notice", `Synchronization with replica ${addr} succeeded`);
  }

  replconf(c: Client, argv: Uint8Array[]): void {
    if (argv.length % 2 === 0) return c.out.error("ERR syntax error");
    for (let i = 1; i < argv.length; i += 2) {
      if (is(argv[i], "ack")) {
        // ACKs get no reply: the replica does not read one.
        const r = this.replicas.get(c);
        if (r) {
          r.ackOffset = parseSafeInt(argv[i + 1]) ?? r.ackOffset;
          r.ackTime = Date.now();
        }
        return;
      }
      if (is(argv[i], "listening-port")) {
        const port = parseSafeInt(argv[i + 1]);
        if (port === null) return c.out.error("ERR value is not an integer or out of range");
        const r = this.replicas.get(c);
        if (r) r.listeningPort = port;
        else pendingPorts.set(c, port);
      } else if (!is(argv[i], "capa") && !is(argv[i], "ip-address") && !is(argv[i], "getack") && !is(argv[i], "rdb-only")) {
        return c.out.error(`ERR Unrecognized REPLCONF option: ${str(argv[i])}`);
      }
    }
    c.out.ok();
  }
}

/** listening-port announced before SYNC/PSYNC made the client a replica. */
const pendingPorts = new WeakMap<Client, number>();

export function encodeCommand(argv: Uint8Array[]): Uint8Array {
  let n = 0;
  const heads: Uint8Array[] = [];
  const top = enc.encode(`*${argv.length}\r\n`);
  n += top.length;
  for (const a of argv) {
    const h = enc.encode(`$${a.length}\r\n`);
    heads.push(h);
    n += h.length + a.length + 2;
  }
  const out = new Uint8Array(n);
  out.set(top, 0);
  let o = top.length;
  for (let i = 0; i < argv.length; i++) {
    out.set(heads[i], o);
    o += heads[i].length;
    out.set(argv[i], o);
    o += argv[i].length;
    out[o++] = 13;
    out[o++] = 10;
  }
  return out;
}

const feeds = new WeakMap<Shard, ReplicationFeed>();

export function installReplication(shard: Shard): void {
  feeds.set(shard, new ReplicationFeed(shard));
}

function feedOf(c: Client): ReplicationFeed {
  return feeds.get(c.shard)!;
}

function sync(c: Client): void {
  feedOf(c).fullSync(c, false);
  const port = pendingPorts.get(c);
  if (port !== undefined) feedOf(c).replicas.get(c)!.listeningPort = port;
}

function psync(c: Client): void {
  feedOf(c).fullSync(c, true);
  const port = pendingPorts.get(c);
  if (port !== undefined) feedOf(c).replicas.get(c)!.listeningPort = port;
}

register(
  { name: "sync", arity: 1, flags: ["admin", "noscript", "no_async_loading", "no_multi"], group: "server", since: "1.0.0", summary: "Internal command used for replication", complexity: "", handler: sync },
  { name: "psync", arity: -3, flags: ["admin", "noscript", "no_async_loading", "no_multi"], group: "server", since: "2.8.0", summary: "Internal command used for replication", complexity: "", handler: psync },
  { name: "replconf", arity: -1, flags: ["admin", "noscript", "loading", "stale", "allow_busy"], group: "server", since: "3.0.0", summary: "An internal command for configuring the replication stream", complexity: "O(1)", handler: (c, argv) => feedOf(c).replconf(c, argv) },
);
