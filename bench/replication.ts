// Replication benchmark, tsredis and redis-server on the same machine:
//   - full sync: time from REPLICAOF to master_link_status:up for a master holding N keys
//     (DEBUG POPULATE), for every master/replica pairing of the two servers, with
//     repl-diskless-sync-delay 0 (Redis's default 5 s wait for more replicas left out);
//   - master throughput (redis-benchmark SET, plain and -P 16) with two replicas attached
//     against none.
//
//   bun bench/replication.ts [keys]      (BENCH_PORTS=lo-hi picks ports from a range)

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const KEYS = Number(process.argv[2] ?? 1_000_000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const ROOT = join(import.meta.dir, "..");
const REDIS = Bun.which("redis-server");
const CLI = Bun.which("redis-cli")!;
const BENCH = Bun.which("redis-benchmark")!;
const [portLo] = (process.env.BENCH_PORTS ?? "25840-25849").split("-").map(Number);

type Kind = "tsredis" | "redis-server";

function cli(port: number, ...args: string[]): string {
  return Bun.spawnSync([CLI, "-p", String(port), ...args]).stdout.toString().trim();
}

function field(port: number, name: string): string {
  return cli(port, "info", "replication").match(new RegExp(`${name}:(.*)`))?.[1]?.trim() ?? "";
}

const dirs: string[] = [];

async function start(kind: Kind, port: number, extra: string[] = []): Promise<ReturnType<typeof Bun.spawn>> {
  const dir = mkdtempSync(join(tmpdir(), "bench-repl-"));
  dirs.push(dir);
  const common = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--dir", dir, "--enable-debug-command", "yes", "--repl-diskless-sync-delay", "0", ...extra];
  const cmd = kind === "redis-server" ? [REDIS!, ...common, "--daemonize", "no"] : [join(ROOT, "tsredis"), ...common, "--admin-port", "0"];
  const proc = Bun.spawn(cmd, { cwd: dir, stdout: "ignore", stderr: "ignore" });
  for (let i = 0; i < 400; i++) {
    if (cli(port, "ping") === "PONG") return proc;
    await Bun.sleep(25);
  }
  throw new Error(`${kind} on ${port} did not start`);
}

async function stop(p: ReturnType<typeof Bun.spawn>): Promise<void> {
  p.kill("SIGKILL");
  await p.exited;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function syncTime(master: Kind, replica: Kind): Promise<number> {
  const times: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const m = await start(master, portLo);
    cli(portLo, "debug", "populate", String(KEYS));
    const r = await start(replica, portLo + 1);
    const t0 = performance.now();
    cli(portLo + 1, "replicaof", "127.0.0.1", String(portLo));
    while (field(portLo + 1, "master_link_status") !== "up") await Bun.sleep(5);
    times.push(performance.now() - t0);
    if (cli(portLo + 1, "dbsize") !== String(KEYS)) throw new Error(`${replica} replica of ${master}: wrong DBSIZE`);
    await stop(r);
    await stop(m);
  }
  return median(times);
}

function benchSet(port: number, pipeline: number): number {
  const n = pipeline > 1 ? 1_000_000 : 200_000;
  const out = Bun.spawnSync([BENCH, "-p", String(port), "-t", "set", "-n", String(n), "-c", "50", "-P", String(pipeline), "-r", "100000", "-q"]).stdout.toString();
  return Number(out.match(/([\d.]+) requests per second/)?.[1] ?? 0);
}

async function throughput(kind: Kind): Promise<{ none: number[]; two: number[] }> {
  const none: number[][] = [[], []];
  const two: number[][] = [[], []];
  for (let round = 0; round < ROUNDS; round++) {
    const m = await start(kind, portLo);
    none[0].push(benchSet(portLo, 1));
    none[1].push(benchSet(portLo, 16));
    const r1 = await start(kind, portLo + 1, ["--replicaof", "127.0.0.1", String(portLo)]);
    const r2 = await start(kind, portLo + 2, ["--replicaof", "127.0.0.1", String(portLo)]);
    while (field(portLo + 1, "master_link_status") !== "up" || field(portLo + 2, "master_link_status") !== "up") await Bun.sleep(10);
    two[0].push(benchSet(portLo, 1));
    two[1].push(benchSet(portLo, 16));
    const offset = field(portLo, "master_repl_offset");
    while (field(portLo + 1, "slave_repl_offset") !== offset || field(portLo + 2, "slave_repl_offset") !== offset) await Bun.sleep(10);
    await stop(r1);
    await stop(r2);
    await stop(m);
  }
  return { none: none.map(median), two: two.map(median) };
}

const kinds: Kind[] = REDIS ? ["tsredis", "redis-server"] : ["tsredis"];
console.log(`full sync of ${KEYS} keys, REPLICAOF → master_link_status:up (median of ${ROUNDS}):`);
for (const master of kinds) {
  for (const replica of kinds) {
    console.log(`  master ${master.padEnd(12)} replica ${replica.padEnd(12)} ${(await syncTime(master, replica)).toFixed(0)} ms`);
  }
}
console.log("master SET throughput, ops/s (median), no replicas → two replicas:");
for (const kind of kinds) {
  const t = await throughput(kind);
  const fmt = (i: number) => `${t.none[i].toFixed(0)} → ${t.two[i].toFixed(0)} (${(t.two[i] / t.none[i]).toFixed(2)}×)`;
  console.log(`  ${kind.padEnd(12)} plain ${fmt(0)}   -P 16 ${fmt(1)}`);
}
for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
