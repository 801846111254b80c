// In-process micro-benchmarks of the hot paths: RESP parsing, reply encoding, keyspace.
// Run alone with `bun bench/micro.ts`; bench/run.ts also calls runMicro().

import { Bench } from "tinybench";
import { RequestParser } from "../src/resp/parser.ts";
import { ReplyWriter } from "../src/resp/writer.ts";
import { Db } from "../src/keyspace/db.ts";
import { fmt, textTable, type Table } from "./report.ts";

const enc = new TextEncoder();
const PIPELINE = 16;
const KEYS = 100_000;

function resp(...args: string[]): string {
  return `*${args.length}\r\n` + args.map((a) => `$${enc.encode(a).length}\r\n${a}\r\n`).join("");
}

/**
 * Each task does a batch of operations per iteration: tinybench's own per-iteration
 * overhead (two clock reads) would otherwise dwarf a ~100 ns operation. `ops` is the
 * batch size, used to derive per-operation figures.
 */
interface Task {
  name: string;
  ops: number;
  fn: () => void;
}

function parserTask(): Task {
  const parser = new RequestParser({ maxBulk: 512 * 1024 * 1024, maxQuery: 1024 * 1024 * 1024 });
  const chunk = enc.encode(Array.from({ length: PIPELINE }, (_, i) => resp("SET", `key:${i}`, "value")).join(""));
  let seen = 0;
  const sink = (argv: Uint8Array[]) => {
    seen += argv.length;
  };
  return {
    name: `parser: ${PIPELINE} pipelined SETs`,
    ops: PIPELINE,
    fn: () => {
      parser.feed(chunk, sink);
      if (seen < 0) throw new Error("unreachable");
    },
  };
}

function writerTask(): Task {
  const w = new ReplyWriter();
  const val = enc.encode("value-of-some-20-by");
  return {
    name: `writer: ${PIPELINE}x (ok+bulk+int)`,
    ops: PIPELINE,
    fn: () => {
      for (let i = 0; i < PIPELINE; i++) {
        w.ok();
        w.bulk(val);
        w.int(i * 1000);
      }
      w.reset();
    },
  };
}

function dbTasks(): Task[] {
  const keys = Array.from({ length: KEYS }, (_, i) => enc.encode(`key:${String(i).padStart(6, "0")}`));
  const val = enc.encode("v000000001");
  const db = new Db(0);
  for (const k of keys) db.setStr(k, val);
  let bytes = 0;
  return [
    {
      name: `db: SET ${KEYS / 1000}k new keys (fresh Db)`,
      ops: KEYS,
      fn: () => {
        const fresh = new Db(0);
        for (const k of keys) fresh.setStr(k, val);
      },
    },
    {
      name: `db: SET ${KEYS / 1000}k existing keys`,
      ops: KEYS,
      fn: () => {
        for (const k of keys) db.setStr(k, val);
      },
    },
    {
      name: `db: GET ${KEYS / 1000}k keys`,
      ops: KEYS,
      fn: () => {
        for (const k of keys) {
          const a = db.lookup(k);
          if (a !== 0) bytes += db.str(a).length;
        }
        if (bytes < 0) throw new Error("unreachable");
      },
    },
  ];
}

/** Run all micro-benchmarks, print tinybench's table and a per-operation table; return the latter. */
export async function runMicro(): Promise<Table> {
  const tasks = [parserTask(), writerTask(), ...dbTasks()];
  const bench = new Bench({ time: 1000, warmupTime: 200 });
  for (const t of tasks) bench.add(t.name, t.fn);
  await bench.warmup();
  await bench.run();
  console.table(bench.table());

  const rows = tasks.map((t, i) => {
    const r = bench.tasks[i].result!;
    return [t.name, fmt(r.hz * t.ops), fmt((r.mean * 1e6) / t.ops, 1)];
  });
  const table: Table = { head: ["micro-benchmark", "ops/s (per op)", "ns/op"], rows };
  console.log("\nPer operation:\n" + textTable(table));
  return table;
}

if (import.meta.main) await runMicro();
