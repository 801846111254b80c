// `npm run bench`: tsredis vs redis-server, side by side on this machine.
//
// Throughput (redis-benchmark, servers in alternation, median over ROUNDS), server CPU per
// request, GET latency, memory per key, then in-process micro-benchmarks, and finally a
// markdown summary to paste into the README. Options come from the environment:
//   ROUNDS (3)  N_PLAIN (100000)  N_PIPE (1000000)  MEM_KEYS (1000000)  SKIP_MEM=1
//   SKIP_MICRO=1  WORKLOADS=SET,GET_P16,...  TSREDIS_ARGS="--shards 2"
//   TSREDIS_BIN (./tsredis; a redis-server path benchmarks redis against itself)
//   BENCH_PORTS=lo-hi (search free ports in this range instead of ephemeral ones)

import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { installCleanup, run, runVisible } from "./proc.ts";
import { isAlive, logTail, pickPorts, startServer, stopServer, type Server, type ServerSpec } from "./servers.ts";
import { allWorkloads, runWorkload, selectWorkloads, type Sample, type Workload } from "./loadgen.ts";
import { measureMemory, type MemResult } from "./memory.ts";
import { fmt, geomean, markdownTable, median, textTable, type Table } from "./report.ts";
import { runMicro } from "./micro.ts";

const ROOT = resolve(import.meta.dir, "..");
const DEFAULT_BIN = join(ROOT, "tsredis");

interface Config {
  rounds: number;
  nPlain: number;
  nPipe: number;
  memKeys: number;
  skipMem: boolean;
  skipMicro: boolean;
  workloads: Workload[];
  ts: ServerSpec;
  redis: ServerSpec;
}

function envInt(name: string, dflt: number): number {
  const v = process.env[name];
  if (v === undefined || v === "") return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got ${v}`);
  return n;
}

/** A bare name is looked up on PATH (TSREDIS_BIN=redis-server), anything else is a path. */
function binPath(v: string): string {
  return v.includes("/") ? resolve(v) : (Bun.which(v) ?? v);
}

function readConfig(): Config {
  const nPlain = envInt("N_PLAIN", 100_000);
  const nPipe = envInt("N_PIPE", 1_000_000);
  return {
    rounds: envInt("ROUNDS", 3),
    nPlain,
    nPipe,
    memKeys: envInt("MEM_KEYS", 1_000_000),
    skipMem: process.env.SKIP_MEM === "1",
    skipMicro: process.env.SKIP_MICRO === "1",
    workloads: selectWorkloads(allWorkloads(nPlain, nPipe), process.env.WORKLOADS),
    ts: {
      label: "tsredis",
      bin: binPath(process.env.TSREDIS_BIN || DEFAULT_BIN),
      extra: (process.env.TSREDIS_ARGS ?? "").split(/\s+/).filter(Boolean),
    },
    redis: { label: "redis", bin: "redis-server", extra: [] },
  };
}

// ---- set-up ------------------------------------------------------------------------

/** Install redis-server/redis-benchmark/redis-cli from Debian if any is missing. */
async function ensureTools(): Promise<void> {
  const missing = ["redis-server", "redis-benchmark", "redis-cli"].filter((t) => !Bun.which(t));
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) throw new Error(`missing ${missing.join(", ")}: install redis-server and redis-tools (needs root)`);
  console.log(`Installing ${missing.join(", ")} ...`);
  const install = ["apt-get", "install", "-y", "redis-server", "redis-tools"];
  const env = { DEBIAN_FRONTEND: "noninteractive" };
  try {
    await runVisible(install, { env });
  } catch {
    // A fresh machine has no package lists yet.
    await runVisible(["apt-get", "update"], { env });
    await runVisible(install, { env });
  }
}

function newestMtime(dir: string): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const f of readdirSync(dir, { recursive: true }) as string[]) {
    newest = Math.max(newest, statSync(join(dir, f)).mtimeMs);
  }
  return newest;
}

/** Rebuild ./tsredis when it is missing or older than its sources (only for the default binary). */
async function ensureBinary(bin: string): Promise<void> {
  if (bin !== DEFAULT_BIN) {
    if (!existsSync(bin)) throw new Error(`TSREDIS_BIN ${bin} does not exist`);
    return;
  }
  const built = existsSync(bin) ? statSync(bin).mtimeMs : 0;
  const sources = Math.max(newestMtime(join(ROOT, "src")), newestMtime(join(ROOT, "workers")));
  if (built > sources) return;
  console.log(built ? "tsredis is older than its sources: rebuilding" : "building tsredis");
  await runVisible([process.execPath, "build.ts"], { cwd: ROOT });
  if (!existsSync(bin)) throw new Error(`bun build.ts did not produce ${bin}`);
}

async function startPair(cfg: Config): Promise<[Server, Server]> {
  const [p1, p2] = await pickPorts(2);
  const ts = await startServer(cfg.ts, p1);
  const redis = await startServer(cfg.redis, p2);
  return [ts, redis];
}

// ---- throughput --------------------------------------------------------------------

interface Cell {
  samples: Sample[];
  /** First failure; the cell is NA from then on. */
  error?: string;
}
type Results = Map<string, Cell[]>; // workload id → [tsredis, redis]

/** A server that died mid-run is restarted on its port so later workloads still run. */
async function revive(servers: Server[], i: number): Promise<void> {
  const s = servers[i];
  if (isAlive(s)) return;
  console.log(`  ${s.spec.label} died (exit ${s.proc.exitCode ?? s.proc.signalCode}); restarting. Log tail:\n${logTail(s, 10)}`);
  await stopServer(s); // reaps its temp dir
  servers[i] = await startServer(s.spec, s.port);
}

/**
 * Every workload runs on both servers back to back, the order flipping each round, so
 * that drift in machine load (other tenants, thermal) hits both sides alike.
 */
async function throughput(cfg: Config, servers: Server[]): Promise<Results> {
  const results: Results = new Map(cfg.workloads.map((w) => [w.id, [{ samples: [] }, { samples: [] }]]));
  for (let round = 0; round < cfg.rounds; round++) {
    console.log(`\nRound ${round + 1}/${cfg.rounds}`);
    const order = round % 2 === 0 ? [0, 1] : [1, 0];
    for (const w of cfg.workloads) {
      const parts: string[] = [];
      for (const i of order) {
        const cell = results.get(w.id)![i];
        const label = servers[i].spec.label;
        if (cell.error) {
          parts.push(`${label} NA`);
          continue;
        }
        try {
          await revive(servers, i);
          const s = await runWorkload(servers[i], w);
          cell.samples.push(s);
          parts.push(`${label} ${fmt(s.rps)} ops/s ${fmt(s.cpuUsPerReq, 2)} µs/req`);
        } catch (e) {
          cell.error = (e as Error).message;
          parts.push(`${label} NA (${cell.error})`);
        }
      }
      console.log(`  ${w.id.padEnd(10)} ${parts.join("  |  ")}`);
    }
  }
  return results;
}

/** Median ops/s of a cell, NaN if it failed or has no samples. */
function med(cell: Cell, pick: (s: Sample) => number): number {
  return cell.error ? NaN : median(cell.samples.map(pick));
}

function throughputTable(results: Results): Table {
  const rows = [...results].map(([id, [ts, redis]]) => {
    const a = med(ts, (s) => s.rps);
    const b = med(redis, (s) => s.rps);
    return [id, fmt(a), fmt(b), fmt(a / b, 2), fmt(med(ts, (s) => s.cpuUsPerReq), 2), fmt(med(redis, (s) => s.cpuUsPerReq), 2)];
  });
  return { head: ["workload", "tsredis ops/s", "redis ops/s", "ratio", "tsredis CPU µs/req", "redis CPU µs/req"], rows };
}

function latencyTable(results: Results): Table {
  const rows = ["GET", "GET_P16"]
    .filter((id) => results.has(id))
    .map((id) => {
      const [ts, redis] = results.get(id)!;
      return [id, ...[ts, redis].flatMap((c) => [fmt(med(c, (s) => s.p50), 3), fmt(med(c, (s) => s.p99), 3)])];
    });
  return { head: ["latency (ms)", "tsredis p50", "tsredis p99", "redis p50", "redis p99"], rows };
}

function geomeanRatio(results: Results): number {
  return geomean([...results.values()].map(([ts, redis]) => med(ts, (s) => s.rps) / med(redis, (s) => s.rps)));
}

function failures(results: Results): string[] {
  const out: string[] = [];
  for (const [id, cells] of results) {
    cells.forEach((c, i) => c.error && out.push(`${id} on ${i === 0 ? "tsredis" : "redis"}: ${c.error}`));
  }
  return out;
}

// ---- memory ------------------------------------------------------------------------

type MemOutcome = MemResult | { error: string };

async function memory(cfg: Config): Promise<MemOutcome[]> {
  const servers = await startPair(cfg);
  try {
    const out: MemOutcome[] = [];
    for (const s of servers) {
      console.log(`  loading ${fmt(cfg.memKeys)} keys into ${s.spec.label} ...`);
      out.push(await measureMemory(s, cfg.memKeys).catch((e: Error) => ({ error: e.message })));
    }
    return out;
  } finally {
    await Promise.all(servers.map(stopServer));
  }
}

function memoryTable(mem: MemOutcome[]): Table {
  const mb = (b: number) => fmt(b / 1048576, 1);
  const rows = mem.map((m, i) => {
    const label = i === 0 ? "tsredis" : "redis";
    if ("error" in m) return [label, "NA", "NA", "NA"];
    return [label, mb(m.rssBefore), mb(m.rssAfter), fmt(m.bytesPerKey, 1)];
  });
  const per = mem.map((m) => ("error" in m ? NaN : m.bytesPerKey));
  rows.push(["ratio", "", "", fmt(per[0] / per[1], 2)]);
  return { head: ["memory", "RSS before MB", "RSS after MB", "bytes/key"], rows };
}

// ---- main --------------------------------------------------------------------------

/** One line describing the host, for the summary. */
async function machine(): Promise<{ nproc: string; desc: string }> {
  const nproc = (await run(["nproc"], { timeoutMs: 5_000 })).stdout.trim();
  const cpu = readFileSync("/proc/cpuinfo", "utf8").match(/^model name\s*:\s*(.+)$/m)?.[1] ?? "unknown CPU";
  const redisVersion = (await run(["redis-server", "--version"], { timeoutMs: 5_000 })).stdout.match(/v=(\S+)/)?.[1] ?? "?";
  return { nproc, desc: `nproc ${nproc}, ${cpu}, redis-server ${redisVersion}` };
}

function section(title: string, body: string): void {
  console.log(`\n== ${title} ==\n${body}`);
}

async function main(): Promise<void> {
  installCleanup();
  const cfg = readConfig();
  await ensureTools();
  await ensureBinary(cfg.ts.bin);
  const host = await machine();
  const summary: string[] = [];
  const params = `-c 50 -r 100000, ROUNDS=${cfg.rounds} N_PLAIN=${cfg.nPlain} N_PIPE=${cfg.nPipe}`;
  const flags = cfg.ts.extra.length ? `; tsredis ${cfg.ts.extra.join(" ")}` : "";
  console.log(`tsredis: ${cfg.ts.bin}${flags}\n${host.desc}`);

  if (cfg.workloads.length > 0) {
    const servers = await startPair(cfg);
    console.log(`tsredis on ${servers[0].port}, redis on ${servers[1].port}`);
    let results: Results;
    try {
      results = await throughput(cfg, servers);
    } finally {
      await Promise.all(servers.map(stopServer));
    }
    const tp = throughputTable(results);
    const lat = latencyTable(results);
    const gm = `geomean ratio tsredis/redis ops/s: ${fmt(geomeanRatio(results), 2)}`;
    const failed = failures(results);
    section("Throughput (median of rounds)", textTable(tp) + (failed.length ? `\nNA:\n  ${failed.join("\n  ")}` : ""));
    if (lat.rows.length) section("GET latency (median of rounds)", textTable(lat));
    console.log(`\n${gm}`);
    summary.push(`Throughput, redis-benchmark ${params}, median of rounds:`, "", markdownTable(tp), "");
    if (lat.rows.length) summary.push(markdownTable(lat), "");
    summary.push(gm, "");
  }

  if (!cfg.skipMem) {
    section("Memory", `fresh servers, ${fmt(cfg.memKeys)} x SET key:%06d v%09d via redis-cli --pipe`);
    const mem = await memory(cfg);
    const mt = memoryTable(mem);
    for (const m of mem) if ("error" in m) console.log(`  NA: ${m.error}`);
    console.log(textTable(mt));
    summary.push(`RSS growth for ${fmt(cfg.memKeys)} small string keys:`, "", markdownTable(mt), "");
  }

  if (!cfg.skipMicro) {
    section("Micro-benchmarks (tinybench)", "");
    summary.push("In-process micro-benchmarks (tinybench):", "", markdownTable(await runMicro()), "");
  }

  section("Summary (markdown)", `${host.desc}${flags}\n\n${summary.join("\n")}`);
  console.log(`nproc: ${host.nproc}`);
}

main().then(
  () => process.exit(0),
  (e: Error) => {
    console.error(`bench failed: ${e.stack ?? e.message}`);
    process.exit(1);
  },
);
