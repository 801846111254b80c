// Transactions: MULTI/EXEC/DISCARD replies, EXECABORT, WATCH races between connections,
// WATCH and key expiry, and the cleanup of transaction state (RESET, DISCARD, EXEC).

import { test, expect, beforeAll, afterAll } from "bun:test";
import { connect } from "node:net";
import type Redis from "ioredis";
import { cli, startRedis, startTsredis, type RunningServer } from "./helpers/server.ts";
import { Config } from "../src/config/config.ts";
import { Shard } from "../src/server/shard.ts";
import { Client } from "../src/server/client.ts";
import { processCommand } from "../src/server/dispatch.ts";
import { installCommands } from "../src/commands/index.ts";

let srv: RunningServer;
let ref: RunningServer | null;
let r: Redis;
beforeAll(async () => {
  [srv, ref] = await Promise.all([startTsredis(["--enable-debug-command", "yes"]), startRedis(["--enable-debug-command", "yes"])]);
  r = srv.client();
});
afterAll(async () => {
  await Promise.all([srv.stop(), ref?.stop()]);
});

/** Feed one redis-cli session (commands on stdin, one per line) to both servers; outputs must match. */
async function sameAsRedis(script: string, args: string[] = []): Promise<string> {
  const ours = await cli(srv.port, args, script);
  if (ref) expect(ours).toBe(await cli(ref.port, args, script));
  return ours;
}

test("MULTI/EXEC runs the queue and replies with every result", async () => {
  await r.del("m:list", "m:str");
  const res = await r.multi().set("m:str", "v").get("m:str").incr("m:str").ping().exec();
  expect(res![0]).toEqual([null, "OK"]);
  expect(res![1]).toEqual([null, "v"]);
  expect(res![3]).toEqual([null, "PONG"]);
  expect(String(res![2][0])).toContain("ERR value is not an integer or out of range");
});

test("errors, nesting and EXECABORT match Redis", async () => {
  const out = await sameAsRedis(
    [
      "EXEC",
      "DISCARD",
      "MULTI",
      "MULTI",
      "WATCH x",
      "SET tx:a 1",
      "EXEC",
      "MULTI",
      "SET tx:b 1",
      "NOSUCHCOMMAND",
      "GET",
      "SET tx:c 1",
      "EXEC",
      "EXISTS tx:b tx:c",
      "MULTI",
      "SET tx:d 1",
      "DISCARD",
      "EXISTS tx:d",
      "MULTI",
      "EXEC",
      "UNWATCH",
    ].join("\n"),
  );
  expect(out).toContain("EXECABORT Transaction discarded because of previous errors.");
  expect(out).toContain("ERR MULTI calls can not be nested");
});

test("a WATCHed key changed by another connection aborts EXEC with a null reply", async () => {
  const other = srv.client();
  await r.set("w:k", "1");
  await r.watch("w:k");
  await other.set("w:k", "2");
  expect(await r.multi().set("w:k", "3").exec()).toBeNull();
  expect(await r.get("w:k")).toBe("2");
  // The failed EXEC unwatched everything: the next transaction goes through.
  await other.set("w:k", "4");
  expect(await r.multi().get("w:k").exec()).toEqual([[null, "4"]]);
  other.disconnect();
});

test("an untouched WATCH lets EXEC through; UNWATCH and DISCARD forget watched keys", async () => {
  const other = srv.client();
  await r.watch("u:a", "u:b");
  await other.set("u:other", "x");
  expect(await r.multi().ping().exec()).toEqual([[null, "PONG"]]);

  await r.watch("u:a");
  await other.set("u:a", "1");
  await r.unwatch();
  expect(await r.multi().ping().exec()).toEqual([[null, "PONG"]]);

  await r.watch("u:a");
  await other.set("u:a", "2");
  await r.call("MULTI");
  await r.call("DISCARD");
  expect(await r.multi().ping().exec()).toEqual([[null, "PONG"]]);
  other.disconnect();
});

test("WATCH remembers the database of the key", async () => {
  const out = await sameAsRedis(["SELECT 5", "SET x 30", "WATCH x", "SELECT 1", "SET x 10", "SELECT 5", "MULTI", "PING", "EXEC", "FLUSHALL"].join("\n"));
  expect(out.trim().endsWith("PONG\nOK")).toBe(true);
});

test("a watched key that expires before EXEC aborts it; one already stale at WATCH does not", async () => {
  await r.set("e:k", "1", "PX", 60);
  await r.watch("e:k");
  await Bun.sleep(120);
  expect(await r.multi().ping().exec()).toBeNull();

  await r.set("e:stale", "1", "PX", 1);
  await Bun.sleep(10);
  await r.watch("e:stale");
  expect(await r.multi().ping().exec()).toEqual([[null, "PONG"]]);
});

test("RESP3 clients get a null for an aborted EXEC", async () => {
  await r.set("r3:k", "1");
  const script = "HELLO 3\r\nWATCH r3:k\r\nSET r3:k 2\r\nMULTI\r\nPING\r\nEXEC\r\n";
  for (const port of ref ? [srv.port, ref.port] : [srv.port]) {
    const text = await new Promise<string>((resolve, reject) => {
      const s = connect(port, "127.0.0.1", () => s.write(script));
      let got = "";
      s.on("data", (d) => {
        got += d.toString("latin1");
        if (got.endsWith("+QUEUED\r\n_\r\n")) {
          s.destroy();
          resolve(got);
        }
      });
      s.on("error", reject);
      setTimeout(() => reject(new Error(`no null reply: ${JSON.stringify(got)}`)), 5000);
    });
    expect(text.endsWith("+OK\r\n+OK\r\n+OK\r\n+QUEUED\r\n_\r\n")).toBe(true);
  }
});

test("RESET leaves MULTI and drops watched keys", async () => {
  await sameAsRedis(["WATCH rs:k", "MULTI", "SET rs:k 1", "RESET", "EXEC", "SET rs:k 2", "MULTI", "GET rs:k", "EXEC"].join("\n"));
});

test("commands inside EXEC run immediately, not queued again", async () => {
  const res = await sameAsRedis(["MULTI", "SET q:k 1", "INCR q:k", "GET q:k", "EXEC", "DEL q:k"].join("\n"));
  expect(res).toContain("2");
});

/** An in-process shard whose propagated effects are recorded as "db:ARGS" strings. */
function recordingShard(): { run: (...cmd: string[]) => void; effects: string[] } {
  const shard = new Shard(0, 1, new Config(), "0".repeat(40), new Int32Array(new SharedArrayBuffer(4)));
  installCommands(shard);
  const effects: string[] = [];
  shard.propagators.push((db, argv) => effects.push(`${db}:${argv.map((a) => new TextDecoder().decode(a)).join(" ")}`));
  const c = new Client(shard, 1);
  const enc = new TextEncoder();
  return { run: (...cmd) => void processCommand(c, cmd.map((a) => enc.encode(a))), effects };
}

test("EXEC propagates one effect as is and several wrapped in MULTI/EXEC", () => {
  const { run, effects } = recordingShard();
  run("MULTI");
  run("SET", "a", "1");
  run("EXEC");
  expect(effects).toEqual(["0:SET a 1"]);

  effects.length = 0;
  run("MULTI");
  run("SET", "a", "1");
  run("GET", "a");
  run("SELECT", "2");
  run("SET", "b", "2");
  run("EXEC");
  expect(effects).toEqual(["0:MULTI", "0:SET a 1", "2:SET b 2", "2:EXEC"]);
});

test("read-only, empty and no-op transactions propagate nothing", () => {
  const { run, effects } = recordingShard();
  for (const body of [[], [["GET", "a"]], [["DEL", "missing"]]]) {
    run("MULTI");
    for (const cmd of body) run(...cmd);
    run("EXEC");
  }
  expect(effects).toEqual([]);
});
