// Server commands side by side with redis-server 7.0: INFO sections and fields, FLUSH*,
// CONFIG, SLOWLOG, LATENCY, MEMORY USAGE, DEBUG (digests, OBJECT, PROTOCOL) and MONITOR.

import { test, expect, beforeAll, afterAll } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "node:net";
import type Redis from "ioredis";
import { cli, freePort, startTsredis, waitForPing, REDIS_SERVER, type RunningServer } from "./helpers/server.ts";

let srv: RunningServer;
let r: Redis;
/** A real redis-server with DEBUG enabled (the shared helper starts it without). */
let refPort = 0;
let refProc: ReturnType<typeof Bun.spawn> | null = null;

beforeAll(async () => {
  srv = await startTsredis(["--enable-debug-command", "yes"]);
  r = srv.client();
  if (REDIS_SERVER) {
    refPort = await freePort();
    const dir = mkdtempSync(join(tmpdir(), "redis-ref-"));
    refProc = Bun.spawn([REDIS_SERVER, "--port", String(refPort), "--bind", "127.0.0.1", "--save", "", "--dir", dir, "--enable-debug-command", "yes"], { stdout: "ignore", stderr: "ignore" });
    await waitForPing(refPort);
  }
});
afterAll(async () => {
  refProc?.kill();
  await srv.stop();
});

/** Run one redis-cli session on both servers; the outputs must match. */
async function sameAsRedis(script: string, args: string[] = []): Promise<string> {
  const ours = await cli(srv.port, args, script);
  if (refPort) expect(ours).toBe(await cli(refPort, args, script));
  return ours;
}

function fieldNames(info: string): string[] {
  return info
    .split("\r\n")
    .filter((l) => l !== "" && !l.startsWith("#"))
    .map((l) => l.slice(0, l.indexOf(":")));
}

function sectionTitles(info: string): string[] {
  return info
    .split(/[\r\n]+/)
    .map((l) => l.trim())
    .filter((l) => l.startsWith("# "));
}

test("INFO section selection follows Redis 7.0 (default, all, everything, several, any case)", async () => {
  const cases = [[], ["default"], ["all"], ["everything"], ["cpu", "memory"], ["CommandStats"], ["cpu", "all"], ["server", "server"], ["nosuch"], ["modules"]];
  for (const args of cases) {
    const ours = sectionTitles((await r.call("info", ...args)) as string);
    if (refPort) expect(ours).toEqual(sectionTitles(await cli(refPort, ["info", ...args])));
  }
  const all = (await r.info("all")) as string;
  expect(all).toContain("rejected_calls");
  expect((await r.info()) as string).not.toContain("rejected_calls");
});

test("INFO fields are Redis's, in Redis's order", async () => {
  if (!refPort) return;
  for (const section of ["server", "clients", "memory", "persistence", "stats", "replication", "cpu", "cluster"]) {
    const ours = fieldNames((await r.info(section)) as string);
    const theirs = fieldNames((await cli(refPort, ["info", section])).replace(/\n/g, "\r\n"));
    expect(ours).toEqual(theirs);
  }
  const server = (await r.info("server")) as string;
  expect(server).toMatch(/\r\nrun_id:[0-9a-f]{40}\r\n/);
  expect(server).toContain(`tcp_port:${srv.port}\r\n`);
  const repl = (await r.info("replication")) as string;
  expect(repl).toMatch(/master_replid:[0-9a-f]{40}\r\nmaster_replid2:0{40}\r\n/);
});

test("INFO keyspace, commandstats, errorstats and latencystats", async () => {
  await r.flushall();
  await r.config("RESETSTAT");
  await r.set("k1", "v");
  await r.set("k2", "v", "EX", 100);
  await r.get("k1");
  await r.get("nokey");
  await r.call("nosuchcommand").catch(() => {});
  await r.call("get").catch(() => {});
  const ks = (await r.info("keyspace")) as string;
  expect(ks).toMatch(/db0:keys=2,expires=1,avg_ttl=\d+/);
  const cs = (await r.info("commandstats")) as string;
  expect(cs).toMatch(/cmdstat_set:calls=2,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=0,failed_calls=0/);
  expect(cs).toMatch(/cmdstat_get:calls=2,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=1,failed_calls=0/);
  expect(cs).toMatch(/cmdstat_config\|resetstat:calls=1/);
  const es = (await r.info("errorstats")) as string;
  expect(es).toContain("errorstat_ERR:count=2");
  const ls = (await r.info("latencystats")) as string;
  expect(ls).toMatch(/latency_percentiles_usec_get:p50=\d+\.\d{3},p99=\d+\.\d{3},p99\.9=\d+\.\d{3}/);
  const stats = (await r.info("stats")) as string;
  expect(stats).toContain("keyspace_hits:1\r\n");
  expect(stats).toContain("keyspace_misses:1\r\n");
});

test("INFO is a verbatim string in RESP3", async () => {
  const raw = await new Promise<string>((resolve) => {
    const s = connect(srv.port, "127.0.0.1");
    let buf = "";
    s.on("data", (d) => {
      buf += d.toString("latin1");
      if (buf.includes("=")) {
        s.destroy();
        resolve(buf);
      }
    });
    s.write("HELLO 3\r\nINFO cluster\r\n");
  });
  expect(raw).toContain("=34\r\ntxt:# Cluster\r\ncluster_enabled:0\r\n\r\n");
});

test("DBSIZE, FLUSHDB and FLUSHALL", async () => {
  const out = await sameAsRedis(["FLUSHALL", "SET a 1", "SET b 2", "DBSIZE", "SELECT 1", "SET c 3", "DBSIZE", "FLUSHDB", "DBSIZE", "SELECT 0", "DBSIZE", "FLUSHDB bogus", "FLUSHALL SYNC extra", "FLUSHALL ASYNC", "DBSIZE"].join("\n"));
  expect(out.split("\n").filter((l) => l !== "")).toEqual(["OK", "OK", "OK", "2", "OK", "OK", "1", "OK", "0", "OK", "2", "ERR syntax error", "ERR syntax error", "OK", "0"]);
});

test("FLUSHALL counts removed keys as changes since the last save", async () => {
  await r.flushall();
  await r.set("x", "1");
  await r.set("y", "1");
  const before = Number(/rdb_changes_since_last_save:(\d+)/.exec((await r.info("persistence")) as string)![1]);
  await r.flushall();
  const after = Number(/rdb_changes_since_last_save:(\d+)/.exec((await r.info("persistence")) as string)![1]);
  expect(after - before).toBe(2);
});

test("TIME and LASTSAVE", async () => {
  const [sec, usec] = (await r.time()) as unknown as [string, string];
  expect(Math.abs(Number(sec) - Date.now() / 1000)).toBeLessThan(5);
  expect(Number(usec)).toBeLessThan(1_000_000);
  expect(Math.abs((await r.lastsave()) - Date.now() / 1000)).toBeLessThan(60);
});

test("CONFIG GET/SET/HELP and their errors match Redis", async () => {
  await sameAsRedis(
    [
      "CONFIG GET maxmemory",
      "CONFIG SET maxmemory 10mb",
      "CONFIG GET maxmemory",
      "CONFIG SET maxmemory 0",
      "CONFIG GET",
      "CONFIG SET maxmemory",
      "CONFIG SET maxmemory 1 hz",
      "CONFIG SET nosuch 1",
      "CONFIG SET daemonize yes",
      "CONFIG SET maxmemory 1 maxmemory 2",
      "CONFIG RESETSTAT extra",
      "CONFIG HELP",
      "CONFIG NOSUCH",
    ].join("\n"),
  );
});

test("CONFIG RESETSTAT clears stats and command stats", async () => {
  await r.get("x");
  await r.config("RESETSTAT");
  const cs = (await r.info("commandstats")) as string;
  expect(cs).not.toContain("cmdstat_get");
  expect((await r.info("stats")) as string).toContain("keyspace_misses:0\r\n");
});

test("SLOWLOG records, trims and redacts like Redis", async () => {
  await r.config("SET", "slowlog-log-slower-than", "0");
  await r.slowlog("RESET");
  await r.call("sadd-not-a-command").catch(() => {});
  await r.set("slow:key", "A".repeat(130));
  await r.call("set", "k", ...Array.from({ length: 40 }, (_, i) => String(i))).catch(() => {});
  await r.client("SETNAME", "slowclient");
  await r.config("SET", "masterauth", "secret");
  await r.config("SET", "slowlog-log-slower-than", "-1");
  const entries = (await r.slowlog("GET", "-1")) as [number, number, number, string[], string, string][];
  // Newest first (the CONFIG SET that disabled the log is not in it): CONFIG SET masterauth,
  // CLIENT SETNAME, SET with 42 arguments, SET of a long value, the unknown command was
  // never executed, SLOWLOG RESET.
  expect(entries[0][3]).toEqual(["config", "SET", "masterauth", "(redacted)"]);
  expect(entries[0][5]).toBe("slowclient");
  expect(entries[2][3].length).toBe(32);
  expect(entries[2][3][31]).toBe("... (11 more arguments)");
  expect(entries[3][3][2]).toBe("A".repeat(128) + "... (2 more bytes)");
  expect(entries[entries.length - 1][3]).toEqual(["slowlog", "RESET"]);
  expect(entries[0][4]).toMatch(/^127\.0\.0\.1:\d+$/);
  expect(await r.slowlog("LEN")).toBe(entries.length);
  expect(((await r.slowlog("GET", "2")) as unknown[]).length).toBe(2);
  expect(((await r.slowlog("GET", "0")) as unknown[]).length).toBe(0);
  await expect(r.slowlog("GET", "-2")).rejects.toThrow("ERR count should be greater than or equal to -1");
  await r.config("SET", "masterauth", "");
  await r.config("SET", "slowlog-log-slower-than", "10000");
  await sameAsRedis(["SLOWLOG HELP", "SLOWLOG GET 1 2", "SLOWLOG LEN x"].join("\n"));
});

test("SLOWLOG honours slowlog-max-len and DEBUG SLEEP durations", async () => {
  await r.config("SET", "slowlog-log-slower-than", "100000");
  await r.config("SET", "slowlog-max-len", "2");
  await r.slowlog("RESET");
  await r.call("debug", "sleep", "0.15");
  await r.call("debug", "sleep", "0.15");
  await r.call("debug", "sleep", "0.15");
  const entries = (await r.slowlog("GET")) as [number, number, number, string[]][];
  expect(entries.length).toBe(2);
  expect(entries[0][2]).toBeGreaterThanOrEqual(150000);
  expect(entries[0][3]).toEqual(["debug", "sleep", "0.15"]);
  expect(entries[0][0]).toBe(entries[1][0] + 1);
  await r.config("SET", "slowlog-max-len", "128", "slowlog-log-slower-than", "10000");
});

test("LATENCY events, history, histogram and doctor", async () => {
  await r.config("SET", "latency-monitor-threshold", "50");
  await r.latency("RESET");
  await r.call("debug", "sleep", "0.08");
  const latest = (await r.latency("LATEST")) as [string, number, number, number][];
  expect(latest.length).toBe(1);
  expect(latest[0][0]).toBe("command");
  expect(latest[0][2]).toBeGreaterThanOrEqual(80);
  const history = (await r.latency("HISTORY", "command")) as [number, number][];
  expect(history.length).toBe(1);
  expect(history[0][1]).toBe(latest[0][2]);
  const graph = (await r.latency("GRAPH", "command")) as string;
  expect(graph).toMatch(/^command - high \d+ ms, low \d+ ms \(all time high \d+ ms\)\n-{80}\n/);
  expect((await r.latency("DOCTOR")) as string).toContain("1. command: 1 latency spikes");
  expect(await r.latency("RESET", "nosuch")).toBe(0);
  expect(await r.latency("RESET")).toBe(1);
  await r.config("SET", "latency-monitor-threshold", "0");
  await r.config("RESETSTAT");
  await r.set("h", "1");
  await r.set("h", "2");
  const histo = (await r.call("latency", "histogram", "set", "nosuch", "config")) as unknown[];
  expect(histo[0]).toBe("set");
  expect((histo[1] as unknown[]).slice(0, 2)).toEqual(["calls", 2]);
  expect(histo[2]).toBe("config|resetstat");
  await sameAsRedis(["LATENCY HELP", "LATENCY HELP x", "LATENCY GRAPH nosuch", "LATENCY HISTORY nosuch"].join("\n"));
});

test("MEMORY USAGE of strings matches Redis", async () => {
  await sameAsRedis(
    [
      "FLUSHALL",
      "SET s hello",
      "SET n 12345",
      "SET e ''",
      `SET big ${"x".repeat(100)}`,
      `SET bigger ${"y".repeat(3000)}`,
      "MEMORY USAGE s",
      "MEMORY USAGE n",
      "MEMORY USAGE e",
      "MEMORY USAGE big",
      "MEMORY USAGE bigger",
      "MEMORY USAGE s SAMPLES 0",
      "MEMORY USAGE nokey",
      "MEMORY USAGE s SAMPLES",
      "MEMORY USAGE s SAMPLES -1",
      "MEMORY USAGE s FOO",
      "MEMORY HELP",
      "MEMORY PURGE",
    ].join("\n"),
  );
  const stats = (await r.call("memory", "stats")) as unknown[];
  expect(stats[0]).toBe("peak.allocated");
  expect(stats).toContain("keys.count");
});

test("DEBUG DIGEST and DIGEST-VALUE of strings equal Redis's", async () => {
  const out = await sameAsRedis(["FLUSHALL", "DEBUG DIGEST", "SET s hello", "SET n 12345", "SET t v EX 100", "SELECT 3", "SET x y", "SELECT 0", "DEBUG DIGEST", "DEBUG DIGEST-VALUE s n t nokey"].join("\n"));
  expect(out.split("\n")[1]).toBe("0".repeat(40));
});

test("DEBUG OBJECT, PROTOCOL, SLEEP, SET-ACTIVE-EXPIRE, POPULATE and errors", async () => {
  await r.flushall();
  await r.set("s", "hello");
  await r.set("n", "7");
  expect(await r.call("debug", "object", "s")).toMatch(/^Value at:0x[0-9a-f]+ refcount:1 encoding:embstr serializedlength:6 lru:\d+ lru_seconds_idle:\d+$/);
  expect(await r.call("debug", "object", "n")).toMatch(/refcount:2147483647 encoding:int serializedlength:2 /);
  await sameAsRedis(
    [
      "FLUSHALL",
      "DEBUG OBJECT nokey",
      "DEBUG PROTOCOL string",
      "DEBUG PROTOCOL integer",
      "DEBUG PROTOCOL double",
      "DEBUG PROTOCOL bignum",
      "DEBUG PROTOCOL null",
      "DEBUG PROTOCOL array",
      "DEBUG PROTOCOL set",
      "DEBUG PROTOCOL map",
      "DEBUG PROTOCOL attrib",
      "DEBUG PROTOCOL push",
      "DEBUG PROTOCOL true",
      "DEBUG PROTOCOL false",
      "DEBUG PROTOCOL verbatim",
      "DEBUG PROTOCOL nosuch",
      "DEBUG SLEEP 0",
      "DEBUG SET-ACTIVE-EXPIRE 1",
      "DEBUG NOSUCH",
      "DEBUG SLEEP",
      "DEBUG",
      "DEBUG POPULATE -1",
      "DEBUG POPULATE 3 pre 5",
      "GET pre:2",
      "DBSIZE",
      "DEBUG POPULATE 2",
      "GET key:1",
      "DEBUG QUICKLIST-PACKED-THRESHOLD foo",
      "DEBUG QUICKLIST-PACKED-THRESHOLD 100",
      "DEBUG QUICKLIST-PACKED-THRESHOLD 0",
      "DEBUG CHANGE-REPL-ID",
    ].join("\n"),
  );
  await sameAsRedis(["DEBUG PROTOCOL map", "DEBUG PROTOCOL attrib", "DEBUG PROTOCOL bignum", "DEBUG PROTOCOL double", "DEBUG PROTOCOL true", "DEBUG PROTOCOL verbatim"].join("\n"), ["-3"]);
  const t0 = Date.now();
  await r.call("debug", "sleep", "0.2");
  expect(Date.now() - t0).toBeGreaterThanOrEqual(190);
});

test("DEBUG is refused unless enable-debug-command allows it", async () => {
  const other = await startTsredis();
  try {
    const c = other.client();
    await expect(c.call("debug", "help")).rejects.toThrow("ERR DEBUG command not allowed");
  } finally {
    await other.stop();
  }
});

test("MONITOR streams executed commands in Redis's format, admin commands left out", async () => {
  const raw = await new Promise<string>((resolve) => {
    const s = connect(srv.port, "127.0.0.1");
    let buf = "";
    s.on("data", (d) => {
      buf += d.toString("latin1");
      if (buf.includes('"get"')) {
        s.destroy();
        resolve(buf);
      }
    });
    s.write("SELECT 2\r\nMONITOR\r\n");
    setTimeout(() => {
      void r
        .set('mon"key', "a b\n\x01")
        .then(() => r.call("config", "get", "hz"))
        .then(() => r.get('mon"key'));
    }, 50);
  });
  const lines = raw.split("\r\n");
  expect(lines[0]).toBe("+OK");
  expect(lines[1]).toBe("+OK");
  expect(lines[2]).toMatch(/^\+\d{10}\.\d{6} \[0 127\.0\.0\.1:\d+\] "set" "mon\\"key" "a b\\n\\x01"$/);
  expect(lines[3]).toMatch(/^\+\d{10}\.\d{6} \[0 127\.0\.0\.1:\d+\] "get" "mon\\"key"$/);
});

test("SHUTDOWN argument errors match Redis; SHUTDOWN NOSAVE stops the server", async () => {
  await sameAsRedis(["SHUTDOWN foo", "SHUTDOWN ABORT", "SHUTDOWN SAVE NOSAVE", "SHUTDOWN ABORT NOW", "MULTI", "SHUTDOWN", "DISCARD"].join("\n"));
  const other = await startTsredis();
  await cli(other.port, ["shutdown", "nosave"]);
  const exited = await Promise.race([other.proc.exited.then(() => true), Bun.sleep(5000).then(() => false)]);
  expect(exited).toBe(true);
});

test("CONFIG SET reaches every shard worker", async () => {
  const sharded = await startTsredis(["--shards", "2"]);
  try {
    await cli(sharded.port, ["config", "set", "hz", "17"]);
    for (let i = 0; i < 6; i++) expect(await cli(sharded.port, ["config", "get", "hz"])).toBe("hz\n17");
  } finally {
    await sharded.stop();
  }
});
