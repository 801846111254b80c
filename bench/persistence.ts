// Persistence benchmark, tsredis against redis-server on the same machine:
//   - peak memory during a BGSAVE of 1M keys while redis-benchmark overwrites random keys,
//     relative to the memory before the BGSAVE (PSS summed over the server and its children,
//     so a forked child's copy-on-write pages count once);
//   - SAVE time of those 1M keys (idle server), and the load time Redis logs at start-up.
//
//   bun bench/persistence.ts [keys]      (BENCH_PORTS=lo-hi picks ports from a range)

import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const KEYS = Number(process.argv[2] ?? 1_000_000);
const ROOT = join(import.meta.dir, "..");
const REDIS = Bun.which("redis-server");
const CLI = Bun.which("redis-cli")!;
const BENCH = Bun.which("redis-benchmark")!;
const ports = (process.env.BENCH_PORTS ?? "25780-25781").split("-").map(Number);

function cli(port: number, ...args: string[]): string {
  const p = Bun.spawnSync([CLI, "-p", String(port), ...args]);
  return p.stdout.toString().trim();
}

function info(port: number, name: string): string {
  return cli(port, "info", "persistence").match(new RegExp(`${name}:(.*)`))?.[1]?.trim() ?? "";
}

/** Proportional set size (KiB) of pid and its descendants. */
function pss(pid: number): number {
  let kb = 0;
  try {
    const m = readFileSync(`/proc/${pid}/smaps_rollup`, "latin1").match(/^Pss:\s+(\d+)/m);
    if (m) kb += Number(m[1]);
  } catch {
    return 0;
  }
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return kb;
  }
  for (const task of tasks) {
    let children = "";
    try {
      children = readFileSync(`/proc/${pid}/task/${task}/children`, "latin1").trim();
    } catch {
      continue;
    }
    for (const c of children.split(/\s+/).filter(Boolean)) kb += pss(Number(c));
  }
  return kb;
}

async function start(label: string, port: number, dir: string): Promise<ReturnType<typeof Bun.spawn>> {
  const cmd =
    label === "redis-server"
      ? [REDIS!, "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--dir", dir, "--daemonize", "no", "--enable-debug-command", "yes"]
      : [join(ROOT, "tsredis"), "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--dir", dir, "--admin-port", "0", "--enable-debug-command", "yes"];
  const proc = Bun.spawn(cmd, { stdout: Bun.file(join(dir, "log.txt")), stderr: "ignore" });
  for (let i = 0; i < 600; i++) {
    await Bun.sleep(50);
    if (cli(port, "ping") === "PONG") return proc;
  }
  throw new Error(`${label} did not start`);
}

async function measure(label: string, port: number): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), `bench-persist-${label}-`));
  let proc = await start(label, port, dir);
  cli(port, "debug", "populate", String(KEYS), "key", "16");
  await Bun.sleep(500);
  const idle = pss(proc.pid);

  // SAVE on an idle server.
  let t = performance.now();
  cli(port, "save");
  const saveMs = performance.now() - t;

  // BGSAVE under writes: redis-benchmark overwrites random keys of the same keyspace.
  const load = Bun.spawn([BENCH, "-p", String(port), "-t", "set", "-r", String(KEYS), "-n", "100000000", "-c", "50", "-d", "16", "-q"], { stdout: "ignore", stderr: "ignore" });
  await Bun.sleep(1500);
  const before = pss(proc.pid);
  const startedAt = Number(info(port, "rdb_last_save_time"));
  t = performance.now();
  cli(port, "bgsave");
  let peak = before;
  while (info(port, "rdb_bgsave_in_progress") !== "0" || Number(info(port, "rdb_last_save_time")) < startedAt) {
    peak = Math.max(peak, pss(proc.pid));
    await Bun.sleep(10);
  }
  const bgsaveMs = performance.now() - t;
  load.kill();
  await load.exited;

  // Load time as the server logs it ("DB loaded from disk: N seconds").
  cli(port, "save");
  proc.kill("SIGTERM");
  await proc.exited;
  proc = await start(label, port, dir);
  while (info(port, "loading") !== "0") await Bun.sleep(20);
  const log = readFileSync(join(dir, "log.txt"), "latin1");
  const loads = [...log.matchAll(/DB loaded from disk: ([\d.]+) seconds/g)];
  const loadMs = Number(loads[loads.length - 1]?.[1] ?? NaN) * 1000;
  cli(port, "shutdown", "nosave");
  await proc.exited;
  return { idleMB: idle / 1024, beforeMB: before / 1024, peakMB: peak / 1024, ratio: peak / before, bgsaveMs, saveMs, loadMs };
}

const rows: [string, Record<string, number>][] = [["tsredis", await measure("tsredis", ports[0])]];
if (REDIS) rows.push(["redis-server", await measure("redis-server", ports[1] ?? ports[0] + 1)]);
console.log(`${KEYS} keys, values of 16 bytes; BGSAVE while redis-benchmark -t set -r ${KEYS} -c 50 writes`);
console.log("server        | PSS before | peak in BGSAVE | peak/before | BGSAVE ms | SAVE ms | load ms");
for (const [name, m] of rows) {
  console.log(
    `${name.padEnd(13)} | ${m.beforeMB.toFixed(0).padStart(7)} MB | ${m.peakMB.toFixed(0).padStart(11)} MB | ${m.ratio.toFixed(2).padStart(11)} | ${m.bgsaveMs.toFixed(0).padStart(9)} | ${m.saveMs.toFixed(0).padStart(7)} | ${m.loadMs.toFixed(0).padStart(7)}`,
  );
}
