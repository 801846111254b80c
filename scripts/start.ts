// `npm start`: build ./tsredis if needed, then run it on 127.0.0.1:6379 (admin on :8080).
import { existsSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dir, "..");
const bin = join(root, "tsredis");
if (!existsSync(bin)) {
  const b = Bun.spawnSync([process.execPath, "build.ts"], { cwd: root, stdout: "inherit", stderr: "inherit" });
  if (b.exitCode !== 0) process.exit(b.exitCode ?? 1);
}
const args = process.argv.slice(2);
const proc = Bun.spawn([bin, "--bind", "127.0.0.1", ...args], { cwd: root, stdio: ["inherit", "inherit", "inherit"] });
for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => proc.kill(sig));
process.exit(await proc.exited);
