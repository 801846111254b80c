// Shared by the persistence tests: servers restarted on the same directory, a dataset with
// every type in every encoding Redis 7.0 uses, and ways to compare two keyspaces.

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Redis from "ioredis";
import { BIN, REDIS_SERVER, freePort, waitForPing } from "./server.ts";

export interface Proc {
  port: number;
  dir: string;
  proc: ReturnType<typeof Bun.spawn>;
  /** Everything the process printed so far (its log when logfile is stdout). */
  output(): string;
  client(opts?: Record<string, unknown>): Redis;
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

const clients: Redis[] = [];

function track(proc: ReturnType<typeof Bun.spawn>): () => string {
  let text = "";
  const decoder = new TextDecoder();
  (async () => {
    for await (const chunk of proc.stdout as ReadableStream<Uint8Array>) text += decoder.decode(chunk);
  })();
  return () => text;
}

/** Start a server binary on dir and port; resolves once it answers PING and finished loading. */
export async function spawnServer(bin: string, dir: string, port: number, args: string[], loaded = true): Promise<Proc> {
  const proc = Bun.spawn([bin, "--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--enable-debug-command", "yes", ...args], {
    cwd: dir,
    stdout: "pipe",
    stderr: "pipe",
  });
  const output = track(proc);
  await waitForPing(port, 20000);
  const own: Redis[] = [];
  const p: Proc = {
    port,
    dir,
    proc,
    output,
    client(opts = {}) {
      const r = new Redis({ port, host: "127.0.0.1", maxRetriesPerRequest: 1, lazyConnect: false, ...opts });
      own.push(r);
      clients.push(r);
      return r;
    },
    async kill9() {
      for (const r of own) r.disconnect();
      proc.kill(9);
      await proc.exited;
    },
    async stop() {
      for (const r of own) r.disconnect();
      proc.kill("SIGTERM");
      const exited = await Promise.race([proc.exited.then(() => true), Bun.sleep(20000).then(() => false)]);
      if (!exited) proc.kill(9);
      await proc.exited;
    },
  };
  if (loaded) await waitLoaded(p);
  return p;
}

export async function waitLoaded(p: Proc): Promise<void> {
  const r = new Redis({ port: p.port, host: "127.0.0.1", maxRetriesPerRequest: 1 });
  try {
    for (let i = 0; i < 600; i++) {
      if (/loading:0/.test(await r.info("persistence"))) return;
      await Bun.sleep(25);
    }
    throw new Error("server did not finish loading");
  } finally {
    r.disconnect();
  }
}

export function tsredis(dir: string, port: number, args: string[] = [], loaded = true): Promise<Proc> {
  return spawnServer(BIN, dir, port, ["--admin-port", "0", ...args], loaded);
}

export function redisServer(dir: string, port: number, args: string[] = []): Promise<Proc> {
  return spawnServer(REDIS_SERVER!, dir, port, ["--daemonize", "no", ...args]);
}

/** Run a process to completion: exit code and combined output (a server that must fail). */
export async function runToExit(cmd: string[], cwd: string, timeoutMs = 20000): Promise<{ code: number; output: string }> {
  const proc = Bun.spawn(cmd, { cwd, stdout: "pipe", stderr: "pipe" });
  const timer = setTimeout(() => proc.kill(9), timeoutMs);
  const [out, err] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  const code = await proc.exited;
  clearTimeout(timer);
  return { code, output: out + err };
}

export { freePort, REDIS_SERVER };

// ---- the dataset ------------------------------------------------------------------------

const range = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));

/** Deterministic pseudo-random bytes. */
export function noise(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

/**
 * Every type in every encoding Redis 7.0 writes: int/raw/compressible/1 MiB strings,
 * multi-node lists and huge elements, intsets (16/32/64-bit) and hashtable sets, listpack
 * and skiplist zsets with ±inf, listpack and hashtable hashes, streams with deleted entries,
 * consumer groups, PELs and idle consumers, TTLs, and several databases.
 */
export async function fillDataset(r: Redis): Promise<void> {
  const p = r.pipeline();
  p.select(0);
  p.set("str:int", "12345");
  p.set("str:neg", "-7");
  p.set("str:i32", "2147483647");
  p.set("str:i64", "9223372036854775807");
  p.set("str:lead0", "007");
  p.set("str:empty", "");
  p.set("str:compressible", "abc".repeat(400));
  p.set("str:bin", noise(300, 7));
  p.set("str:1mb", noise(1 << 20, 11));
  p.set("str:appended", "x");
  p.append("str:appended", "yz");
  p.rpush("list:small", "a", "1", "-2", "b", "12345678901", "");
  p.rpush("list:big", ...range(3000, (i) => `item-${i}`));
  p.rpush("list:huge-items", "A".repeat(10000), "B".repeat(70000), "c");
  p.sadd("set:int16", ...range(50, (i) => String(i * 7 - 100)));
  p.sadd("set:int32", "1", "100000", "-2000000000");
  p.sadd("set:int64", "1", "9000000000000000000", "-9000000000000000000");
  p.sadd("set:str", "a", "b", "c", "1");
  p.sadd("set:big-int", ...range(600, (i) => String(i * 3)));
  p.zadd("zset:small", "1.5", "a", "-2", "b", "inf", "c", "-inf", "d", "0", "e", "3e-7", "f", "123456789012345678", "g");
  p.zadd("zset:big", ...range(300, (i) => [String(i === 0 ? "-inf" : i === 1 ? "+inf" : (i * 1.25) % 97), `m${i}`]).flat());
  p.zadd("zset:long-member", "1", "x".repeat(100), "2", "y");
  p.hset("hash:small", "a", "1", "b", "two", "c", "", "d", "-5");
  p.hset("hash:big", ...range(700, (i) => [`f${i}`, `v${i}`]).flat());
  p.hset("hash:long-value", "a", "v".repeat(100), "b", "1");
  for (let i = 0; i < 250; i++) p.xadd("stream:big", `${1000 + i}-${i % 3}`, ...(i % 10 === 0 ? ["other", String(i)] : ["f1", String(i), "f2", "v"]));
  p.xdel("stream:big", "1003-0", "1100-1", "1249-0");
  p.xgroup("CREATE", "stream:big", "g1", "0");
  p.xgroup("CREATE", "stream:big", "g2", "$");
  p.xreadgroup("GROUP", "g1", "alice", "COUNT", "5", "STREAMS", "stream:big", ">");
  p.xreadgroup("GROUP", "g1", "bob", "COUNT", "3", "STREAMS", "stream:big", ">");
  p.xack("stream:big", "g1", "1001-1");
  p.xgroup("CREATECONSUMER", "stream:big", "g2", "idle");
  p.xadd("stream:emptied", "5-5", "a", "b");
  p.xdel("stream:emptied", "5-5");
  p.xadd("stream:maxid", "18446744073709551615-18446744073709551614", "k", "v");
  p.set("ttl:str", "v", "PX", 3600000);
  p.hset("ttl:hash", "a", "b");
  p.pexpire("ttl:hash", 7200000);
  p.select(3);
  p.set("db3:str", "three");
  p.rpush("db3:list", "x", "y");
  p.expire("db3:list", 5000);
  p.select(15);
  p.zadd("db15:z", "1", "one");
  p.select(0);
  for (const [err] of (await p.exec())!) if (err) throw err;
}

const DATASET_KEYS = /^(str|list|set|zset|hash|stream|ttl|db3|db15):/;

/**
 * DEBUG DIGEST plus what the digest does not see for the dataset's keys: encodings (of
 * collections: a string's raw/embstr is not kept by RDB), TTLs, stream metadata and groups.
 */
export async function snapshotOf(r: Redis, opts: { aof?: boolean } = {}): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = { digest: await r.call("debug", "digest") };
  for (const db of [0, 3, 15]) {
    await r.select(db);
    const keys = ((await r.keys("*")) as string[]).filter((k) => DATASET_KEYS.test(k)).sort();
    for (const k of keys) {
      const pttl = await r.pttl(k);
      const type = await r.type(k);
      out[`${db}:${k}`] = [type, type === "string" ? "-" : await r.object("ENCODING", k), pttl > 0 ? "ttl" : String(pttl)];
      if (type === "stream") {
        const info = (await r.call("xinfo", "stream", k, "full")) as unknown[];
        const pick = (name: string) => info[info.indexOf(name) + 1];
        const fields = ["length", "last-generated-id", "max-deleted-entry-id", "entries-added", "recorded-first-entry-id", "entries", "groups"].map(pick);
        // Replaying an AOF touches every consumer (XCLAIM, XGROUP CREATECONSUMER), in Redis too.
        out[`${db}:${k}:stream`] = opts.aof ? withoutSeenTime(fields) : fields;
      }
    }
  }
  await r.select(0);
  return out;
}

function withoutSeenTime(v: unknown): unknown {
  if (!Array.isArray(v)) return v;
  return v.map((x, i) => (i > 0 && v[i - 1] === "seen-time" ? "*" : withoutSeenTime(x)));
}

/**
 * The dataset's keys as read back through commands (no DEBUG DIGEST, which sees only the
 * worker the connection landed on when several shard workers run).
 */
export async function contentOf(r: Redis): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const db of [0, 3, 15]) {
    await r.select(db);
    const keys = ((await r.keys("*")) as string[]).filter((k) => DATASET_KEYS.test(k)).sort();
    for (const k of keys) {
      const type = await r.type(k);
      let v: unknown;
      if (type === "string") v = (await r.getBuffer(k))?.toString("base64");
      else if (type === "list") v = await r.lrange(k, 0, -1);
      else if (type === "set") v = (await r.smembers(k)).sort();
      else if (type === "zset") v = await r.zrange(k, 0, -1, "WITHSCORES");
      else if (type === "hash") v = Object.entries(await r.hgetall(k)).sort();
      else v = await r.call("xinfo", "stream", k, "full");
      out[`${db}:${k}`] = [type, (await r.pttl(k)) > 0 ? "ttl" : "persist", v];
    }
  }
  await r.select(0);
  return out;
}
