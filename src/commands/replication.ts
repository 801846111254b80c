// Replication commands: REPLICAOF/SLAVEOF, ROLE, WAIT, FAILOVER, and the internal SYNC,
// PSYNC and REPLCONF that replicas send.

import { register } from "./table.ts";
import type { Client } from "../server/client.ts";
import { NOT_INTEGER, SYNTAX } from "../server/errors.ts";
import { replication as ids } from "../server/info.ts";
import { is, latin1, parseInt64 } from "../util/bytes.ts";
import { replicationOf } from "../replication/feed.ts";
import { replicaIp } from "../replication/master.ts";

const MULTI_SHARD = "ERR replication is not supported with more than one shard worker: run with --shards 1";

/** catClientInfoString, short: who asked (for the log). */
function who(c: Client): string {
  return `id=${c.id} addr=${c.addr} laddr=${c.laddr} fd=-1 name=${c.name ? latin1(c.name) : ""} db=${c.dbIndex} user=${c.user}`;
}

function replicaof(c: Client, argv: Uint8Array[]): void {
  const hub = replicationOf(c.shard);
  if (c.shard.config.getBool("cluster-enabled")) return c.out.error("ERR REPLICAOF not allowed in cluster mode.");
  if (hub.failover.state !== "no-failover") return c.out.error("ERR REPLICAOF not allowed while failing over.");
  if (is(argv[1], "no") && is(argv[2], "one")) {
    if (hub.isReplica) {
      hub.unsetMaster();
      hub.log("notice", `MASTER MODE enabled (user request from '${who(c)}')`);
    }
    return c.out.ok();
  }
  if (c.isReplica) return c.out.error("ERR Command is not valid when client is a replica.");
  const port = parseInt64(argv[2]);
  if (port === null || typeof port === "bigint" || port < 0 || port > 65535) return c.out.error("ERR Invalid master port");
  if (c.shard.count > 1) return c.out.error(MULTI_SHARD);
  const host = latin1(argv[1]);
  if (hub.masterHost !== null && hub.masterHost.toLowerCase() === host.toLowerCase() && hub.masterPort === port) {
    hub.log("notice", "REPLICAOF would result into synchronization with the master we are already connected with. No operation performed.");
    return c.out.simple("OK Already connected to specified master");
  }
  hub.setMaster(host, port);
  hub.log("notice", `REPLICAOF ${host}:${port} enabled (user request from '${who(c)}')`);
  c.out.ok();
}

function role(c: Client): void {
  const hub = replicationOf(c.shard);
  const link = hub.link;
  if (hub.masterHost === null || link === null) {
    const online = [...hub.master.replicas.values()].filter((r) => r.state === "online");
    c.out.array(3);
    c.out.bulkStr("master");
    c.out.int(ids.offset);
    c.out.array(online.length);
    for (const r of online) {
      c.out.array(3);
      c.out.bulkStr(replicaIp(r));
      c.out.bulkStr(String(r.hs.port));
      c.out.bulkStr(String(r.ackOffset));
    }
    return;
  }
  const states = { connect: "connect", connecting: "connecting", handshake: "handshake", transfer: "sync", connected: "connected" };
  c.out.array(5);
  c.out.bulkStr("slave");
  c.out.bulkStr(hub.masterHost);
  c.out.int(hub.masterPort);
  c.out.bulkStr(states[link.state]);
  c.out.int(link.client !== null ? link.reploff : -1);
}

function wait(c: Client, argv: Uint8Array[]): void {
  const hub = replicationOf(c.shard);
  if (hub.isReplica) {
    return c.out.error(
      "ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.",
    );
  }
  const replicas = parseInt64(argv[1]);
  if (replicas === null || typeof replicas === "bigint") return c.out.error(NOT_INTEGER);
  const timeout = parseInt64(argv[2]);
  if (timeout === null || typeof timeout === "bigint") return c.out.error("ERR timeout is not an integer or out of range");
  if (timeout < 0) return c.out.error("ERR timeout is negative");
  hub.master.wait(c, replicas, timeout);
}

function failover(c: Client, argv: Uint8Array[]): void {
  const hub = replicationOf(c.shard);
  if (c.shard.config.getBool("cluster-enabled")) return c.out.error("ERR FAILOVER not allowed in cluster mode.");
  if (argv.length === 2 && is(argv[1], "abort")) {
    if (hub.failover.state === "no-failover") return c.out.error("ERR No failover in progress.");
    hub.failover.abort("Failover manually aborted");
    return c.out.ok();
  }
  let timeout = 0;
  let force = false;
  let host: string | null = null;
  let port = 0;
  for (let j = 1; j < argv.length; j++) {
    if (is(argv[j], "timeout") && j + 1 < argv.length && timeout === 0) {
      const v = parseInt64(argv[j + 1]);
      if (v === null || typeof v === "bigint") return c.out.error(NOT_INTEGER);
      if (v <= 0) return c.out.error("ERR FAILOVER timeout must be greater than 0");
      timeout = v;
      j++;
    } else if (is(argv[j], "to") && j + 2 < argv.length && host === null) {
      const v = parseInt64(argv[j + 2]);
      if (v === null || typeof v === "bigint") return c.out.error(NOT_INTEGER);
      host = latin1(argv[j + 1]);
      port = v;
      j += 2;
    } else if (is(argv[j], "force") && !force) {
      force = true;
    } else {
      return c.out.error(SYNTAX);
    }
  }
  const err = hub.failover.start(host, port, timeout, force);
  if (err !== null) return c.out.error(err);
  c.out.ok();
}

function sync(c: Client, argv: Uint8Array[]): void {
  if (c.shard.count > 1) return c.out.error(MULTI_SHARD);
  replicationOf(c.shard).master.sync(c, argv);
}

const SERVER = { group: "server", summary: "Internal command used for replication", complexity: "" };
const DANGEROUS = ["admin", "slow", "dangerous"];

register(
  {
    name: "replicaof", arity: 3, flags: ["admin", "noscript", "stale", "no_async_loading"], group: "server", since: "5.0.0",
    summary: "Make the server a replica of another instance, or promote it as master.", complexity: "O(1)", acl: DANGEROUS, handler: replicaof,
  },
  {
    name: "slaveof", arity: 3, flags: ["admin", "noscript", "stale", "no_async_loading"], group: "server", since: "1.0.0",
    summary: "Make the server a replica of another instance, or promote it as master.", complexity: "O(1)", acl: DANGEROUS, handler: replicaof,
  },
  {
    name: "role", arity: 1, flags: ["noscript", "loading", "stale", "fast"], group: "server", since: "2.8.12",
    summary: "Return the role of the instance in the context of replication", complexity: "O(1)", acl: ["admin", "fast", "dangerous"], handler: role,
  },
  {
    name: "wait", arity: 3, flags: ["noscript"], group: "generic", since: "3.0.0",
    summary: "Wait for the synchronous replication of all the write commands sent in the context of the current connection", complexity: "O(1)",
    acl: ["slow", "connection"], tips: ["request_policy:all_shards", "response_policy:agg_min"], handler: wait,
  },
  {
    name: "failover", arity: -1, flags: ["admin", "noscript", "stale"], group: "server", since: "6.2.0",
    summary: "Start a coordinated failover between this server and one of its replicas.", complexity: "O(1)", acl: DANGEROUS, handler: failover,
  },
  { name: "sync", arity: 1, flags: ["admin", "noscript", "no_async_loading", "no_multi"], since: "1.0.0", ...SERVER, acl: DANGEROUS, handler: sync },
  { name: "psync", arity: -3, flags: ["admin", "noscript", "no_async_loading", "no_multi"], since: "2.8.0", ...SERVER, acl: DANGEROUS, handler: sync },
  {
    name: "replconf", arity: -1, flags: ["admin", "noscript", "loading", "stale", "allow_busy"], group: "server", since: "3.0.0",
    summary: "An internal command for configuring the replication stream", complexity: "O(1)", acl: DANGEROUS,
    handler: (c, argv) => replicationOf(c.shard).master.replconf(c, argv),
  },
);
