import { Config } from "./src/config/config.ts";
import { Shard } from "./src/server/shard.ts";
import { Client } from "./src/server/client.ts";
import { processCommand } from "./src/server/dispatch.ts";
import { installCommands } from "./src/commands/index.ts";
const shard = new Shard(0, 1, new Config(), "0".repeat(40), new Int32Array(new SharedArrayBuffer(4)));
installCommands(shard);
const c = new Client(shard, 1);
c.authenticated = true;
const enc = new TextEncoder();
const argv = ["EVAL", "return redis.call('incr',KEYS[1])", "1", "k"].map((a) => enc.encode(a));
for (let i = 0; i < 2000; i++) { processCommand(c, argv); c.out.len = 0; }
const t0 = performance.now();
const N = 50000;
for (let i = 0; i < N; i++) { processCommand(c, argv); c.out.len = 0; }
console.log("eval/s", Math.round(N / ((performance.now() - t0) / 1000)));
