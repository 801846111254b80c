// GEO commands (src/commands/geo.ts, src/types/geohash.ts) side by side with the real
// redis-server: geohash scores, printed coordinates and distances, search results and
// their order, STORE variants, errors and RESP3 shapes must be identical.

import { test, expect, beforeAll, afterAll } from "bun:test";
import { connect } from "node:net";
import type Redis from "ioredis";
import type { RunningServer } from "./helpers/server.ts";
import { type Arg, onBoth, run, sameReplies, startPair, stopPair, words } from "./helpers/compare.ts";
import { replyEnd } from "../src/resp/reply.ts";

let ts: RunningServer;
let ref: RunningServer | null;
let a: Redis;
let b: Redis | null;

beforeAll(async () => ({ ts, ref, a, b } = await startPair()));
afterAll(() => stopPair(ts, ref));

const same = (cmds: Arg[][]) => sameReplies(a, b, cmds);

const both = (cmd: Arg[]) => onBoth(a, b, cmd);

test("GEOADD options, scores, GEOPOS, GEODIST, GEOHASH", async () => {
  await both(["flushall"]);
  await same(
    words(`
      geoadd nyc -73.9454966 40.747533 lic_market
      geoadd nyc -73.9454966 40.747533 lic_market
      geoadd nyc ch 40.747533 -73.9454966 lic_market
      geoadd nyc nx -73.9454966 40.747533 lic_market
      geoadd nyc xx -83.9454966 40.747533 lic_market
      geoadd nyc ch xx -73.9454966 40.747533 lic_market
      geoadd nyc xx nx -73.9454966 40.747533 lic_market
      geoadd nyc ch xx foo -73.9454966 40.747533 lic_market
      geoadd nyc -73.9454966 40.747533 a foo bar b
      geoadd nyc 200 10 a
      geoadd nyc 10 85.06 a
      geoadd nyc -73.9733487 40.7648057 central_park -73.9903085 40.7362513 union_square -74.0131604 40.7126674 wtc_one -73.7858139 40.6428986 jfk -73.9375699 40.7498929 q4 -73.9564142 40.7480973 4545
      zrange nyc 0 -1 withscores
      geoadd edges 180 85.05112878 ne -180 -85.05112878 sw 0 0 zero -0.0000001 0.0000001 tiny
      zrange edges 0 -1 withscores
      geopos edges ne sw zero tiny nosuch
      geohash edges ne sw zero tiny nosuch
      geopos nyc central_park
      geopos nokey a
      geohash nokey a
      geodist nyc central_park jfk
      geodist nyc central_park jfk km
      geodist nyc central_park jfk mi
      geodist nyc central_park jfk ft
      geodist nyc central_park central_park
      geodist nyc central_park nosuch
      geodist nokey a b
      geodist nyc central_park jfk furlong
      geodist nyc central_park jfk km extra
      zadd odd -5 neg 1e30 huge 1.5 frac 4611686018427387904 big
      geopos odd neg huge frac big
      geohash odd neg huge frac big
      geoadd points -5.6 42.6 test
      geohash points test
      set str v
      geoadd str 1 1 a
      geopos str a
      geodist str a b
      geohash str a
    `),
  );
});

test("searches: GEORADIUS, GEORADIUSBYMEMBER, GEOSEARCH with every option", async () => {
  await both(["flushall"]);
  await both(["geoadd", "nyc", "-73.9454966", "40.747533", "lic market", "-73.9733487", "40.7648057", "central park n/q/r", "-73.9903085", "40.7362513", "union square", "-74.0131604", "40.7126674", "wtc one", "-73.7858139", "40.6428986", "jfk", "-73.9375699", "40.7498929", "q4", "-73.9564142", "40.7480973", "4545"]);
  const lines = `
    georadius nyc -73.9798091 40.7598464 3 km asc
    georadius nyc -73.9798091 40.7598464 3 km withdist withcoord withhash asc
    georadius nyc -73.9798091 40.7598464 10 km COUNT 3
    georadius nyc -73.9798091 40.7598464 10 km COUNT 3 ANY
    georadius nyc -73.9798091 40.7598464 10 km COUNT 3 ANY ASC
    georadius nyc -73.9798091 40.7598464 10 km COUNT 2 DESC withdist
    georadius nyc -73.9798091 40.7598464 10 km ANY ASC
    georadius nyc -73.9798091 40.7598464 10 km COUNT
    georadius nyc -73.9798091 40.7598464 10 km COUNT 0
    georadius nyc -73.9798091 40.7598464 10 km COUNT x
    georadius nyc -73.9798091 40.7598464 -1 km
    georadius nyc -73.9798091 40.7598464 x km
    georadius nyc -73.9798091 40.7598464 10 parsec
    georadius nyc -73.9798091 100 10 km
    georadius_ro nyc -73.9798091 40.7598464 10 km store x
    georadiusbymember nyc wtc_one 7 km
    georadiusbymember nyc nosuch 7 km
    georadiusbymember_ro nyc 4545 7 km withdist desc
    georadiusbymember nokey nosuch x y
    geosearch nyc fromlonlat -73.9798091 40.7598464 bybox 6 6 km asc
    geosearch nyc fromlonlat -73.9798091 40.7598464 bybox 6 6 km withdist withhash withcoord asc
    geosearch nyc frommember 4545 bybox 14 14 km
    geosearch nyc frommember 4545 byradius 5000 m desc count 2
    geosearch nyc fromlonlat -73.9798091 40.7598464 frommember 4545 bybox 6 6 km
    geosearch nyc bybox 3 3 km asc desc withhash withdist withcoord
    geosearch nyc fromlonlat -73.9798091 40.7598464 byradius 3 km bybox 3 3 km asc
    geosearch nyc fromlonlat -73.9798091 40.7598464 asc desc withhash withdist withcoord
    geosearch nyc fromlonlat -73.9798091 40.7598464 bybox 6 6 km asc storedist
    geosearch nyc fromlonlat -73.9798091 40.7598464 bybox 6 -6 km
    geosearch nyc fromlonlat -73.9798091 40.7598464 bybox 6 x km
    geosearch nyc frommember nosuch bybox 6 6 km
    GeoSearch nyc bybox 6 6 km
    geosearch nokey frommember nosuch bybox 6 6 km
    geosearch nokey fromlonlat 0 0 byradius 1 km
  `;
  await same(words(lines));
});

test("STORE and STOREDIST variants", async () => {
  await both(["flushall"]);
  await same(
    words(`
      geoadd points{t} 13.361389 38.115556 Palermo 15.087269 37.502669 Catania
      georadius points{t} 13.361389 38.115556 500 km store dst{t}
      zrange dst{t} 0 -1 withscores
      object encoding dst{t}
      georadius points{t} 13.361389 38.115556 500 km storedist dst{t}
      zrange dst{t} 0 -1 withscores
      georadius points{t} 13.361389 38.115556 500 km storedist dst{t} desc count 1
      zrange dst{t} 0 -1 withscores
      georadiusbymember points{t} Catania 500 km storedist dst{t}
      zrange dst{t} 0 -1 withscores
      geosearchstore dst{t} points{t} fromlonlat 13.361389 38.115556 byradius 500 km
      zrange dst{t} 0 -1 withscores
      geosearchstore dst{t} points{t} fromlonlat 13.361389 38.115556 byradius 500 km storedist
      zrange dst{t} 0 -1 withscores
      geosearchstore dst{t} points{t} fromlonlat 0 0 byradius 1 km
      exists dst{t}
      georadius points{t} 13.361389 38.115556 50 km store
      georadius points{t} 13.361389 38.115556 50 km store dst{t} withdist
      geosearchstore dst{t} points{t} fromlonlat 13.361389 38.115556 byradius 50 km withcoord
      geosearchstore dst{t} points{t} fromlonlat 13.361389 38.115556 byradius 50 km store dst{t}
      set dst{t} x
      georadius nokey{t} 1 1 1 km store dst{t}
      exists dst{t}
    `),
  );
});

/** Deterministic pseudo-random numbers for repeatable fuzzing. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x80000000;
  };
}

test("random points and searches give exactly Redis's results, distances and coordinates", async () => {
  if (!b) return;
  const rnd = rng(4242);
  for (const round of [0, 1]) {
    await both(["flushall"]);
    // Round 1 forces the skiplist encoding for small sets too.
    await both(["config", "set", "zset-max-listpack-entries", round === 0 ? "128" : "0"]);
    const add: Arg[] = ["geoadd", "pts"];
    const n = round === 0 ? 100 : 3000;
    for (let i = 0; i < n; i++) add.push(String(-180 + rnd() * 360), String(-80 + rnd() * 160), `p${i}`);
    await same([add, ["zcard", "pts"]]);
    const cmds: Arg[][] = [];
    for (let i = 0; i < 60; i++) {
      const lon = String(-180 + rnd() * 360);
      const lat = String(-85 + rnd() * 170);
      const shape = rnd() < 0.5 ? ["byradius", String(Math.floor(rnd() * 3000) + 1), "km"] : ["bybox", String(Math.floor(rnd() * 3000) + 1), String(Math.floor(rnd() * 3000) + 1), "km"];
      const opts = ["withdist", "withcoord", "withhash"].filter(() => rnd() < 0.5);
      if (rnd() < 0.5) opts.push(rnd() < 0.5 ? "asc" : "desc");
      if (rnd() < 0.3) opts.push("count", String(Math.floor(rnd() * 10) + 1));
      const from = rnd() < 0.3 ? ["frommember", `p${Math.floor(rnd() * n)}`] : ["fromlonlat", lon, lat];
      cmds.push(["geosearch", "pts", ...from, ...shape, ...opts]);
      if (i % 10 === 0) cmds.push(["geopos", "pts", `p${i}`, `p${i + 1}`], ["geohash", "pts", `p${i}`], ["geodist", "pts", `p${i}`, `p${i + 7}`, "mi"]);
    }
    for (const cmd of cmds) {
      // Unordered results may differ in order only; sort them unless an order was asked.
      const ordered = cmd.some((x) => x === "asc" || x === "desc" || x === "count") || cmd[0] !== "geosearch";
      const got = await run(a, cmd);
      const want = await run(b, cmd);
      const norm = (v: unknown) => (ordered || !Array.isArray(v) ? v : [...v].map((x) => JSON.stringify(x)).sort());
      expect({ cmd: cmd.map(String), reply: norm(got) }).toEqual({ cmd: cmd.map(String), reply: norm(want) });
    }
  }
  await both(["config", "set", "zset-max-listpack-entries", "128"]);
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
    geoadd g 13.361389 38.115556 Palermo 15.087269 37.502669 Catania
    geopos g Palermo nosuch
    geodist g Palermo Catania
    geodist g Palermo nosuch
    geohash g Palermo nosuch
    geosearch g fromlonlat 15 37 byradius 200 km withcoord withdist withhash asc
    georadius g 15 37 200 km store d
    geoadd g 200 100 x
  `);
  for (const proto of [2, 3] as const) {
    const got = await rawReplies(ts.port, proto, cmds);
    expect(got.length).toBe(cmds.length);
    if (ref) expect(got).toEqual(await rawReplies(ref.port, proto, cmds));
  }
});
