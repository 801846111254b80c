// Side-by-side checks: run the same commands on tsredis and on the real redis-server and
// require identical replies (bulk strings compared as bytes, errors by their text).

import { expect } from "bun:test";
import { connect } from "node:net";
import type Redis from "ioredis";
import { startRedis, startTsredis, type RunningServer } from "./server.ts";
import { replyEnd } from "../../src/resp/reply.ts";

export type Arg = string | number | Buffer;

export interface Pair {
  ts: RunningServer;
  ref: RunningServer | null;
  a: Redis;
  b: Redis | null;
}

/** tsredis plus, where installed, redis-server, each with one ioredis client. */
export async function startPair(tsArgs: string[] = [], refArgs: string[] = []): Promise<Pair> {
  const [ts, ref] = await Promise.all([startTsredis(tsArgs), startRedis(refArgs)]);
  return { ts, ref, a: ts.client(), b: ref?.client() ?? null };
}

export async function stopPair(ts: RunningServer, ref: RunningServer | null): Promise<void> {
  await Promise.all([ts.stop(), ref?.stop()]);
}

/** Reply as plain data: bulk strings in latin1, errors as "ERR:<message>". */
export async function run(r: Redis, cmd: Arg[]): Promise<unknown> {
  const norm = (v: unknown): unknown => (Buffer.isBuffer(v) ? v.toString("latin1") : Array.isArray(v) ? v.map(norm) : v);
  try {
    return norm(await r.callBuffer(String(cmd[0]), ...cmd.slice(1)));
  } catch (e) {
    return "ERR:" + (e as Error).message;
  }
}

/**
 * Run each command on both servers and require identical replies; returns tsredis's.
 * `runner` normalises replies (e.g. sorts set members, whose order is arbitrary).
 */
export async function sameReplies(a: Redis, b: Redis | null, cmds: Arg[][], runner = run): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const cmd of cmds) {
    const got = await runner(a, cmd);
    if (b) {
      const want = await runner(b, cmd);
      expect({ cmd: cmd.map(String), reply: got }).toEqual({ cmd: cmd.map(String), reply: want });
    }
    out.push(got);
  }
  return out;
}

/** Run a set-up command on both servers without comparing. */
export async function onBoth(a: Redis, b: Redis | null, cmd: Arg[]): Promise<void> {
  await run(a, cmd);
  if (b) await run(b, cmd);
}

/** Commands given as space-separated words (no argument contains a space). */
export const words = (lines: string): string[][] =>
  lines
    .trim()
    .split("\n")
    .map((l) => l.trim().split(/\s+/));

/** Raw RESP3 replies (after HELLO 3) to each command, as latin1 text. */
export async function resp3(port: number, cmds: string[][]): Promise<string[]> {
  const s = connect(port, "127.0.0.1");
  await new Promise<void>((res) => s.once("connect", () => res()));
  let buf = Buffer.alloc(0);
  const replies: string[] = [];
  for (const cmd of [["hello", "3"], ...cmds]) {
    s.write(`*${cmd.length}\r\n` + cmd.map((x) => `$${Buffer.byteLength(x)}\r\n${x}\r\n`).join(""));
    for (;;) {
      let end = -1;
      try {
        end = buf.length > 0 ? replyEnd(buf) : -1;
      } catch {
        end = -1;
      }
      if (end > 0 && end <= buf.length) {
        replies.push(buf.subarray(0, end).toString("latin1"));
        buf = buf.subarray(end);
        break;
      }
      buf = Buffer.concat([buf, await new Promise<Buffer>((res) => s.once("data", res))]);
    }
  }
  s.destroy();
  return replies.slice(1);
}

const MARKER = "__tsredis_test_marker__";

/**
 * Keyspace notifications published while `fn` runs, as "channel message" lines. A final
 * PUBLISH on a marker channel arrives after every earlier notification, so waiting for it
 * replaces a sleep.
 */
export async function notifications(srv: RunningServer, fn: (r: Redis) => Promise<void>, flags = "KEA"): Promise<string[]> {
  const r = srv.client();
  const sub = srv.client();
  await r.config("SET", "notify-keyspace-events", flags);
  const got: string[] = [];
  let done: () => void = () => {};
  const marked = new Promise<void>((res) => (done = res));
  sub.on("pmessageBuffer", (_p: Buffer, ch: Buffer, msg: Buffer) => {
    const channel = ch.toString("latin1");
    if (channel === MARKER) done();
    else got.push(`${channel} ${msg.toString("latin1")}`);
  });
  await sub.psubscribe("*");
  await fn(r);
  await r.publish(MARKER, "end");
  await marked;
  await r.config("SET", "notify-keyspace-events", "");
  sub.disconnect();
  r.disconnect();
  return got;
}
