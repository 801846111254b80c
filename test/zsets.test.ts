// Sorted set commands (src/commands/zsets.ts, src/types/zset.ts) side by side with the real
// redis-server: replies, errors, score formatting, both encodings and their thresholds,
// blocking pops, keyspace notifications and RESP3 shapes.

import { test, expect, beforeAll, afterAll } from "bun:test";
import { connect } from "node:net";
import type Redis from "ioredis";
import type { RunningServer } from "./helpers/server.ts";
import { type Arg, notifications, onBoth, run, sameReplies, startPair, stopPair, words } from "./helpers/compare.ts";
import { replyEnd } from "../src/resp/reply.ts";

let ts: RunningServer;
let ref: RunningServer | null;
let a: Redis;
let b: Redis | null;

beforeAll(async () => ({ ts, ref, a, b } = await startPair()));
afterAll(() => stopPair(ts, ref));

const same = (cmds: Arg[][]) => sameReplies(a, b, cmds);

const both = (cmd: Arg[]) => onBoth(a, b, cmd);

/** Use listpack (default thresholds) or force the skiplist encoding. */
async function encoding(enc: "listpack" | "skiplist"): Promise<void> {
  const entries = enc === "listpack" ? "128" : "0";
  await both(["config", "set", "zset-max-listpack-entries", entries]);
  await both(["config", "set", "zset-max-listpack-value", "64"]);
}

for (const enc of ["listpack", "skiplist"] as const) {
  test(`ZADD options, ZINCRBY, ZSCORE, ZMSCORE, ZCARD, ZREM, ZRANK (${enc})`, async () => {
    await both(["flushall"]);
    await encoding(enc);
    await same(
      words(`
        zadd z 10 x 20 y 30 z
        object encoding z
        zadd z xx 5 foo 11 x 21 y
        zadd z nx 12 x 40 w
        zadd z gt ch 5 x 50 y 1 new
        zadd z lt ch 5 x 50 y
        zadd z gt lt 1 x
        zadd z nx xx 1 x
        zadd z gt nx 1 x
        zadd z incr 1 x 2 y
        zadd z incr 3 x
        zadd z incr nx 3 x
        zadd z lt incr 1 x
        zadd z xx incr 1 nosuch
        zadd z ch
        zadd z 1 a 2
        zadd z 1 a abc b
        zadd z nan a
        zadd z 1e400 a
        zadd z 0x10 hex 1e-310 tiny .5 half 1. one
        zadd z +inf pinf -inf ninf
        zincrby z 2.5 x
        zincrby z +inf pinf
        zincrby z -inf pinf
        zincrby z 1 a b
        zscore z x
        zscore z nosuch
        zscore nokey x
        zmscore z x y nosuch tiny
        zmscore nokey a b
        zcard z
        zcard nokey
        zrank z x
        zrevrank z x
        zrank z nosuch
        zrank nokey x
        zrem z x nosuch y
        zrem nokey x
        zrange z 0 -1 withscores
        zadd xx_new xx 1 a
        exists xx_new
        set str v
        zadd str 1 a
        zscore str a
        zrem str a
      `),
    );
  });

  test(`ZRANGE, ZREVRANGE, BYSCORE, BYLEX, LIMIT and their errors (${enc})`, async () => {
    await both(["flushall"]);
    await encoding(enc);
    await both(["zadd", "z", "-inf", "a", "1", "b", "2", "c", "3", "d", "4", "e", "5", "f", "+inf", "g"]);
    await both(["zadd", "lex", "0", "alpha", "0", "bar", "0", "cool", "0", "down", "0", "elephant", "0", "foo", "0", "great", "0", "hill", "0", "omega"]);
    await same(
      words(`
        zrange z 0 -1
        zrange z 1 -2 withscores
        zrange z -100 100
        zrange z 5 2
        zrange z 0 -1 rev withscores
        zrevrange z 0 2 withscores
        zrange z (1 3 byscore
        zrange z 3 (1 byscore rev
        zrange z -inf +inf byscore limit 2 3 withscores
        zrange z -inf +inf byscore limit -1 3
        zrange z -inf +inf byscore limit 1 -5
        zrange z -inf +inf byscore limit 1 0
        zrange z -inf +inf byscore limit 100 2
        zrangebyscore z (-inf (+inf
        zrangebyscore z 2.4 2.6
        zrangebyscore z ( 3
        zrangebyscore z (2 2
        zrevrangebyscore z +inf 4 withscores limit 1 1
        zrevrangebyscore z (6 (3
        zcount z 0 3
        zcount z (0 (3
        zcount z 3 0
        zcount z -inf +inf
        zrangebyscore z str 1
        zrangebyscore z 1 NaN
        zcount z a b
        zrange lex - + bylex
        zrange lex [b (e bylex
        zrange lex + - bylex rev limit 1 3
        zrangebylex lex - [cool
        zrangebylex lex (bar (down
        zrangebylex lex [g + limit 0 2
        zrevrangebylex lex [down [bar
        zrevrangebylex lex + (great
        zrangebylex lex (az (b
        zrangebylex lex - -
        zrangebylex lex [a [a
        zlexcount lex - +
        zlexcount lex + -
        zlexcount lex [bar (foo
        zlexcount lex (maxstring +
        zrangebylex lex foo bar
        zrangebylex lex +x [bar
        zrangebylex lex [a bar
        zlexcount lex a b
        zrange z 0 -1 limit 1 2
        zrange lex - + bylex withscores
        zrevrange z 0 -1 byscore
        zrangebyscore z 0 -1 rev
        zrange z 0 -1 byscore bylex
        zrange z a b
        zrange z 0 1 limit a 1 byscore
        zrange nokey 0 -1
        zrangebyscore nokey 0 1
      `),
    );
  });

  test(`ZREMRANGEBYRANK, ZREMRANGEBYSCORE, ZREMRANGEBYLEX (${enc})`, async () => {
    await encoding(enc);
    const fill = ["zadd", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"];
    for (const cmd of words(`
      zremrangebyrank z 1 3
      zremrangebyrank z -10 0
      zremrangebyrank z 10 -1
      zremrangebyrank z 0 -10
      zremrangebyrank z 0 10
      zremrangebyscore z 2 4
      zremrangebyscore z (1 (5
      zremrangebyscore z 4 2
      zremrangebyscore z -inf +inf
      zremrangebyscore z a 1
      zremrangebylex z [b [d
      zremrangebylex z - +
      zremrangebylex z (c +
      zremrangebylex z b c
      zremrangebyrank z a 1
    `)) {
      await both(["del", "z"]);
      await both(fill);
      await same([cmd, ["zrange", "z", "0", "-1"], ["exists", "z"]]);
    }
    await same(words(`
      zremrangebyrank nokey 0 -1
      zremrangebyscore nokey 0 1
    `));
  });

  test(`ZPOPMIN, ZPOPMAX, ZMPOP and their errors (${enc})`, async () => {
    await both(["flushall"]);
    await encoding(enc);
    await both(["zadd", "z", "-1", "a", "1", "b", "2", "c", "3", "d", "4", "e"]);
    await same(
      words(`
        zpopmin z
        zpopmax z
        zpopmin z 0
        zpopmin z 2
        zpopmax z 10
        exists z
        zpopmin z
        zpopmin z -1
        zpopmin z abc
        zpopmin z 1 2
        zadd z 1 one 2 two 3 three
        zadd z2 4 four 5 five
        zmpop 1 z min
        zmpop 2 nokey z2 max count 10
        zmpop 2 nokey z2 max count 10
        zmpop 1 z max count 1
        zmpop 0 z min
        zmpop a z min
        zmpop 1 z bad
        zmpop 1 z min count 0
        zmpop 1 z min count 1 count 2
        zmpop 1 z min foo
        zmpop 5 z min
        set str v
        zpopmin str
        zmpop 2 nokey str min
      `),
    );
  });

  test(`ZUNION, ZINTER, ZDIFF, their STORE forms and ZINTERCARD (${enc})`, async () => {
    await both(["flushall"]);
    await encoding(enc);
    await same(
      words(`
        zadd za{t} 1 a 2 b 3 c
        zadd zb{t} 1 b 2 c 3 d
        sadd s{t} a b c x
        zunion 2 za{t} zb{t} withscores
        zinter 2 za{t} zb{t} withscores
        zdiff 2 za{t} zb{t} withscores
        zunion 3 za{t} zb{t} s{t} weights 2 3 0.5 withscores
        zinter 2 s{t} zb{t} aggregate max withscores
        zinter 2 za{t} zb{t} aggregate min withscores
        zunion 2 za{t} nokey{t} aggregate max withscores
        zdiff 2 s{t} za{t} withscores
        zdiff 2 za{t} za{t}
        zintercard 2 za{t} zb{t}
        zintercard 2 za{t} zb{t} limit 1
        zintercard 2 za{t} s{t} limit 0
        zunionstore dst{t} 2 za{t} zb{t}
        zrange dst{t} 0 -1 withscores
        object encoding dst{t}
        zinterstore dst{t} 2 za{t} zb{t} weights 2 3
        zrange dst{t} 0 -1 withscores
        zdiffstore dst{t} 2 za{t} zb{t}
        zrange dst{t} 0 -1 withscores
        zinterstore dst{t} 2 za{t} nokey{t}
        exists dst{t}
        zadd pinf{t} +inf k
        zadd ninf{t} -inf k
        zunion 2 pinf{t} ninf{t} withscores
        zinter 2 pinf{t} pinf{t} withscores
        zunionstore out{t} 1 ninf{t} weights 0
        zrange out{t} 0 -1 withscores
        zunion 0 za{t}
        zunionstore dst{t} 0 za{t}
        zintercard 0 za{t}
        zunion 3 za{t} zb{t}
        zunion 1 za{t} weights nan
        zunion 1 za{t} weights x
        zunion 1 za{t} aggregate foo
        zunion 1 za{t} withscores withscores
        zunionstore dst{t} 1 za{t} withscores
        zdiff 1 za{t} weights 1
        zintercard 1 za{t} withscores
        zintercard 1 za{t} limit -1
        zintercard 1 za{t} limit x
        zunion x za{t}
        set str{t} v
        zunion 2 za{t} str{t}
        zinterstore dst{t} 2 str{t} za{t}
      `),
    );
  });
}

test("ZUNIONSTORE and ZINTERSTORE pick the result encoding by size", async () => {
  await both(["flushall"]);
  await both(["config", "set", "zset-max-listpack-entries", "3"]);
  const big = ["zadd", "big{t}"];
  for (let i = 0; i < 5; i++) big.push(String(i), `m${i}`);
  await both(big);
  await same(
    words(`
      object encoding big{t}
      zadd small{t} 1 m1 2 m2
      zinterstore r{t} 2 big{t} small{t}
      object encoding r{t}
      zunionstore r{t} 2 big{t} small{t}
      object encoding r{t}
      zrangestore r{t} big{t} 0 1
      object encoding r{t}
      zrangestore r{t} big{t} 0 3
      object encoding r{t}
      zrangestore r{t} big{t} 0 2 byscore
      object encoding r{t}
      zrangestore r{t} big{t} 0 10 byscore
      object encoding r{t}
      zremrangebyrank big{t} 0 2
      object encoding big{t}
    `),
  );
  await both(["config", "set", "zset-max-listpack-entries", "128"]);
  await both(["config", "set", "zset-max-listpack-value", "4"]);
  await same(
    words(`
      zadd long{t} 1 abcd
      object encoding long{t}
      zadd long{t} 2 abcde
      object encoding long{t}
      zadd long2{t} 1 abcde
      object encoding long2{t}
    `),
  );
  await both(["config", "set", "zset-max-listpack-value", "64"]);
});

test("ZRANGESTORE", async () => {
  await both(["flushall"]);
  await same(
    words(`
      zadd z1{t} 1 a 2 b 3 c 4 d
      zrangestore z2{t} z1{t} 0 -1
      zrange z2{t} 0 -1 withscores
      zrangestore z2{t} z1{t} 1 2
      zrangestore z2{t} z1{t} [b [c bylex
      zrangestore z2{t} z1{t} 5 0 byscore rev limit 0 2
      zrange z2{t} 0 -1 withscores
      zrangestore z2{t} missing{t} 0 -1
      exists z2{t}
      zadd z2{t} 1 a
      zrangestore z2{t} z1{t} 5 6
      exists z2{t}
      zrangestore z2{t} z1{t} 0 -1 withscores
      zrangestore z2{t} z1{t} 0 -1 limit 1 2
      set foo{t} bar
      zrangestore z2{t} foo{t} 0 -1
      zrangestore z1{t} z1{t} 1 2
      zrange z1{t} 0 -1 withscores
    `),
  );
});

test("score formatting: -0, inf, large and tiny doubles, hex input", async () => {
  for (const enc of ["listpack", "skiplist"] as const) {
    await both(["flushall"]);
    await encoding(enc);
    await same(
      words(`
        zadd z -0 negzero 1e17 big 123456789.123456789 frac 0.1 tenth 1e-310 tiny 0x1p3 hex +inf pinf -inf ninf 3.0000000000000004 near
        zscore z negzero
        zscore z big
        zscore z frac
        zscore z tiny
        zrange z 0 -1 withscores
        zincrby z 0.2 tenth
        zadd z 179769313486231570814527423731704356798070567525844996598917476803157260780028538760589558632766878171540458953514382464234321326889464182768467546703537516986049910576551282076245490090389328944075868508455133942304583236903222948165808559332123348274797826204144723168738177180919299881250404026184124858368.00000000000000000 dblmax
        zscore z dblmax
      `),
    );
    // ZSCAN prints scores as the encoding keeps them; a skiplist's order is its own.
    const scan = async (r: Redis) => {
      const [cursor, items] = (await run(r, ["zscan", "z", "0", "count", "100"])) as [string, string[]];
      const pairs: string[] = [];
      for (let i = 0; i < items.length; i += 2) pairs.push(`${items[i]}=${items[i + 1]}`);
      return [cursor, pairs.sort()];
    };
    if (b) expect(await scan(a)).toEqual(await scan(b));
  }
  await encoding("listpack");
});

test("random doubles of every magnitude print as Redis's %.17g", async () => {
  await both(["flushall"]);
  const add: Arg[] = ["zadd", "d"];
  const names: Arg[] = ["zmscore", "d"];
  let seed = 99;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x80000000;
  };
  for (let i = 0; i < 400; i++) {
    const v = (rnd() - 0.5) * 10 ** Math.floor(rnd() * 60 - 30);
    add.push(String(v), `m${i}`);
    names.push(`m${i}`);
  }
  add.push("0.00005", "small", "1e-5", "smaller", "123e-7", "mixed");
  names.push("small", "smaller", "mixed");
  await same([add, names, ["zrange", "d", "0", "-1", "withscores"]]);
});

test("binary members keep byte order and round-trip exactly", async () => {
  await both(["flushall"]);
  const members = [Buffer.from([0x80]), Buffer.from([0x9f, 0x00]), Buffer.from([0xff]), Buffer.from("a"), Buffer.from([0x7f]), Buffer.from([0xc3, 0xa9]), Buffer.from([])];
  for (const enc of ["listpack", "skiplist"] as const) {
    await encoding(enc);
    await both(["del", "bin"]);
    for (const m of members) await both(["zadd", "bin", "0", m]);
    await same([
      ["zrange", "bin", "0", "-1"],
      ["zrangebylex", "bin", Buffer.concat([Buffer.from("["), Buffer.from([0x80])]), "+"],
      ["zscore", "bin", Buffer.from([0x9f, 0x00])],
      ["zrank", "bin", Buffer.from([0xff])],
      ["zrem", "bin", Buffer.from([0x80])],
      ["zrange", "bin", "0", "-1"],
    ]);
  }
  await encoding("listpack");
});

test("ZRANDMEMBER shapes and errors", async () => {
  await both(["flushall"]);
  await both(["zadd", "z", "1", "a", "2", "b", "3", "c"]);
  await same(
    words(`
      zrandmember nokey
      zrandmember nokey 5
      zrandmember z 0
      zrandmember z 5 withscores
      zrandmember z -9223372036854775808
      zrandmember z -9223372036854770000 withscores
      zrandmember z 1 foo
      zrandmember z 1 withscores extra
      zrandmember z x
    `),
  );
  const all = new Set(["a", "b", "c"]);
  for (const count of ["1", "2", "-10"]) {
    const r = (await run(a, ["zrandmember", "z", count])) as string[];
    expect(r.length).toBe(Math.abs(Number(count)));
    for (const m of r) expect(all.has(m)).toBe(true);
  }
  const big = ["zadd", "big"];
  for (let i = 0; i < 300; i++) big.push(String(i), `m${i}`);
  await both(big);
  for (const count of [5, 150, 299]) {
    const r = (await run(a, ["zrandmember", "big", String(count), "withscores"])) as string[];
    expect(r.length).toBe(count * 2);
    expect(new Set(r.filter((_, i) => i % 2 === 0)).size).toBe(count);
    for (let i = 0; i < r.length; i += 2) expect(r[i]).toBe(`m${r[i + 1]}`);
  }
});

test("ZSCAN walks every member of both encodings", async () => {
  await both(["flushall"]);
  await same(words(`
    zscan nokey 0
    zadd z 1 a 2 b
    zscan z 0 match a*
    zscan z 0 count 0
    zscan z 0 type string
    zscan z x
  `));
  const big = ["zadd", "big"];
  for (let i = 0; i < 500; i++) big.push(String(i / 7), `member:${i}`);
  await run(a, big);
  const seen = new Map<string, string>();
  let cursor = "0";
  do {
    const [next, items] = (await run(a, ["zscan", "big", cursor, "count", "37"])) as [string, string[]];
    for (let i = 0; i < items.length; i += 2) seen.set(items[i], items[i + 1]);
    cursor = next;
  } while (cursor !== "0");
  expect(seen.size).toBe(500);
  expect(seen.get("member:7")).toBe("1");
});

/** One connection speaking `proto`: send commands one by one, return each raw reply. */
async function rawReplies(port: number, proto: 2 | 3, cmds: string[][]): Promise<string[]> {
  const s = connect(port, "127.0.0.1");
  await new Promise<void>((res) => s.once("connect", () => res()));
  let buf = Buffer.alloc(0);
  const replies: string[] = [];
  for (const cmd of [["hello", String(proto)], ...cmds]) {
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

test("RESP2 and RESP3 reply shapes are byte-identical", async () => {
  const cmds = words(`
    flushall
    zadd z 1 a 2.5 b -0 c
    zadd z incr 1 a
    zadd z xx incr 1 nosuch
    zscore z b
    zscore z c
    zscore z nosuch
    zmscore z a nosuch
    zrange z 0 -1 withscores
    zrange z 0 -1
    zrevrangebyscore z +inf -inf withscores
    zunion 1 z withscores
    zinter 1 z withscores
    zdiff 1 z withscores
    zrandmember z 3 withscores
    zrandmember nokey
    zrandmember nokey 3
    zrank z nosuch
    zpopmin z
    zpopmax z 1
    zpopmin nokey
    zmpop 1 z min
    zmpop 1 z min
    bzpopmin nokey 0.01
    bzmpop 0.01 1 nokey max
    zadd z 1 a 2 b
    bzpopmax z 0
    bzmpop 0 1 z min count 5
  `);
  for (const proto of [2, 3] as const) {
    const got = await rawReplies(ts.port, proto, cmds);
    expect(got.length).toBe(cmds.length);
    if (ref) expect(got).toEqual(await rawReplies(ref.port, proto, cmds));
  }
});

/** Send a command on its own connection without waiting; resolves with the raw reply. */
function deferred(port: number, cmd: string[]): { reply: Promise<string>; close: () => void } {
  const s = connect(port, "127.0.0.1");
  let buf = Buffer.alloc(0);
  const reply = new Promise<string>((res) => {
    s.on("data", (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      try {
        const end = replyEnd(buf);
        if (end > 0 && end <= buf.length) res(buf.subarray(0, end).toString("latin1"));
      } catch {
        // incomplete reply: wait for more
      }
    });
  });
  s.write(`*${cmd.length}\r\n` + cmd.map((x) => `$${Buffer.byteLength(x)}\r\n${x}\r\n`).join(""));
  return { reply, close: () => s.destroy() };
}

/** Wait until the server reports n blocked clients. */
async function blocked(r: Redis, n: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const info = await r.info("clients");
    if (new RegExp(`blocked_clients:${n}\\b`).test(info)) return;
    await Bun.sleep(10);
  }
  throw new Error(`never saw ${n} blocked clients`);
}

test("BZPOPMIN/BZMPOP block, wake in FIFO order, time out and never block in MULTI", async () => {
  const scenario = async (srv: RunningServer): Promise<string[]> => {
    const r = srv.client();
    await r.flushall();
    const out: string[] = [];
    const w1 = deferred(srv.port, ["bzpopmin", "z1", "z2", "0"]);
    await blocked(r, 1);
    const w2 = deferred(srv.port, ["bzmpop", "0", "2", "z1", "z2", "max", "count", "10"]);
    await blocked(r, 2);
    const w3 = deferred(srv.port, ["bzpopmax", "z2", "0"]);
    await blocked(r, 3);
    await r.zadd("z2", 1, "a", 2, "b", 3, "c");
    out.push(await w1.reply, await w2.reply);
    await r.zadd("z2", 9, "late");
    out.push(await w3.reply);
    const t0 = Date.now();
    const w4 = deferred(srv.port, ["bzpopmin", "nokey", "0.2"]);
    out.push(await w4.reply);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(150);
    const m = await r.multi().bzpopmin("nokey", 0).call("bzmpop", "0", "1", "nokey", "min").exec();
    out.push(JSON.stringify(m));
    // Keys that only look like arguments never wake the client.
    const w5 = deferred(srv.port, ["bzmpop", "0", "1", "zz", "min", "count", "10"]);
    await blocked(r, 1);
    await r.zadd("min", 1, "x");
    await r.zadd("count", 1, "x");
    await r.zadd("zz", 1, "x");
    out.push(await w5.reply);
    // A key that is set and deleted in one transaction does not wake it either.
    const w6 = deferred(srv.port, ["bzpopmin", "zq", "0"]);
    await blocked(r, 1);
    await r.multi().zadd("zq", 0, "foo").del("zq").exec();
    await r.zadd("zq", 1, "bar");
    out.push(await w6.reply);
    await both(["del", "zq"]);
    for (const w of [w1, w2, w3, w4, w5, w6]) w.close();
    return out;
  };
  const got = await scenario(ts);
  expect(got[0]).toBe("*3\r\n$2\r\nz2\r\n$1\r\na\r\n$1\r\n1\r\n");
  if (ref) expect(got).toEqual(await scenario(ref));
});

test("blocking pop errors", async () => {
  await both(["flushall"]);
  await same(
    words(`
      bzpopmin z x
      bzpopmin z -1
      bzpopmin z inf
      bzpopmin z 1e20
      bzmpop 0 0 z min
      bzmpop 0 1 z bad
      bzmpop 0 1 z min count -1
      bzmpop x 1 z min
      set str v
      bzpopmin str 0
      bzmpop 0 1 str min
    `),
  );
});

test("keyspace notifications of every write", async () => {
  const script = async (r: Redis) => {
    await r.flushall();
    for (const cmd of words(`
      zadd z 1 a 2 b 3 c 4 d 5 e 6 f
      zadd z 1 a
      zincrby z 1 a
      zrem z nosuch
      zrem z a
      zremrangebyscore z 0 2
      zremrangebyrank z 0 0
      zremrangebylex z - +
      zadd z 1 a 2 b 3 c
      zpopmin z
      zpopmax z
      zmpop 1 z min
      zadd za{t} 1 a
      zunionstore d{t} 1 za{t}
      zinterstore d{t} 1 za{t}
      zdiffstore d{t} 1 za{t}
      zrangestore d{t} za{t} 0 -1
      zinterstore d{t} 2 za{t} nokey{t}
      zscore nokey a
      zrange nokey 0 -1
    `)) {
      await r.call(cmd[0], ...cmd.slice(1)).catch(() => null);
    }
  };
  const got = await notifications(ts, script);
  expect(got).toContain("__keyevent@0__:zrangestore d{t}");
  if (ref) expect(got).toEqual(await notifications(ref, script));
});

test("random operations give the same sets as redis-server in both encodings", async () => {
  if (!b) return;
  let seed = 12345;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  for (const enc of ["listpack", "skiplist"] as const) {
    await both(["flushall"]);
    await encoding(enc);
    const cmds: Arg[][] = [];
    for (let i = 0; i < 1500; i++) {
      const m = `m${rnd(60)}`;
      const s = String(rnd(20) - 10 + (rnd(2) ? 0.5 : 0));
      switch (rnd(12)) {
        case 0:
        case 1:
        case 2:
          cmds.push(["zadd", "z", s, m]);
          break;
        case 3:
          cmds.push(["zincrby", "z", s, m]);
          break;
        case 4:
          cmds.push(["zrem", "z", m]);
          break;
        case 5:
          cmds.push(["zrank", "z", m]);
          break;
        case 6:
          cmds.push(["zrange", "z", String(rnd(30) - 15), String(rnd(30) - 15), "withscores"]);
          break;
        case 7:
          cmds.push(["zrangebyscore", "z", `(${rnd(20) - 10}`, String(rnd(20) - 5), "limit", String(rnd(5)), String(rnd(8) - 1)]);
          break;
        case 8:
          cmds.push(["zcount", "z", String(rnd(20) - 10), `(${rnd(20) - 5}`]);
          break;
        case 9:
          cmds.push(["zrevrangebyscore", "z", String(rnd(20) - 5), "-inf", "withscores", "limit", "1", "5"]);
          break;
        case 10:
          cmds.push(["zremrangebyscore", "z", String(rnd(20) - 10), String(rnd(4) - 10)]);
          break;
        default:
          cmds.push(["zrevrank", "z", m]);
      }
    }
    cmds.push(["zrange", "z", "0", "-1", "withscores"], ["object", "encoding", "z"]);
    await same(cmds);
  }
  await encoding("listpack");
});

test("lex ranges over random members match redis-server", async () => {
  if (!b) return;
  let seed = 777;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const word = () => {
    let s = "";
    for (let i = rnd(6); i > 0; i--) s += String.fromCharCode(97 + rnd(5));
    return s;
  };
  for (const enc of ["listpack", "skiplist"] as const) {
    await both(["flushall"]);
    await encoding(enc);
    const add: Arg[] = ["zadd", "lex"];
    for (let i = 0; i < 100; i++) add.push("0", word());
    await both(add);
    const cmds: Arg[][] = [];
    const bound = () => (rnd(10) === 0 ? (rnd(2) ? "-" : "+") : (rnd(2) ? "[" : "(") + word());
    for (let i = 0; i < 150; i++) {
      const cmd = ["zrangebylex", "zrevrangebylex", "zlexcount", "zremrangebylex"][rnd(4)];
      cmds.push([cmd, "lex", bound(), bound()]);
    }
    cmds.push(["zrange", "lex", "0", "-1"]);
    await same(cmds);
  }
  await encoding("listpack");
});

test("COPY, TYPE, OBJECT ENCODING and DEL on sorted sets", async () => {
  await both(["flushall"]);
  await same(
    words(`
      zadd z 1 a 2 b
      type z
      copy z z2
      zadd z2 3 c
      zrange z 0 -1
      zrange z2 0 -1
      object encoding z2
      del z z2
      exists z
    `),
  );
});
