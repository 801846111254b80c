// Pub/Sub: exact reply shapes (RESP2 arrays, RESP3 pushes) compared byte for byte with the
// real redis-server, ioredis subscriber mode, cleanup on disconnect/RESET, keyspace events.

import { test, expect, beforeAll, afterAll } from "bun:test";
import { connect, type Socket } from "node:net";
import { startRedis, startTsredis, type RunningServer } from "./helpers/server.ts";

let srv: RunningServer;
let ref: RunningServer | null;
beforeAll(async () => {
  [srv, ref] = await Promise.all([startTsredis(), startRedis()]);
});
afterAll(async () => {
  await Promise.all([srv.stop(), ref?.stop()]);
});

/** Offset just past the RESP value starting at pos, or -1 if it is not complete yet. */
function replyEnd(s: string, pos: number): number {
  if (pos >= s.length) return -1;
  const eol = s.indexOf("\r\n", pos);
  if (eol < 0) return -1;
  const type = s[pos];
  const n = Number(s.slice(pos + 1, eol));
  if (type === "$" || type === "=") return n < 0 ? eol + 2 : eol + 2 + n + 2 <= s.length ? eol + 2 + n + 2 : -1;
  if (type === "*" || type === ">" || type === "~" || type === "%") {
    let p = eol + 2;
    for (let i = 0; i < (type === "%" ? 2 * n : n); i++) {
      p = replyEnd(s, p);
      if (p < 0) return -1;
    }
    return p;
  }
  return eol + 2;
}

/** A raw RESP connection that returns each reply as its exact wire text (latin1). */
class Conn {
  private buf = "";
  private wake: (() => void) | null = null;
  private constructor(private sock: Socket) {
    sock.on("data", (d) => {
      this.buf += d.toString("latin1");
      this.wake?.();
    });
  }

  static open(port: number): Promise<Conn> {
    return new Promise((resolve, reject) => {
      const s = connect(port, "127.0.0.1", () => resolve(new Conn(s)));
      s.on("error", reject);
    });
  }

  send(...args: string[]): void {
    let out = `*${args.length}\r\n`;
    for (const a of args) out += `$${Buffer.byteLength(a, "latin1")}\r\n${a}\r\n`;
    this.sock.write(Buffer.from(out, "latin1"));
  }

  async read(): Promise<string> {
    const deadline = Date.now() + 5000;
    for (;;) {
      const end = replyEnd(this.buf, 0);
      if (end >= 0) {
        const r = this.buf.slice(0, end);
        this.buf = this.buf.slice(end);
        return r;
      }
      if (Date.now() > deadline) throw new Error(`no complete reply; buffered: ${JSON.stringify(this.buf)}`);
      await new Promise<void>((res) => {
        this.wake = res;
        setTimeout(res, 50);
      });
      this.wake = null;
    }
  }

  /** Send a command and read n replies. */
  async cmd(n: number, ...args: string[]): Promise<string[]> {
    this.send(...args);
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(await this.read());
    return out;
  }

  /** Nothing more arrives within ms. */
  async quiet(ms = 100): Promise<boolean> {
    await Bun.sleep(ms);
    return this.buf.length === 0;
  }

  close(): void {
    this.sock.destroy();
  }
}

/** Run a scenario on tsredis and, when installed, on real Redis; the transcripts must match. */
async function sameAsRedis(scenario: (port: number) => Promise<string[]>): Promise<string[]> {
  const ours = await scenario(srv.port);
  if (ref) expect(ours).toEqual(await scenario(ref.port));
  return ours;
}

async function waitFor(cond: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error("condition not reached");
    await Bun.sleep(10);
  }
}

test("RESP2 subscribe, publish, unsubscribe replies match Redis", async () => {
  const t = await sameAsRedis(async (port) => {
    const sub = await Conn.open(port);
    const pub = await Conn.open(port);
    const out = [
      ...(await sub.cmd(3, "SUBSCRIBE", "r2:a", "r2:b", "r2:a")),
      ...(await sub.cmd(1, "PSUBSCRIBE", "r2:*")),
      ...(await pub.cmd(1, "PUBLISH", "r2:a", "hello")),
      ...(await sub.cmd(3, "PING")), // message, pmessage, then PING's subscriber-mode reply
      ...(await sub.cmd(1, "PING", "x")),
      ...(await sub.cmd(1, "GET", "k")),
      ...(await sub.cmd(2, "UNSUBSCRIBE", "r2:b", "r2:none")),
    ];
    out.push(...(await sub.cmd(1, "UNSUBSCRIBE")));
    out.push(...(await sub.cmd(1, "UNSUBSCRIBE")));
    out.push(...(await sub.cmd(1, "PUNSUBSCRIBE")));
    out.push(...(await sub.cmd(1, "PUNSUBSCRIBE")));
    out.push(...(await sub.cmd(1, "PING")));
    out.push(...(await pub.cmd(1, "PUBLISH", "r2:a", "nobody")));
    sub.close();
    pub.close();
    return out;
  });
  expect(t[0]).toBe("*3\r\n$9\r\nsubscribe\r\n$4\r\nr2:a\r\n:1\r\n");
  expect(t[2]).toBe("*3\r\n$9\r\nsubscribe\r\n$4\r\nr2:a\r\n:2\r\n");
  expect(t[5]).toBe("*3\r\n$7\r\nmessage\r\n$4\r\nr2:a\r\n$5\r\nhello\r\n");
  expect(t[6]).toBe("*4\r\n$8\r\npmessage\r\n$4\r\nr2:*\r\n$4\r\nr2:a\r\n$5\r\nhello\r\n");
  expect(t[7]).toBe("*2\r\n$4\r\npong\r\n$0\r\n\r\n");
  expect(t[13]).toBe("*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:1\r\n");
  expect(t[15]).toBe("*3\r\n$12\r\npunsubscribe\r\n$-1\r\n:0\r\n");
});

test("RESP3 confirmations and messages are pushes; a subscriber may publish to itself", async () => {
  const t = await sameAsRedis(async (port) => {
    const c = await Conn.open(port);
    await c.cmd(1, "HELLO", "3");
    const out = [
      ...(await c.cmd(1, "SUBSCRIBE", "r3:x")),
      ...(await c.cmd(1, "PSUBSCRIBE", "r3:*")),
      ...(await c.cmd(1, "SSUBSCRIBE", "r3:s")),
      ...(await c.cmd(3, "PUBLISH", "r3:x", "hi")),
      ...(await c.cmd(2, "SPUBLISH", "r3:s", "sm")),
      ...(await c.cmd(1, "GET", "r3:nokey")),
      ...(await c.cmd(1, "PING")),
      ...(await c.cmd(1, "SUNSUBSCRIBE")),
      ...(await c.cmd(1, "SUNSUBSCRIBE")),
      ...(await c.cmd(1, "UNSUBSCRIBE", "r3:x")),
      ...(await c.cmd(1, "PUNSUBSCRIBE", "r3:*")),
    ];
    c.close();
    return out;
  });
  expect(t[0]).toBe(">3\r\n$9\r\nsubscribe\r\n$4\r\nr3:x\r\n:1\r\n");
  expect(t[2]).toBe(">3\r\n$10\r\nssubscribe\r\n$4\r\nr3:s\r\n:1\r\n");
  expect(t[3]).toBe(">3\r\n$7\r\nmessage\r\n$4\r\nr3:x\r\n$2\r\nhi\r\n");
  expect(t[5]).toBe(":2\r\n");
  expect(t[6]).toBe(">3\r\n$8\r\nsmessage\r\n$4\r\nr3:s\r\n$2\r\nsm\r\n");
  expect(t[8]).toBe("_\r\n");
  expect(t[11]).toBe(">3\r\n$12\r\nsunsubscribe\r\n_\r\n:0\r\n");
});

test("channels and patterns are binary-safe", async () => {
  const name = "bin:\xff\x00\r\n";
  await sameAsRedis(async (port) => {
    const sub = await Conn.open(port);
    const pub = await Conn.open(port);
    const out = [
      ...(await sub.cmd(1, "SUBSCRIBE", name)),
      ...(await sub.cmd(1, "PSUBSCRIBE", "bin:\xff*")),
      ...(await pub.cmd(1, "PUBLISH", name, "\x00\x01")),
      await sub.read(),
      await sub.read(),
      ...(await pub.cmd(1, "PUBSUB", "NUMSUB", name)),
    ];
    sub.close();
    pub.close();
    return out;
  });
});

test("PUBSUB introspection", async () => {
  await sameAsRedis(async (port) => {
    const a = await Conn.open(port);
    const b = await Conn.open(port);
    const q = await Conn.open(port);
    await a.cmd(2, "SUBSCRIBE", "intro:one", "intro:two");
    await b.cmd(1, "SUBSCRIBE", "intro:one");
    await a.cmd(2, "PSUBSCRIBE", "intro:*", "other:*");
    await b.cmd(1, "PSUBSCRIBE", "intro:*");
    await b.cmd(1, "SSUBSCRIBE", "intro:shard");
    // Channel order is hash order in Redis: compare the names sorted.
    const sorted = (reply: string) => {
      const parts = reply.split("\r\n");
      return `${parts[0]} ${parts.slice(1, -1).filter((_, i) => i % 2 === 1).sort().join(",")}`;
    };
    const out = [
      ...(await q.cmd(1, "PUBSUB", "NUMSUB", "intro:one", "intro:two", "intro:none")),
      ...(await q.cmd(1, "PUBSUB", "NUMSUB")),
      ...(await q.cmd(1, "PUBSUB", "NUMPAT")),
      sorted((await q.cmd(1, "PUBSUB", "CHANNELS", "intro:*"))[0]),
      ...(await q.cmd(1, "PUBSUB", "CHANNELS", "intro:t?o")),
      ...(await q.cmd(1, "PUBSUB", "SHARDCHANNELS")),
      ...(await q.cmd(1, "PUBSUB", "SHARDNUMSUB", "intro:shard", "intro:one")),
      ...(await q.cmd(1, "PUBSUB", "HELP")),
      ...(await q.cmd(1, "PUBSUB", "channels", "a", "b")),
      ...(await q.cmd(1, "PUBSUB", "NUMPAT", "x")),
      ...(await q.cmd(1, "PUBSUB", "nosuch")),
      ...(await q.cmd(1, "PUBSUB")),
      ...(await q.cmd(1, "SUBSCRIBE")),
    ];
    for (const c of [a, b, q]) c.close();
    return out;
  });
});

test("subscriber mode restricts RESP2 commands; SSUBSCRIBE is refused inside EXEC", async () => {
  await sameAsRedis(async (port) => {
    const c = await Conn.open(port);
    const out = [
      ...(await c.cmd(1, "MULTI")),
      ...(await c.cmd(1, "SSUBSCRIBE", "tx:s")),
      ...(await c.cmd(1, "SUBSCRIBE", "tx:c")),
      ...(await c.cmd(1, "EXEC")),
      ...(await c.cmd(1, "SET", "k", "v")),
      ...(await c.cmd(1, "QUIT")),
    ];
    c.close();
    return out;
  });
});

test("ioredis subscriber mode receives messages and pattern messages", async () => {
  const sub = srv.client();
  const pub = srv.client();
  const got: string[] = [];
  sub.on("message", (ch: string, msg: string) => got.push(`${ch}=${msg}`));
  sub.on("pmessage", (p: string, ch: string, msg: string) => got.push(`${p}:${ch}=${msg}`));
  expect(await sub.subscribe("io:a", "io:b")).toBe(2);
  expect(await sub.psubscribe("io:*")).toBe(3);
  expect(await pub.publish("io:a", "1")).toBe(2);
  expect(await pub.publish("io:zzz", "2")).toBe(1);
  await waitFor(async () => got.length === 3);
  expect(got).toEqual(["io:a=1", "io:*:io:a=1", "io:*:io:zzz=2"]);
  expect(await sub.unsubscribe("io:a", "io:b")).toBe(1);
  expect(await sub.punsubscribe("io:*")).toBe(0);
  expect(await pub.publish("io:a", "3")).toBe(0);
  sub.disconnect();
  pub.disconnect();
});

test("a disconnected or RESET subscriber is dropped from every table", async () => {
  const q = srv.client();
  const sub = await Conn.open(srv.port);
  await sub.cmd(1, "SUBSCRIBE", "gone:c");
  await sub.cmd(1, "PSUBSCRIBE", "gone:*");
  await sub.cmd(1, "SSUBSCRIBE", "gone:s");
  const before = Number(await q.pubsub("NUMPAT"));
  sub.close();
  await waitFor(async () => (await q.publish("gone:c", "x")) === 0);
  expect(await q.pubsub("SHARDNUMSUB", "gone:s")).toEqual(["gone:s", 0]);
  expect(Number(await q.pubsub("NUMPAT"))).toBe(before - 1);

  const r = await Conn.open(srv.port);
  await r.cmd(1, "SUBSCRIBE", "reset:c");
  expect(await r.cmd(1, "RESET")).toEqual(["+RESET\r\n"]);
  expect(await q.publish("reset:c", "x")).toBe(0);
  expect(await r.quiet()).toBe(true);
  r.close();
  q.disconnect();
});

test("keyspace and keyevent notifications follow notify-keyspace-events", async () => {
  await sameAsRedis(async (port) => {
    const admin = await Conn.open(port);
    const sub = await Conn.open(port);
    const out: string[] = [];
    await admin.cmd(1, "CONFIG", "SET", "notify-keyspace-events", "KEA");
    out.push(...(await sub.cmd(1, "PSUBSCRIBE", "__key*@0__:*")));
    await admin.cmd(1, "SET", "ks:a", "1");
    out.push(await sub.read(), await sub.read());
    await admin.cmd(1, "DEL", "ks:a");
    out.push(await sub.read(), await sub.read());
    // Only string events, keyevent channel only: DEL (generic) is filtered out.
    await admin.cmd(1, "CONFIG", "SET", "notify-keyspace-events", "E$");
    await sub.cmd(1, "PUNSUBSCRIBE", "__key*@0__:*");
    await sub.cmd(1, "PSUBSCRIBE", "__keyevent@0__:*");
    await admin.cmd(1, "SET", "ks:b", "2");
    await admin.cmd(1, "DEL", "ks:b");
    out.push(await sub.read());
    out.push(String(await sub.quiet()));
    await admin.cmd(1, "CONFIG", "SET", "notify-keyspace-events", "");
    await admin.cmd(1, "SET", "ks:c", "3");
    out.push(String(await sub.quiet()));
    admin.close();
    sub.close();
    return out;
  });
});
