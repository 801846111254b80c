// Process helpers shared by the benchmark: every child we start is tracked so that it is
// killed by PID however the run ends (normal exit, error, Ctrl-C), never left running.

import type { Subprocess } from "bun";

const live = new Set<Subprocess>();

/** Spawn a tracked child. The caller decides where its output goes. */
export function spawnTracked(cmd: string[], opts: Parameters<typeof Bun.spawn>[1] = {}): Subprocess {
  const p = Bun.spawn(cmd, opts);
  live.add(p);
  p.exited.then(() => live.delete(p));
  return p;
}

/** SIGKILL everything still running; synchronous so it can run inside an "exit" handler. */
export function killAll(): void {
  for (const p of live) {
    try {
      process.kill(p.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  live.clear();
}

/** Install handlers that kill tracked children on exit and on SIGINT/SIGTERM. */
export function installCleanup(): void {
  process.on("exit", killAll);
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(sig, () => {
      console.error(`\n${sig}: stopping servers`);
      killAll();
      process.exit(130);
    });
  }
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface RunOptions {
  timeoutMs?: number;
  stdin?: ReadableStream<Uint8Array>;
  /** Polled while running; true kills the command early (the server it talks to died). */
  abortIf?: () => boolean;
}

/**
 * Run a command to completion, SIGKILLing it after timeoutMs or once abortIf() holds:
 * redis-benchmark reconnects forever, spinning, when its server is gone.
 */
export async function run(cmd: string[], { timeoutMs = 60_000, stdin, abortIf }: RunOptions = {}): Promise<RunResult> {
  const p = spawnTracked(cmd, { stdin: stdin ?? "ignore", stdout: "pipe", stderr: "pipe" });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    p.kill("SIGKILL");
  }, timeoutMs);
  const watch = abortIf && setInterval(() => abortIf() && p.kill("SIGKILL"), 100);
  const [stdout, stderr, code] = await Promise.all([
    new Response(p.stdout as ReadableStream).text(),
    new Response(p.stderr as ReadableStream).text(),
    p.exited,
  ]);
  clearTimeout(timer);
  if (watch) clearInterval(watch);
  return { code, stdout, stderr, timedOut };
}

/** Run a command with inherited stdio (installs, builds); throws on failure. */
export async function runVisible(cmd: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<void> {
  const p = spawnTracked(cmd, { cwd: opts.cwd, stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, ...opts.env } });
  const code = await p.exited;
  if (code !== 0) throw new Error(`${cmd.join(" ")} exited with ${code}`);
}

/** Resolve when cond() is true; polls instead of sleeping a fixed time. */
export async function waitFor(what: string, cond: () => Promise<boolean>, timeoutMs: number, everyMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await Bun.sleep(everyMs);
  }
}
