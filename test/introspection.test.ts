// CLIENT and COMMAND side by side with redis-server 7.0: connection listing and killing,
// pauses, reply modes, tracking switches, and the command table's self-description.

import { test, expect, beforeAll, afterAll } from "bun:test";
import { connect, type Socket } from "node:net";
import type Redis from "ioredis";
import { cli, startRedis, startTsredis, type RunningServer } from "./helpers/server.ts";

let srv: RunningServer;
let ref: RunningServer | null;
let r: Redis;
let rr: Redis | null;

beforeAll(async () => {
  [srv, ref] = await Promise.all([startTsredis(), startRedis()]);
  r = srv.client();
  rr = ref ? ref.client() : null;
});
afterAll(async () => {
  await Promise.all([srv.stop(), ref?.stop()]);
});

async function sameAsRedis(script: string, args: string[] = []): Promise<string> {
  const ours = await cli(srv.port, args, script);
  if (ref) expect(ours).toBe(await cli(ref.port, args, script));
  return ours;
}

/** A raw connection collecting everything the server sends. */
function rawClient(port: number): { sock: Socket; received: () => string; send: (s: string) => void } {
  const sock = connect(port, "127.0.0.1");
  let buf = "";
  sock.on("data", (d) => (buf += d.toString("latin1")));
  return { sock, received: () => buf, send: (s) => sock.write(s) };
}

async function until(cond: () => boolean | Promise<boolean>, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error("condition not reached");
    await Bun.sleep(10);
  }
}

const LIST_LINE =
  /^id=\d+ addr=127\.0\.0\.1:\d+ laddr=127\.0\.0\.1:\d+ fd=-?\d+ name=\S* age=\d+ idle=\d+ flags=\w+ db=\d+ sub=\d+ psub=\d+ ssub=\d+ multi=-?\d+ qbuf=\d+ qbuf-free=\d+ argv-mem=\d+ multi-mem=\d+ rbs=\d+ rbp=\d+ obl=\d+ oll=\d+ omem=\d+ tot-mem=\d+ events=r\w* cmd=\S+ user=default redir=-?\d+ resp=[23]$/;

test("CLIENT LIST / INFO lines have Redis 7.0's fields in order", async () => {
  const me = await r.client("ID");
  await r.client("SETNAME", "lister");
  const list = ((await r.client("LIST")) as string).trim().split("\n");
  for (const line of list) expect(line).toMatch(LIST_LINE);
  const mine = list.find((l) => l.startsWith(`id=${me} `))!;
  expect(mine).toContain(" name=lister ");
  expect(mine).toContain(" flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=26 ");
  expect(mine).toContain(" cmd=client|list ");
  const info = (await r.client("INFO")) as string;
  expect(info.endsWith("\n")).toBe(true);
  expect(info.trim()).toMatch(LIST_LINE);
  expect(info).toContain(" cmd=client|info ");
  expect(((await r.call("client", "list", "id", String(me), "999999")) as string).trim().split("\n").length).toBe(1);
  expect(((await r.call("client", "list", "type", "pubsub")) as string)).toBe("");
  await sameAsRedis(["CLIENT LIST TYPE nosuch", "CLIENT LIST ID abc", "CLIENT LIST foo", "CLIENT LIST TYPE replica", "CLIENT LIST TYPE master"].join("\n"));
});

test("CLIENT ID, SETNAME, GETNAME, NO-EVICT, GETREDIR, UNBLOCK and their errors", async () => {
  await sameAsRedis(
    [
      "CLIENT GETNAME",
      "CLIENT SETNAME 'foo bar'",
      "CLIENT SETNAME fo\\x01o",
      "CLIENT SETNAME good",
      "CLIENT GETNAME",
      "CLIENT SETNAME ''",
      "CLIENT GETNAME",
      "CLIENT NO-EVICT on",
      "CLIENT NO-EVICT off",
      "CLIENT NO-EVICT maybe",
      "CLIENT GETREDIR",
      "CLIENT UNBLOCK 123456",
      "CLIENT UNBLOCK abc",
      "CLIENT UNBLOCK 1 foo",
      "CLIENT UNBLOCK 1 timeout extra",
      "CLIENT REPLY maybe",
      "CLIENT ID extra",
      "CLIENT",
      "CLIENT NOSUCH",
      "CLIENT HELP",
    ].join("\n"),
  );
});

test("CLIENT KILL by address, by ID, SKIPME and its argument errors", async () => {
  await sameAsRedis(
    [
      "CLIENT KILL",
      "CLIENT KILL 1.2.3.4:5",
      "CLIENT KILL id 10 wrong_arg",
      "CLIENT KILL id str",
      "CLIENT KILL id -1",
      "CLIENT KILL id 0",
      "CLIENT KILL type wrong_type",
      "CLIENT KILL user wrong_user",
      "CLIENT KILL skipme yes_or_no",
      "CLIENT KILL maxage 1",
    ].join("\n"),
  );
  const victim = srv.client();
  const vid = await victim.client("ID");
  expect(await r.call("client", "kill", "id", String(vid))).toBe(1);
  await until(async () => !((await r.client("LIST")) as string).includes(`id=${vid} `));

  const raw = rawClient(srv.port);
  raw.send("CLIENT INFO\r\n");
  await until(() => raw.received().includes("\n\r\n"));
  const addr = /addr=(\S+)/.exec(raw.received())![1];
  expect(await r.call("client", "kill", addr)).toBe("OK");
  await until(() => raw.sock.destroyed || raw.sock.readyState === "closed");

  // Killing ourselves: the reply arrives, then the connection closes.
  const self = rawClient(srv.port);
  self.send("CLIENT KILL SKIPME no ID 999999\r\n");
  await until(() => self.received() === ":0\r\n");
  self.send("CLIENT ID\r\n");
  await until(() => /^:0\r\n:\d+\r\n$/.test(self.received()));
  const id = /:(\d+)\r\n$/.exec(self.received())![1];
  self.send(`CLIENT KILL ID ${id} SKIPME no\r\nPING\r\n`);
  await until(() => self.received().endsWith(":1\r\n"));
  await until(() => self.sock.destroyed || self.sock.readyState === "closed");
});

test("CLIENT REPLY OFF / ON / SKIP", async () => {
  const c = rawClient(srv.port);
  c.send("CLIENT REPLY OFF\r\nPING a\r\nPING b\r\nCLIENT REPLY ON\r\nPING c\r\n");
  await until(() => c.received().length >= 9);
  expect(c.received()).toBe("+OK\r\n$1\r\nc\r\n");
  c.send("CLIENT REPLY SKIP\r\nPING d\r\nPING e\r\n");
  await until(() => c.received().length >= 16);
  expect(c.received()).toBe("+OK\r\n$1\r\nc\r\n$1\r\ne\r\n");
  c.sock.destroy();
});

test("CLIENT PAUSE WRITE holds writes, lets reads through, UNPAUSE resumes in order", async () => {
  await r.set("p:k", "old");
  expect(await r.call("client", "pause", "100000", "write")).toBe("OK");
  const w = rawClient(srv.port);
  w.send("GET p:k\r\nSET p:k new\r\nGET p:k\r\n");
  await until(() => w.received() === "$3\r\nold\r\n");
  await until(async () => /blocked_clients:1\r\n/.test((await r.info("clients")) as string));
  expect(await r.get("p:k")).toBe("old");
  expect(((await r.client("LIST")) as string).split("\n").some((l) => / flags=b /.test(l))).toBe(true);
  expect(await r.call("client", "unpause")).toBe("OK");
  await until(() => w.received() === "$3\r\nold\r\n+OK\r\n$3\r\nnew\r\n");
  w.sock.destroy();
  await sameAsRedis(["CLIENT PAUSE", "CLIENT PAUSE -1", "CLIENT PAUSE abc", "CLIENT PAUSE 10 foo", "CLIENT PAUSE 10 write extra", "CLIENT PAUSE 0", "CLIENT UNPAUSE"].join("\n"));
});

test("CLIENT PAUSE ends by itself and holds everything in ALL mode", async () => {
  const t0 = Date.now();
  await r.call("client", "pause", "300", "all");
  const c = rawClient(srv.port);
  c.send("PING\r\n");
  await until(() => c.received() === "+PONG\r\n");
  expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
  c.sock.destroy();
});

test("keys do not expire while clients are paused", async () => {
  await r.set("p:exp", "v", "PX", 50);
  const before = Number(/expired_keys:(\d+)/.exec((await r.info("stats")) as string)![1]);
  await r.call("client", "pause", "100000", "write");
  await Bun.sleep(200);
  expect(await r.get("p:exp")).toBe(null);
  expect(Number(/expired_keys:(\d+)/.exec((await r.info("stats")) as string)![1])).toBe(before);
  await r.call("client", "unpause");
  await r.get("p:exp");
  expect(Number(/expired_keys:(\d+)/.exec((await r.info("stats")) as string)![1])).toBe(before + 1);
});

test("CLIENT TRACKING switches and their errors match Redis", async () => {
  await sameAsRedis(
    [
      "CLIENT TRACKINGINFO",
      "CLIENT CACHING yes",
      "CLIENT TRACKING maybe",
      "CLIENT TRACKING on optin optout",
      "CLIENT TRACKING on prefix a",
      "CLIENT TRACKING on bcast optin",
      "CLIENT TRACKING on redirect 999999",
      "CLIENT TRACKING on optin",
      "CLIENT TRACKINGINFO",
      "CLIENT CACHING no",
      "CLIENT CACHING yes",
      "CLIENT CACHING maybe",
      "CLIENT TRACKING on optout",
      "CLIENT TRACKING on bcast",
      "CLIENT TRACKING off",
      "CLIENT GETREDIR",
      "CLIENT TRACKINGINFO",
    ].join("\n"),
  );
});

/** COMMAND INFO without the key specs (derived from legacy ranges here), subcommands by name. */
function normalizeInfo(info: unknown): unknown {
  if (!Array.isArray(info)) return info;
  const [name, arity, flags, first, last, step, acl, tips, , subs] = info as unknown[];
  const sortedSubs = (subs as unknown[]).map(normalizeInfo).sort((a, b) => String((a as unknown[])[0]).localeCompare(String((b as unknown[])[0])));
  return [name, arity, flags, first, last, step, acl, tips, sortedSubs];
}

function docsMap(reply: unknown): Map<string, Map<string, unknown>> {
  const out = new Map<string, Map<string, unknown>>();
  const arr = reply as unknown[];
  for (let i = 0; i < arr.length; i += 2) {
    const fields = new Map<string, unknown>();
    const f = arr[i + 1] as unknown[];
    for (let j = 0; j < f.length; j += 2) fields.set(String(f[j]), f[j + 1]);
    out.set(String(arr[i]), fields);
  }
  return out;
}

const OURS = ["info", "dbsize", "flushdb", "flushall", "time", "lastsave", "shutdown", "monitor", "slowlog", "latency", "memory", "config", "debug", "client", "command"];

test("COMMAND INFO and DOCS of the server and client commands equal Redis's", async () => {
  if (!rr) return;
  for (const name of OURS) {
    const ours = ((await r.call("command", "info", name)) as unknown[])[0];
    const theirs = ((await rr.call("command", "info", name)) as unknown[])[0];
    expect(normalizeInfo(ours)).toEqual(normalizeInfo(theirs));
    const od = docsMap(await r.call("command", "docs", name)).get(name)!;
    const td = docsMap(await rr.call("command", "docs", name)).get(name)!;
    for (const k of ["summary", "since", "group", "complexity"]) expect([name, k, od.get(k)]).toEqual([name, k, td.get(k)]);
    if (td.has("subcommands")) expect([...docsMap(od.get("subcommands")).keys()].sort()).toEqual([...docsMap(td.get("subcommands")).keys()].sort());
  }
  const keyed = ((await r.call("command", "info", "memory|usage")) as unknown[][])[0];
  expect(keyed.slice(3, 6)).toEqual([2, 2, 1]);
});

test("COMMAND COUNT, LIST, INFO of unknown names, GETKEYS and their errors", async () => {
  expect(await r.call("command", "count")).toBe(((await r.call("command", "list")) as string[]).filter((n) => !n.includes("|")).length);
  const list = (await r.call("command", "list")) as string[];
  expect(list).toContain("get");
  expect(list).toContain("client|list");
  expect(await r.call("command", "list", "filterby", "pattern", "set")).toEqual(["set"]);
  expect(((await r.call("command", "list", "filterby", "pattern", "config|*re*")) as string[]).sort()).toEqual(["config|resetstat", "config|rewrite"]);
  expect(((await r.call("command", "list", "filterby", "aclcat", "connection")) as string[])).toContain("client|id");
  await sameAsRedis(
    [
      "COMMAND INFO get|key config|get|key nosuch",
      "COMMAND LIST bad_arg",
      "COMMAND LIST FILTERBY bad_arg x",
      "COMMAND LIST FILTERBY aclcat non_existing_category",
      "COMMAND LIST FILTERBY module x",
      "COMMAND GETKEYS get key",
      "COMMAND GETKEYS GET",
      "COMMAND GETKEYS nosuch a",
      "COMMAND GETKEYS ping a",
      "COMMAND GETKEYS get a b",
      "COMMAND GETKEYS memory usage key",
      "COMMAND GETKEYS config get x",
      "COMMAND GETKEYS set k v",
      "COMMAND NOSUCH",
      "COMMAND HELP",
      "COMMAND DOCS nosuch",
    ].join("\n"),
  );
});
