// Shard worker entry point (embedded in the binary by build.ts).
import { startWorker } from "../src/server/worker.ts";
import type { WorkerInit } from "../src/server/protocol.ts";

declare const self: Worker;

self.onmessage = (ev: MessageEvent<WorkerInit>) => {
  if (ev.data.type === "init") startWorker(ev.data);
};
