// `npm test`: build the binary when sources changed, run bun's test runner, and end with
// the plain "N passed, N failed" line CI reads (bun test prints its counts differently).

import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dir, "..");
const bin = join(root, "tsredis");

function newestSource(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestSource(p) : statSync(p).mtimeMs);
  }
  return newest;
}

const stale = !existsSync(bin) || statSync(bin).mtimeMs < Math.max(newestSource(join(root, "src")), newestSource(join(root, "workers")));
if (stale) {
  const b = Bun.spawnSync([process.execPath, "build.ts"], { cwd: root, stdout: "inherit", stderr: "inherit" });
  if (b.exitCode !== 0) {
    console.log("0 passed, 1 failed");
    process.exit(1);
  }
}

const proc = Bun.spawn([process.execPath, "test", ...process.argv.slice(2)], { cwd: root, stdout: "pipe", stderr: "pipe" });
let text = "";
async function pump(stream: ReadableStream<Uint8Array>, sink: NodeJS.WriteStream): Promise<void> {
  const dec = new TextDecoder();
  for await (const chunk of stream) {
    const s = dec.decode(chunk, { stream: true });
    text += s;
    sink.write(s);
  }
}
await Promise.all([pump(proc.stdout, process.stdout), pump(proc.stderr, process.stderr)]);
const code = await proc.exited;
const passed = Number(/^\s*(\d+) pass$/m.exec(text)?.[1] ?? 0);
let failed = Number(/^\s*(\d+) fail$/m.exec(text)?.[1] ?? 0);
if (code !== 0 && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed`);
process.exit(code === 0 ? 0 : 1);
