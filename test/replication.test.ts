// Replication: the classic tutorial set-up (requirepass master, two replicas from config
// files, 100,000 keys through redis-cli --pipe), INFO/ROLE shapes, partial resyncs (dropped
// link, replica restart, promotion with REPLICAOF NO ONE), cascading, WAIT, the stream's
// SELECT / MULTI shapes, expiry on replicas, FAILOVER, and interop with redis-server 7.0.

import { test, expect, afterAll, describe } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, type Socket } from "node:net";
import Redis from "ioredis";
import { BIN, REDIS_SERVER, freePort, waitForPing } from "./helpers/server.ts";

interface Node {
  port: number;
  dir: string;
  proc: ReturnType<typeof Bun.spawn>;
  log(): string;
  client(opts?: Record<string, unknown>): Redis;
  stop(): Promise<void>;
}

const nodes: Node[] = [];
const clients: Redis[] = [];

afterAll(async () => {
  for (const c of clients) c.disconnect();
  for (const n of nodes) if (n.proc.exitCode === null) await n.stop();
  for (const dir of new Set(nodes.map((n) => n.dir))) rmSync(dir, { recursive: true, force: true });
});

/** Start a server: `bin [conf] --port ... args`; conf is written to the node's directory. */
async function start(opts: { bin?: string; conf?: string; args?: string[]; dir?: string; port?: number } = {}): Promise<Node> {
  const bin = opts.bin ?? BIN;
  const port = opts.port ?? (await freePort());
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), "repl-test-"));
  const argv = [bin];
  if (opts.conf !== undefined) {
    const path = join(dir, "redis.conf");
    writeFileSync(path, `port ${port}\nbind 127.0.0.1\ndir ${dir}\n${opts.conf}\n`);
    argv.push(path);
  } else {
    argv.push("--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "");
  }
  if (bin === BIN) argv.push("--admin-port", "0");
  argv.push("--enable-debug-command", "yes", ...(opts.args ?? []));
  const proc = Bun.spawn(argv, { cwd: dir, stdout: "pipe", stderr: "pipe" });
  let text = "";
  (async () => {
    const dec = new TextDecoder();
    for await (const chunk of proc.stdout as ReadableStream<Uint8Array>) text += dec.decode(chunk);
  })();
  await waitForPing(port, 20000);
  const node: Node = {
    port,
    dir,
    proc,
    log: () => text,
    client(o = {}) {
      const r = new Redis({ port, host: "127.0.0.1", maxRetriesPerRequest: 1, ...o });
      clients.push(r);
      return r;
    },
    async stop() {
      proc.kill("SIGTERM");
      const exited = await Promise.race([proc.exited.then(() => true), Bun.sleep(10000).then(() => false)]);
      if (!exited) proc.kill(9);
      await proc.exited;
    },
  };
  nodes.push(node);
  return node;
}

async function waitFor(what: string, cond: () => Promise<boolean>, ms = 30000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      if (await cond()) return;
    } catch {
      // not ready yet (LOADING, connection refused...)
    }
    await Bun.sleep(25);
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function info(r: Redis, section = "replication"): Promise<Map<string, string>> {
  const text = (await r.info(section)) as string;
  const m = new Map<string, string>();
  for (const line of text.split("\r\n")) {
    const at = line.indexOf(":");
    if (at > 0 && !line.startsWith("#")) m.set(line.slice(0, at), line.slice(at + 1));
  }
  return m;
}

async function infoKeys(r: Redis): Promise<string[]> {
  return [...(await info(r)).keys()];
}

/** Link up and the replica's offset equal to the master's. */
async function inSync(master: Redis, ...replicas: Redis[]): Promise<boolean> {
  const mo = (await info(master)).get("master_repl_offset");
  for (const r of replicas) {
    const i = await info(r);
    if (i.get("master_link_status") !== "up" || i.get("slave_repl_offset") !== mo) return false;
  }
  return true;
}

async function waitSync(master: Redis, ...replicas: Redis[]): Promise<void> {
  await waitFor("replicas in sync", () => inSync(master, ...replicas));
}

async function errorOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as Error).message;
  }
  return "no error";
}

async function redisCli(port: number, args: string[], stdin?: Uint8Array): Promise<string> {
  const p = Bun.spawn(["redis-cli", "-p", String(port), ...args], { stdin: stdin ?? "ignore", stdout: "pipe", stderr: "pipe" });
  const out = await new Response(p.stdout).text();
  await p.exited;
  return out;
}

/** N SET commands as a RESP stream for redis-cli --pipe. */
function pipeSets(prefix: string, n: number): Uint8Array {
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    const k = `${prefix}:${i}`;
    const v = `value:${i}:${(i * 7919) % 100003}`;
    parts.push(`*3\r\n$3\r\nSET\r\n$${k.length}\r\n${k}\r\n$${v.length}\r\n${v}\r\n`);
  }
  return new TextEncoder().encode(parts.join(""));
}

const FAST = ["--repl-diskless-sync-delay", "0", "--repl-ping-replica-period", "1"];

async function pair(masterArgs: string[] = [], replicaArgs: string[] = []): Promise<{ master: Node; replica: Node; m: Redis; r: Redis }> {
  const master = await start({ args: [...FAST, ...masterArgs] });
  const replica = await start({ args: [...FAST, "--replicaof", "127.0.0.1", String(master.port), ...replicaArgs] });
  const m = master.client();
  const r = replica.client();
  await waitSync(m, r);
  return { master, replica, m, r };
}

describe("the classic set-up", () => {
  test("master with requirepass, two replicas from config files, 100,000 keys through redis-cli --pipe", async () => {
    const pw = "s3cret";
    const master = await start({ conf: `requirepass ${pw}\nsave ""` });
    const m = master.client({ password: pw });
    const out = await redisCli(master.port, ["-a", pw, "--no-auth-warning", "--pipe"], pipeSets("key", 100000));
    expect(out).toContain("errors: 0, replies: 100000");
    const replicaConf = `replicaof 127.0.0.1 ${master.port}\nmasterauth ${pw}\nrequirepass ${pw}\nsave ""`;
    const [r1, r2] = await Promise.all([start({ conf: replicaConf }), start({ conf: replicaConf })]);
    const c1 = r1.client({ password: pw });
    const c2 = r2.client({ password: pw });
    await waitSync(m, c1, c2);
    // Both replicas arrived within the diskless delay: one snapshot served them.
    expect(master.log().match(/Starting BGSAVE for SYNC with target: replicas sockets/g)?.length).toBe(1);
    const digest = await m.call("debug", "digest");
    for (const c of [c1, c2]) {
      expect(await c.dbsize()).toBe(100000);
      expect(await c.call("debug", "digest")).toBe(digest);
      expect(await errorOf(c.set("x", "1"))).toBe("READONLY You can't write against a read only replica.");
    }
    // And the stream keeps them equal.
    await redisCli(master.port, ["-a", pw, "--no-auth-warning", "--pipe"], pipeSets("more", 1000));
    await waitSync(m, c1, c2);
    expect(await c2.get("more:999")).toBe(`value:999:${(999 * 7919) % 100003}`);
    expect(await c1.call("debug", "digest")).toBe(await m.call("debug", "digest"));
    expect(r1.log()).toContain("MASTER <-> REPLICA sync: Finished with success");
    expect(master.log()).toMatch(new RegExp(`Replica 127\\.0\\.0\\.1:${r1.port} asks for synchronization`));
    expect(master.log()).toMatch(new RegExp(`Synchronization with replica 127\\.0\\.0\\.1:${r2.port} succeeded`));
  }, 120000);
});

describe("observability", () => {
  test("INFO replication and ROLE have Redis's fields in Redis's order", async () => {
    const { master, replica, m, r } = await pair();
    expect(await infoKeys(m)).toEqual([
      "role", "connected_slaves", "slave0", "master_failover_state", "master_replid", "master_replid2",
      "master_repl_offset", "second_repl_offset", "repl_backlog_active", "repl_backlog_size", "repl_backlog_first_byte_offset", "repl_backlog_histlen",
    ]);
    const mi = await info(m);
    expect(mi.get("slave0")).toMatch(new RegExp(`^ip=127\\.0\\.0\\.1,port=${replica.port},state=online,offset=\\d+,lag=\\d+$`));
    expect(await infoKeys(r)).toEqual([
      "role", "master_host", "master_port", "master_link_status", "master_last_io_seconds_ago", "master_sync_in_progress",
      "slave_read_repl_offset", "slave_repl_offset", "slave_priority", "slave_read_only", "replica_announced", "connected_slaves",
      "master_failover_state", "master_replid", "master_replid2", "master_repl_offset", "second_repl_offset",
      "repl_backlog_active", "repl_backlog_size", "repl_backlog_first_byte_offset", "repl_backlog_histlen",
    ]);
    const ri = await info(r);
    expect(ri.get("master_replid")).toBe(mi.get("master_replid"));
    expect(ri.get("master_port")).toBe(String(master.port));
    const offset = Number(mi.get("master_repl_offset"));
    const mrole = (await m.call("role")) as unknown[];
    expect(mrole[0]).toBe("master");
    expect(mrole[2]).toEqual([["127.0.0.1", String(replica.port), expect.any(String)]]);
    expect(await r.call("role")).toEqual(["slave", "127.0.0.1", master.port, "connected", expect.any(Number)]);
    expect(offset).toBeGreaterThanOrEqual(0);
    const stats = await info(m, "stats");
    expect(stats.get("sync_full")).toBe("1");
    expect(stats.get("sync_partial_ok")).toBe("0");
  }, 30000);

  test("a replica whose master is unreachable reports the link down", async () => {
    const dead = await freePort();
    const replica = await start({ args: ["--replicaof", "127.0.0.1", String(dead)] });
    const r = replica.client();
    const i = await info(r);
    expect(i.get("master_link_status")).toBe("down");
    expect(i.get("master_last_io_seconds_ago")).toBe("-1");
    expect(i.get("master_link_down_since_seconds")).toBe("-1");
    expect(i.get("slave_repl_offset")).toBe("1");
    expect(((await r.call("role")) as unknown[]).slice(0, 3)).toEqual(["slave", "127.0.0.1", dead]);
    expect(await errorOf(r.call("wait", "1", "0"))).toStartWith("ERR WAIT cannot be used with replica instances.");
    expect(await errorOf(r.call("psync", "?", "-1"))).toBe("NOMASTERLINK Can't SYNC while not connected with my master");
    await r.config("SET", "replica-serve-stale-data", "no");
    expect(await errorOf(r.get("x"))).toBe("MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.");
    expect(await r.call("role")).toBeDefined();
    await r.config("SET", "replica-serve-stale-data", "yes");
    await r.config("SET", "replica-read-only", "no");
    expect(await r.set("x", "1")).toBe("OK");
  }, 30000);
});

describe("partial resynchronization", () => {
  test("after a dropped link, either side killing it", async () => {
    const { master, m, r } = await pair();
    await m.set("a", "1");
    expect(await m.call("client", "kill", "type", "replica")).toBe(1);
    await m.set("b", "2");
    await waitSync(m, r);
    expect(await r.get("b")).toBe("2");
    expect(await r.call("client", "kill", "type", "master")).toBe(1);
    await m.set("c", "3");
    await waitSync(m, r);
    expect(await r.get("c")).toBe("3");
    const s = await info(m, "stats");
    expect(s.get("sync_full")).toBe("1");
    expect(s.get("sync_partial_ok")).toBe("2");
    expect(master.log()).toContain("Partial resynchronization request from");
  }, 30000);

  test("after the replica restarts (replid and offset from the RDB aux fields)", async () => {
    const master = await start({ args: FAST });
    const m = master.client();
    await m.set("k", "v");
    const replicaPort = await freePort();
    const replicaDir = mkdtempSync(join(tmpdir(), "repl-test-"));
    const args = [...FAST, "--save", "3600 1", "--replicaof", "127.0.0.1", String(master.port)];
    let replica = await start({ port: replicaPort, dir: replicaDir, args });
    await waitSync(m, replica.client());
    await replica.stop();
    await m.set("while-down", "yes");
    replica = await start({ port: replicaPort, dir: replicaDir, args });
    const r = replica.client();
    await waitSync(m, r);
    expect(await r.get("while-down")).toBe("yes");
    const s = await info(m, "stats");
    expect(s.get("sync_full")).toBe("1");
    expect(s.get("sync_partial_ok")).toBe("1");
    expect(replica.log()).toContain("Successful partial resynchronization with master.");
  }, 30000);

  test("REPLICAOF NO ONE keeps the old replid as replid2; the other replica continues from the promoted one", async () => {
    const master = await start({ args: FAST });
    const m = master.client();
    const a = await start({ args: [...FAST, "--replicaof", "127.0.0.1", String(master.port)] });
    const b = await start({ args: [...FAST, "--replicaof", "127.0.0.1", String(master.port)] });
    const ra = a.client();
    const rb = b.client();
    await m.set("x", "1");
    await waitSync(m, ra, rb);
    const before = await info(ra);
    expect(await ra.call("replicaof", "no", "one")).toBe("OK");
    const after = await info(ra);
    expect(after.get("role")).toBe("master");
    expect(after.get("master_replid2")).toBe(before.get("master_replid"));
    expect(after.get("second_repl_offset")).toBe(String(Number(before.get("master_repl_offset")) + 1));
    expect(after.get("master_replid")).not.toBe(before.get("master_replid"));
    await ra.set("promoted", "yes");
    expect(await rb.call("replicaof", "127.0.0.1", String(a.port))).toBe("OK");
    await waitSync(ra, rb);
    expect(await rb.get("promoted")).toBe("yes");
    const s = await info(ra, "stats");
    expect(s.get("sync_full")).toBe("0");
    expect(s.get("sync_partial_ok")).toBe("1");
    expect(await rb.call("replicaof", "127.0.0.1", String(a.port))).toBe("OK Already connected to specified master");
  }, 30000);

  test("FAILOVER hands the master role to a synced replica", async () => {
    const { master, replica, m, r } = await pair();
    await m.set("before", "1");
    await waitSync(m, r);
    expect(await errorOf(m.call("failover", "abort"))).toBe("ERR No failover in progress.");
    expect(await errorOf(m.call("failover", "to", "127.0.0.1", "1"))).toBe("ERR FAILOVER target HOST and PORT is not a replica.");
    expect(await errorOf(m.call("failover", "force"))).toBe("ERR FAILOVER with force option requires both a timeout and target HOST and IP.");
    expect(await m.call("failover", "to", "127.0.0.1", String(replica.port))).toBe("OK");
    await waitFor("roles swapped", async () => (await info(r)).get("role") === "master" && (await info(m)).get("master_link_status") === "up");
    await r.set("after", "2");
    await waitSync(r, m);
    expect(await m.get("after")).toBe("2");
    expect((await info(m)).get("master_failover_state")).toBe("no-failover");
    expect((await info(r, "stats")).get("sync_partial_ok")).toBe("1");
    expect(master.log()).toContain("is synced, failing over.");
  }, 30000);
});

describe("topologies and commands", () => {
  test("a replica of a replica gets the top master's stream: same replid, same offsets", async () => {
    const { master, m, r, replica } = await pair();
    const sub = await start({ args: [...FAST, "--replicaof", "127.0.0.1", String(replica.port)] });
    const s = sub.client();
    await m.set("top", "1");
    await m.lpush("list", "a", "b");
    await waitSync(m, r, s);
    const [mi, si] = [await info(m), await info(s)];
    expect(si.get("master_replid")).toBe(mi.get("master_replid"));
    expect(si.get("master_repl_offset")).toBe(mi.get("master_repl_offset"));
    expect(await s.lrange("list", 0, -1)).toEqual(["b", "a"]);
    expect((await info(r)).get("connected_slaves")).toBe("1");
    expect(master.log()).not.toContain(`${sub.port} asks`);
  }, 30000);

  test("WAIT counts the replicas that acknowledged the client's writes", async () => {
    const { m, r } = await pair();
    await m.set("w", "1");
    expect(await m.call("wait", "1", "5000")).toBe(1);
    expect(await m.call("wait", "2", "200")).toBe(1);
    expect(await m.call("wait", "0", "0")).toBe(1);
    expect(await errorOf(m.call("wait", "x", "0"))).toBe("ERR value is not an integer or out of range");
    expect(await errorOf(m.call("wait", "1", "-1"))).toBe("ERR timeout is negative");
    expect(await errorOf(m.call("wait", "1", "1.5"))).toBe("ERR timeout is not an integer or out of range");
    // Inside MULTI, WAIT answers at once with what is acknowledged already.
    await waitSync(m, r);
    await waitFor("the replica's ACK", async () => (await info(m)).get("slave0")!.includes(`offset=${(await info(m)).get("master_repl_offset")},`));
    const tx = await m.multi().call("wait", "5", "0").exec();
    expect(tx?.[0]).toEqual([null, 1]);
  }, 30000);

  test("min-replicas-to-write refuses writes without enough good replicas", async () => {
    const master = await start({ args: FAST });
    const m = master.client();
    await m.config("SET", "min-replicas-to-write", "1");
    expect(await errorOf(m.set("x", "1"))).toBe("NOREPLICAS Not enough good replicas to write.");
    expect((await info(m)).get("min_slaves_good_slaves")).toBe("0");
    const replica = await start({ args: [...FAST, "--replicaof", "127.0.0.1", String(master.port)] });
    await waitSync(m, replica.client());
    await waitFor("ack from the replica", async () => (await info(m)).get("min_slaves_good_slaves") === "1");
    expect(await m.set("x", "1")).toBe("OK");
  }, 30000);

  test("MULTI / EXEC with REPLICAOF: nothing of the transaction reaches the stream", async () => {
    const master = await start({ args: FAST });
    const m = master.client();
    await m.config("SET", "repl-ping-replica-period", "3600");
    const stream = await attachStream(master.port);
    await m.set("foo", "bar");
    const dead = await freePort();
    const res = await m.multi().set("foo2", "bar").call("replicaof", "localhost", String(dead)).set("foo3", "bar").exec();
    expect(res?.map((x) => x[1])).toEqual(["OK", "OK", "OK"]);
    expect(await errorOf(m.set("foo4", "bar"))).toBe("READONLY You can't write against a read only replica.");
    expect(await m.call("replicaof", "no", "one")).toBe("OK");
    expect(await stream.commands(2)).toEqual([["select", "0"], ["set", "foo", "bar"]]);
    stream.close();
  }, 30000);

  test("demotion unblocks blocked clients with an error; scripts cannot write on a read-only replica", async () => {
    const { master, m, r } = await pair();
    const blocked = master.client();
    const pop = errorOf(blocked.blpop("q", 0));
    await waitFor("BLPOP to block", async () => (await info(m, "clients")).get("blocked_clients") === "1");
    const dead = await freePort();
    expect(await m.call("replicaof", "127.0.0.1", String(dead))).toBe("OK");
    expect(await pop).toBe("UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)");
    expect(await m.call("replicaof", "no", "one")).toBe("OK");
    expect(await errorOf(r.eval("return redis.call('set', 'k', 'v')", 0))).toStartWith("READONLY You can't write against a read only replica.");
    expect(await r.eval("return redis.call('get', 'k')", 0)).toBeNull();
    expect(await errorOf(r.eval("#!lua\nreturn 1", 0))).toBe("READONLY Can not run script with write flag on readonly replica");
    expect(await r.eval("#!lua flags=no-writes\nreturn 1", 0)).toBe(1);
  }, 30000);

  test("the stream: SELECT when the db changes, MULTI/EXEC around transactions, expiry as an absolute time", async () => {
    const master = await start({ args: FAST });
    const m = master.client();
    await m.config("SET", "repl-ping-replica-period", "3600");
    const stream = await attachStream(master.port);
    await m.set("a", "1");
    await m.select(3);
    await m.set("b", "2");
    await m.multi().incr("c").incr("c").exec();
    await m.expire("b", 100);
    const cmds = await stream.commands(8);
    expect(cmds.slice(0, 3)).toEqual([["select", "0"], ["set", "a", "1"], ["select", "3"]]);
    expect(cmds.slice(3, 7)).toEqual([["set", "b", "2"], ["multi"], ["incr", "c"], ["incr", "c"]]);
    expect(cmds[7]).toEqual(["exec"]);
    const [pexpireat] = await stream.commands(1);
    expect(pexpireat[0]).toBe("pexpireat");
    expect(Number(pexpireat[2])).toBeGreaterThan(Date.now());
    stream.close();
  }, 30000);

  test("replicas hide expired keys but leave deleting them to the master", async () => {
    const { m, r } = await pair();
    await m.call("debug", "set-active-expire", "0");
    await m.set("short", "v", "PX", "100");
    await waitSync(m, r);
    await Bun.sleep(150);
    expect(await r.get("short")).toBeNull();
    expect(await r.exists("short")).toBe(0);
    expect(await r.dbsize()).toBe(1);
    expect(await m.get("short")).toBeNull();
    await waitFor("the master's DEL", async () => (await r.dbsize()) === 0);
  }, 30000);

  test("CONFIG SET repl-backlog-size resizes the backlog keeping its tail", async () => {
    const { m, r } = await pair();
    for (let i = 0; i < 200; i++) await m.set(`k${i}`, "x".repeat(100));
    await m.config("SET", "repl-backlog-size", "16384");
    const i = await info(m);
    expect(i.get("repl_backlog_size")).toBe("16384");
    expect(Number(i.get("repl_backlog_histlen"))).toBe(16384);
    expect(Number(i.get("repl_backlog_first_byte_offset"))).toBe(Number(i.get("master_repl_offset")) - 16384 + 1);
    await waitSync(m, r);
  }, 30000);

  test("disk-based full sync ($<length>) when repl-diskless-sync is off, and XADD LIMIT from the master", async () => {
    const master = await start({ args: [...FAST, "--repl-diskless-sync", "no"] });
    const m = master.client();
    for (let i = 0; i < 100; i++) await m.xadd("s", "*", "i", String(i));
    const replica = await start({ args: [...FAST, "--replicaof", "127.0.0.1", String(master.port), "--repl-diskless-load", "on-empty-db"] });
    const r = replica.client();
    await waitSync(m, r);
    expect(master.log()).toContain("Starting BGSAVE for SYNC with target: disk");
    expect(replica.log()).toMatch(/receiving \d+ bytes from master to parser/);
    await m.call("xtrim", "s", "maxlen", "~", "10", "limit", "1000");
    await waitSync(m, r);
    expect(await r.xlen("s")).toBe(await m.xlen("s"));
  }, 30000);
});

describe.if(REDIS_SERVER !== null)("interop with redis-server 7.0", () => {
  test("tsredis master, redis-server replica", async () => {
    const master = await start({ args: FAST });
    const m = master.client();
    await m.set("s", "v");
    await m.rpush("l", "1", "2", "3");
    await m.hset("h", "f", "v");
    await m.zadd("z", "1.5", "a");
    await m.sadd("set", "x", "y");
    await m.set("ttl", "v", "EX", "100");
    const replica = await start({ bin: REDIS_SERVER!, args: ["--save", "", "--replicaof", "127.0.0.1", String(master.port), "--daemonize", "no"] });
    const r = replica.client();
    await waitSync(m, r);
    await m.incr("counter");
    await m.multi().lpush("l", "0").hdel("h", "f").exec();
    await waitSync(m, r);
    expect(await r.call("debug", "digest")).toBe(await m.call("debug", "digest"));
    await m.call("client", "kill", "type", "replica");
    await m.set("after-kill", "1");
    await waitSync(m, r);
    expect((await info(m, "stats")).get("sync_partial_ok")).toBe("1");
    expect(await r.get("after-kill")).toBe("1");
  }, 60000);

  test("redis-server master, tsredis replica", async () => {
    const master = await start({ bin: REDIS_SERVER!, args: ["--save", "", "--daemonize", "no", "--repl-diskless-sync-delay", "0"] });
    const m = master.client();
    await m.set("s", "v");
    await m.rpush("l", "1", "2", "3");
    await m.set("ttl", "v", "EX", "100");
    const replica = await start({ args: ["--replicaof", "127.0.0.1", String(master.port)] });
    const r = replica.client();
    await waitSync(m, r);
    await m.multi().incr("n").lpush("l", "0").exec();
    await m.select(2);
    await m.set("db2", "x");
    await waitSync(m, r);
    expect(await r.call("debug", "digest")).toBe(await m.call("debug", "digest"));
    await r.call("client", "kill", "type", "master");
    await m.set("after-kill", "1");
    await waitSync(m, r);
    expect((await info(m, "stats")).get("sync_partial_ok")).toBe("1");
  }, 60000);
});

/** A SYNC client reading the replication stream (the suite's attach_to_replication_stream). */
async function attachStream(port: number): Promise<{ commands(n: number): Promise<string[][]>; close(): void }> {
  const sock: Socket = connect(port, "127.0.0.1");
  let buf = Buffer.alloc(0);
  let wake: (() => void) | null = null;
  sock.on("data", (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    wake?.();
  });
  const more = () => new Promise<void>((res) => (wake = res));
  await new Promise<void>((res) => sock.once("connect", () => res()));
  sock.write("SYNC\r\n");
  // Skip newlines, then the $<len> RDB payload.
  for (;;) {
    while (buf.length > 0 && buf[0] === 10) buf = buf.subarray(1);
    const nl = buf.indexOf("\r\n");
    if (nl > 0) {
      const len = Number(buf.subarray(1, nl).toString());
      while (buf.length < nl + 2 + len) await more();
      buf = buf.subarray(nl + 2 + len);
      break;
    }
    await more();
  }
  const readLine = async (): Promise<string> => {
    for (;;) {
      const nl = buf.indexOf("\r\n");
      if (nl >= 0) {
        const line = buf.subarray(0, nl).toString();
        buf = buf.subarray(nl + 2);
        return line;
      }
      await more();
    }
  };
  const readCommand = async (): Promise<string[]> => {
    const n = Number((await readLine()).slice(1));
    const out: string[] = [];
    for (let i = 0; i < n; i++) {
      const len = Number((await readLine()).slice(1));
      while (buf.length < len + 2) await more();
      out.push(buf.subarray(0, len).toString().toLowerCase());
      buf = buf.subarray(len + 2);
    }
    return out;
  };
  return {
    async commands(n) {
      const out: string[][] = [];
      for (let i = 0; i < n; i++) out.push(await readCommand());
      return out;
    },
    close: () => sock.destroy(),
  };
}
