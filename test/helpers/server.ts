// Start the built ./tsredis (or real redis-server for comparisons) on a free loopback port
// and wait until it answers PING. Servers are stopped by PID.

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { connect } from "node:net";
import Redis from "ioredis";

export const ROOT = resolve(import.meta.dir, "../..");
export const BIN = join(ROOT, "tsredis");

export interface RunningServer {
  port: number;
  pid: number;
  dir: string;
  proc: ReturnType<typeof Bun.spawn>;
  client(opts?: Record<string, unknown>): Redis;
  stop(): Promise<void>;
}

/** A port nothing listens on right now (bind-test on 127.0.0.1). */
export async function freePort(): Promise<number> {
  const srv = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = srv.port;
  srv.stop(true);
  return port;
}

/** Poll until a raw PING gets any reply (no fixed sleeps). */
export async function waitForPing(port: number, timeoutMs = 15000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((res) => {
      const s = connect(port, "127.0.0.1");
      s.once("data", () => {
        s.destroy();
        res(true);
      });
      s.once("error", () => res(false));
      s.once("connect", () => s.write("PING\r\n"));
      s.setTimeout(1000, () => {
        s.destroy();
        res(false);
      });
    });
    if (ok) return;
    await Bun.sleep(25);
  }
  throw new Error(`server on ${port} did not answer PING`);
}

const clients: Redis[] = [];

async function start(cmd: string[], port: number, dir: string): Promise<RunningServer> {
  const proc = Bun.spawn(cmd, { cwd: dir, stdout: "pipe", stderr: "pipe" });
  try {
    await waitForPing(port);
  } catch (e) {
    proc.kill(9);
    const err = await new Response(proc.stderr).text();
    throw new Error(`${(e as Error).message}\n${err}`);
  }
  const own: Redis[] = [];
  return {
    port,
    pid: proc.pid,
    dir,
    proc,
    client(opts = {}) {
      const r = new Redis({ port, host: "127.0.0.1", lazyConnect: false, maxRetriesPerRequest: 1, ...opts });
      own.push(r);
      clients.push(r);
      return r;
    },
    async stop() {
      for (const r of own) r.disconnect();
      proc.kill("SIGTERM");
      const exited = await Promise.race([proc.exited.then(() => true), Bun.sleep(5000).then(() => false)]);
      if (!exited) proc.kill(9);
    },
  };
}

/** Start ./tsredis with extra args (e.g. ["--shards", "2"]). */
export async function startTsredis(args: string[] = []): Promise<RunningServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "tsredis-test-"));
  return start([BIN, "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--admin-port", "0", "--dir", dir, ...args], port, dir);
}

export const REDIS_SERVER = Bun.which("redis-server");

/** Start the real redis-server for side-by-side comparisons (null if not installed). */
export async function startRedis(args: string[] = []): Promise<RunningServer | null> {
  if (!REDIS_SERVER) return null;
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "redis-ref-"));
  return start([REDIS_SERVER, "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--dir", dir, "--daemonize", "no", ...args], port, dir);
}

/** Run redis-cli against a port; returns stdout (trimmed of the final newline). */
export async function cli(port: number, args: string[], stdin?: string): Promise<string> {
  const p = Bun.spawn(["redis-cli", "-p", String(port), ...args], { stdin: stdin === undefined ? "ignore" : new TextEncoder().encode(stdin), stdout: "pipe", stderr: "pipe" });
  const out = await new Response(p.stdout).text();
  await p.exited;
  return out.replace(/\n$/, "");
}
