import { test, expect } from "bun:test";
import { RequestParser, ProtocolError, splitArgs } from "../src/resp/parser.ts";
import { ReplyWriter } from "../src/resp/writer.ts";
import { decodeReply } from "../src/resp/reply.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const limits = { maxBulk: 512 * 1024 * 1024, maxQuery: 1024 * 1024 * 1024 };

function parseAll(chunks: string[] | Uint8Array[]): string[][] {
  const p = new RequestParser(limits);
  const out: string[][] = [];
  for (const ch of chunks) p.feed(typeof ch === "string" ? enc.encode(ch) : ch, (argv) => {
    out.push(argv.map((a) => dec.decode(a)));
  });
  return out;
}

test("multibulk requests, pipelined in one chunk", () => {
  expect(parseAll(["*1\r\n$4\r\nPING\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\n"])).toEqual([["PING"], ["SET", "k", "hello"]]);
});

test("a request split at every byte boundary parses the same", () => {
  const req = "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$10\r\n0123456789\r\nPING\r\n";
  for (let cut = 1; cut < req.length; cut++) {
    expect(parseAll([req.slice(0, cut), req.slice(cut)])).toEqual([["SET", "key", "0123456789"], ["PING"]]);
  }
  const bytes = [...req].map((ch) => ch);
  expect(parseAll(bytes)).toEqual([["SET", "key", "0123456789"], ["PING"]]);
});

test("inline commands honour quotes and escapes like sdssplitargs", () => {
  expect(parseAll(['SET "a b" \'c d\' "\\x41\\n"\r\n'])).toEqual([["SET", "a b", "c d", "A\n"]]);
  expect(splitArgs(enc.encode('"unbalanced'))).toBeNull();
  expect(parseAll(["\r\n\r\nPING\n"])).toEqual([["PING"]]);
});

test("binary-safe bulk arguments", () => {
  const p = new RequestParser(limits);
  const payload = new Uint8Array([0, 255, 13, 10, 0]);
  const head = enc.encode("*2\r\n$3\r\nSET\r\n$5\r\n");
  const buf = new Uint8Array([...head, ...payload, 13, 10]);
  let got: Uint8Array | null = null;
  p.feed(buf, (argv) => {
    got = argv[1].slice();
  });
  expect(got!).toEqual(payload);
});

test("protocol errors carry Redis's messages", () => {
  const cases: [string, string][] = [
    ["*abc\r\n", "Protocol error: invalid multibulk length"],
    ["*2\r\n+foo\r\n", "Protocol error: expected '$', got '+'"],
    ["*1\r\n$-5\r\n", "Protocol error: invalid bulk length"],
    ["*99999999\r\n", "Protocol error: invalid multibulk length"],
  ];
  for (const [input, msg] of cases) {
    expect(() => parseAll([input])).toThrow(new ProtocolError(msg));
  }
  expect(() => parseAll(["x".repeat(70000)])).toThrow("Protocol error: too big inline request");
});

test("bulk longer than proto-max-bulk-len is rejected", () => {
  const p = new RequestParser({ maxBulk: 10, maxQuery: 1 << 30 });
  expect(() => p.feed(enc.encode("*1\r\n$11\r\n"), () => {})).toThrow("Protocol error: invalid bulk length");
});

test("a sink returning false pauses parsing and drain() resumes", () => {
  const p = new RequestParser(limits);
  const seen: string[] = [];
  p.feed(enc.encode("PING\r\nECHO a\r\nECHO b\r\n"), (argv) => {
    seen.push(dec.decode(argv[argv.length - 1]));
    return seen.length !== 1;
  });
  expect(seen).toEqual(["PING"]);
  p.drain((argv) => {
    seen.push(dec.decode(argv[argv.length - 1]));
  });
  expect(seen).toEqual(["PING", "a", "b"]);
});

function written(proto: 2 | 3, f: (w: ReplyWriter) => void): string {
  const w = new ReplyWriter(8);
  w.proto = proto;
  f(w);
  return dec.decode(w.buf.subarray(0, w.len));
}

test("reply encoder: RESP2 and RESP3 forms", () => {
  expect(written(2, (w) => w.ok())).toBe("+OK\r\n");
  expect(written(2, (w) => w.int(-42))).toBe(":-42\r\n");
  expect(written(2, (w) => w.int(9223372036854775807n))).toBe(":9223372036854775807\r\n");
  expect(written(2, (w) => w.bulk(enc.encode("hi")))).toBe("$2\r\nhi\r\n");
  expect(written(2, (w) => w.nil())).toBe("$-1\r\n");
  expect(written(3, (w) => w.nil())).toBe("_\r\n");
  expect(written(2, (w) => w.nilArray())).toBe("*-1\r\n");
  expect(written(2, (w) => w.map(1))).toBe("*2\r\n");
  expect(written(3, (w) => w.map(1))).toBe("%1\r\n");
  expect(written(3, (w) => w.set(2))).toBe("~2\r\n");
  expect(written(3, (w) => w.push(3))).toBe(">3\r\n");
  expect(written(2, (w) => w.double(1.5))).toBe("$3\r\n1.5\r\n");
  expect(written(3, (w) => w.double(Infinity))).toBe(",inf\r\n");
  expect(written(3, (w) => w.bool(true))).toBe("#t\r\n");
  expect(written(2, (w) => w.bool(false))).toBe(":0\r\n");
  expect(written(3, (w) => w.verbatim("x"))).toBe("=5\r\ntxt:x\r\n");
  expect(written(2, (w) => w.error("ERR bad\r\nthing"))).toBe("-ERR bad thing\r\n");
});

test("the writer grows past its initial capacity and keeps earlier replies", () => {
  const w = new ReplyWriter(8);
  const big = new Uint8Array(100000).fill(97);
  w.ok();
  w.bulk(big);
  w.int(7);
  const [a, p1] = decodeReply(w.buf.subarray(0, w.len));
  const [b, p2] = decodeReply(w.buf.subarray(0, w.len), p1);
  const [c] = decodeReply(w.buf.subarray(0, w.len), p2);
  expect(a).toBe("OK");
  expect((b as Uint8Array).length).toBe(100000);
  expect(c).toBe(7);
});
