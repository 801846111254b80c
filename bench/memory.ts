// Memory per key: load N small strings through `redis-cli --pipe` into a fresh server and
// compare RSS before and after.

import { HOST, cli, isAlive, rssBytes, type Server } from "./servers.ts";
import { run, waitFor } from "./proc.ts";

export interface MemResult {
  keys: number;
  rssBefore: number;
  rssAfter: number;
  bytesPerKey: number;
}

/** Commands generated per stream chunk: big enough to be cheap, small enough to stay streaming. */
const CHUNK_CMDS = 10_000;

function bulk(s: string): string {
  return `$${s.length}\r\n${s}\r\n`;
}

/**
 * RESP for `SET key:%06d v%09d`, i = 0..keys-1, produced lazily as the pipe drains so
 * that a large MEM_KEYS never materialises the whole ~45 MB/1M-key payload.
 */
function setStream(keys: number): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  let next = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (next >= keys) return controller.close();
      const end = Math.min(keys, next + CHUNK_CMDS);
      let text = "";
      for (; next < end; next++) {
        text += "*3\r\n$3\r\nSET\r\n" + bulk(`key:${String(next).padStart(6, "0")}`) + bulk(`v${String(next).padStart(9, "0")}`);
      }
      controller.enqueue(enc.encode(text));
    },
  });
}

async function dbsize(port: number): Promise<number> {
  return Number((await cli(port, "DBSIZE")) ?? -1);
}

/** Load `keys` keys into a fresh server; throws if the pipe reports errors or DBSIZE never gets there. */
export async function measureMemory(s: Server, keys: number): Promise<MemResult> {
  const rssBefore = rssBytes(s.proc.pid);
  const r = await run(["redis-cli", "-h", HOST, "-p", String(s.port), "--pipe"], {
    timeoutMs: 600_000,
    stdin: setStream(keys),
    abortIf: () => !isAlive(s),
  });
  const errors = Number(r.stdout.match(/errors: (\d+)/)?.[1] ?? NaN);
  if (r.timedOut || r.code !== 0 || errors !== 0) {
    throw new Error(`redis-cli --pipe failed (exit ${r.code}${r.timedOut ? ", timeout" : ""}): ${(r.stdout + r.stderr).trim().slice(-300)}`);
  }
  // --pipe waits for the last reply, but a sharded server may apply writes asynchronously.
  await waitFor(`${s.spec.label} DBSIZE ${keys}`, async () => (await dbsize(s.port)) >= keys, 120_000, 100);
  const rssAfter = rssBytes(s.proc.pid);
  return { keys, rssBefore, rssAfter, bytesPerKey: (rssAfter - rssBefore) / keys };
}
