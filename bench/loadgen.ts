// Throughput workloads driven by redis-benchmark, with server CPU sampled around each run.

import { HOST, cpuNs, isAlive, type Server } from "./servers.ts";
import { run } from "./proc.ts";

export interface Workload {
  id: string;
  /** redis-benchmark arguments selecting the test (and pipelining). */
  args: string[];
  /** Requests per run; CPU per request divides by this. */
  requests: number;
  /** Unmeasured set-up run (LRANGE needs a list to read). */
  prep?: string[];
}

export interface Sample {
  rps: number;
  p50: number;
  p99: number;
  cpuUsPerReq: number;
}

const CLIENTS = 50;
const KEYSPACE = 100_000;
const PIPELINE = 16;
/** Per redis-benchmark invocation: a wedged server must not stall the whole run. */
const RUN_TIMEOUT_MS = 60_000;

export function allWorkloads(nPlain: number, nPipe: number): Workload[] {
  const out: Workload[] = [];
  for (const t of ["SET", "GET", "INCR", "MSET"]) {
    out.push({ id: t, args: ["-t", t.toLowerCase()], requests: nPlain });
  }
  for (const t of ["SET", "GET", "INCR", "MSET"]) {
    out.push({ id: `${t}_P${PIPELINE}`, args: ["-t", t.toLowerCase(), "-P", String(PIPELINE)], requests: nPipe });
  }
  for (const t of ["LPUSH", "LPOP", "SADD", "HSET", "ZADD"]) {
    out.push({ id: t, args: ["-t", t.toLowerCase()], requests: nPlain });
  }
  // `-t lrange_100` would first run an LPUSH phase inside the same process, polluting the
  // CPU sample; fill the list separately and time the very same LRANGE command on its own.
  out.push({ id: "LRANGE_100", args: ["lrange", "mylist", "0", "99"], requests: nPlain, prep: ["-t", "lpush", "-n", "1000"] });
  return out;
}

/** Keep the workloads named in WORKLOADS (comma list, case-insensitive; "none" for none), in canonical order. */
export function selectWorkloads(all: Workload[], filter: string | undefined): Workload[] {
  if (!filter) return all;
  if (filter.trim().toLowerCase() === "none") return [];
  const want = new Set(filter.split(",").map((s) => s.trim().toUpperCase()).filter(Boolean));
  const unknown = [...want].filter((id) => !all.some((w) => w.id === id));
  if (unknown.length) throw new Error(`unknown WORKLOADS ${unknown.join(",")}; known: ${all.map((w) => w.id).join(",")}`);
  return all.filter((w) => want.has(w.id));
}

/** The last data row of redis-benchmark --csv output: "test","rps","avg",...,"p50","p95","p99","max". */
function parseCsv(stdout: string): { rps: number; p50: number; p99: number } | null {
  const rows = stdout.split("\n").filter((l) => l.startsWith('"') && !l.startsWith('"test"'));
  if (rows.length === 0) return null;
  const f = rows[rows.length - 1].split(",").map((c) => Number(c.replace(/"/g, "")));
  return f[1] > 0 ? { rps: f[1], p50: f[4], p99: f[6] } : null;
}

/** One redis-benchmark invocation; throws on server errors (7.0 exits 1), timeouts, server death or no result. */
async function benchmark(s: Server, args: string[]): Promise<{ rps: number; p50: number; p99: number }> {
  const cmd = ["redis-benchmark", "-h", HOST, "-p", String(s.port), "-c", String(CLIENTS), "-r", String(KEYSPACE), "--csv", ...args];
  const r = await run(cmd, { timeoutMs: RUN_TIMEOUT_MS, abortIf: () => !isAlive(s) });
  if (r.timedOut) throw new Error(`timeout after ${RUN_TIMEOUT_MS / 1000} s`);
  if (!isAlive(s)) throw new Error(`server died (exit ${s.proc.exitCode ?? s.proc.signalCode})`);
  const parsed = parseCsv(r.stdout);
  if (r.code !== 0 || !parsed) {
    const why = (r.stderr + r.stdout).split("\n").find((l) => /error|could not/i.test(l)) ?? `exit ${r.code}`;
    throw new Error(why.trim());
  }
  return parsed;
}

/** Run one workload against one server, measuring its on-CPU time across the run. */
export async function runWorkload(s: Server, w: Workload): Promise<Sample> {
  if (w.prep) await benchmark(s, w.prep);
  const before = cpuNs(s.proc.pid);
  const res = await benchmark(s, ["-n", String(w.requests), ...w.args]);
  const cpu = cpuNs(s.proc.pid) - before;
  return { ...res, cpuUsPerReq: cpu / 1000 / w.requests };
}
