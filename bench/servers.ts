// Starting, probing and measuring the two servers under test.

import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import type { Subprocess } from "bun";
import { run, spawnTracked, waitFor } from "./proc.ts";

export interface ServerSpec {
  label: string;
  bin: string;
  /** Extra flags appended after the common ones (TSREDIS_ARGS). */
  extra: string[];
}

export interface Server {
  spec: ServerSpec;
  port: number;
  dir: string;
  log: string;
  proc: Subprocess;
}

export const HOST = "127.0.0.1";

/** A real redis-server gets redis-only flags; tsredis gets its own (--admin-port). */
function isRedis(bin: string): boolean {
  return basename(bin).endsWith("redis-server");
}

function argv(spec: ServerSpec, port: number, dir: string): string[] {
  const common = [spec.bin, "--port", String(port), "--bind", HOST, "--save", "", "--appendonly", "no"];
  const own = isRedis(spec.bin) ? ["--daemonize", "no", "--dir", dir] : ["--admin-port", "0"];
  return [...common, ...own, ...spec.extra];
}

/** True if we can bind the port on loopback right now. */
function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once("error", () => resolve(false));
    srv.listen({ port, host: HOST, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

/**
 * Pick `count` free loopback ports. BENCH_PORTS="lo-hi" restricts the search to a range
 * (useful when sharing a machine); otherwise the kernel hands out ephemeral ports.
 */
export async function pickPorts(count: number, avoid: number[] = []): Promise<number[]> {
  const out: number[] = [];
  const range = process.env.BENCH_PORTS?.match(/^(\d+)-(\d+)$/);
  if (range) {
    for (let p = Number(range[1]); p <= Number(range[2]) && out.length < count; p++) {
      if (!avoid.includes(p) && (await canBind(p))) out.push(p);
    }
  } else {
    while (out.length < count) {
      const p = await ephemeralPort();
      if (!avoid.includes(p) && !out.includes(p)) out.push(p);
    }
  }
  if (out.length < count) throw new Error(`could not find ${count} free ports in ${process.env.BENCH_PORTS}`);
  return out;
}

function ephemeralPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen({ port: 0, host: HOST }, () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** redis-cli one-shot command; returns trimmed stdout or null on failure. */
export async function cli(port: number, ...args: string[]): Promise<string | null> {
  const r = await run(["redis-cli", "-h", HOST, "-p", String(port), ...args], { timeoutMs: 5_000 });
  const out = r.stdout.trim();
  return r.code === 0 && !out.startsWith("ERR") && !out.startsWith("Could not connect") ? out : null;
}

export function logTail(s: Server, lines = 20): string {
  try {
    return readFileSync(s.log, "utf8").split("\n").slice(-lines).join("\n");
  } catch {
    return "";
  }
}

/** Start a server in its own temp dir and wait until it answers PING. */
export async function startServer(spec: ServerSpec, port: number): Promise<Server> {
  const dir = mkdtempSync(join(tmpdir(), `bench-${spec.label}-`));
  const log = join(dir, "server.log");
  const proc = spawnTracked(argv(spec, port, dir), {
    cwd: dir,
    stdin: "ignore",
    stdout: Bun.file(log),
    stderr: Bun.file(log),
  });
  const s: Server = { spec, port, dir, log, proc };
  await waitFor(
    `${spec.label} PING on ${port}`,
    async () => {
      if (!isAlive(s)) throw new Error(`${spec.label} exited (${proc.exitCode ?? proc.signalCode}):\n${logTail(s)}`);
      return (await cli(port, "PING")) === "PONG";
    },
    30_000,
  );
  return s;
}

export function isAlive(s: Server): boolean {
  return s.proc.exitCode === null && s.proc.signalCode === null;
}

/** SIGTERM, then SIGKILL if it has not exited within 3 s; then drop its temp dir. */
export async function stopServer(s: Server): Promise<void> {
  if (isAlive(s)) {
    s.proc.kill("SIGTERM");
    const timer = setTimeout(() => s.proc.kill("SIGKILL"), 3_000);
    await s.proc.exited;
    clearTimeout(timer);
  }
  rmSync(s.dir, { recursive: true, force: true });
}

/**
 * On-CPU time of the whole process in ns: sum of the first schedstat field over all
 * threads (tsredis runs shards in worker threads, so /proc/PID/stat of the main thread
 * alone would undercount; schedstat is also ns-precise where stat has 10 ms ticks).
 */
export function cpuNs(pid: number): number {
  let total = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      total += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
    } catch {
      // thread exited between readdir and read
    }
  }
  return total;
}

/** Resident set size in bytes (VmRSS). */
export function rssBytes(pid: number): number {
  const m = readFileSync(`/proc/${pid}/status`, "utf8").match(/^VmRSS:\s+(\d+) kB/m);
  if (!m) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]) * 1024;
}
