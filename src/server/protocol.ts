import type { MeshInit } from "./mesh.ts";

// Messages between the coordinator (main thread) and shard workers. Only control traffic
// uses postMessage; commands between shards travel through shared-memory rings.

export interface WorkerInit {
  type: "init";
  shardId: number;
  shards: number;
  /** Config values that differ from defaults (Config.snapshot()). */
  config: Record<string, string>;
  runId: string;
  logFile: string;
  /** Shared counters: [0] = last client id. */
  shared: SharedArrayBuffer;
  /** Rings and doorbells between workers; null with one shard. */
  mesh: MeshInit | null;
  /** Per-worker counters that INFO sums; null with one shard. */
  stats: SharedArrayBuffer | null;
}

export type ControlRequest =
  | WorkerInit
  | { type: "info"; id: number; section?: string }
  /** save: true/false to force or skip the RDB save, null for "if save points are set". */
  | { type: "stop"; save: boolean | null }
  /** The coordinator finished (or failed, or saw aborted) the RDB file of a multi-shard save. */
  | { type: "rdb-done"; id: string; error: string | null };

export type InfoSection = [name: string, fields: [string, string | number][]];

export type ControlReply =
  | { type: "ready"; shardId: number }
  | { type: "fatal"; message: string }
  | { type: "info"; id: number; sections: InfoSection[] }
  | { type: "config"; changes: Record<string, string> }
  | { type: "shutdown"; save: boolean | null }
  /** error: the shutdown save failed and the worker keeps serving. */
  | { type: "stopped"; error?: string }
  /** A multi-shard save: the coordinator writes one RDB from every worker's part. */
  | RdbAssemblyMessage;

/** Messages of a multi-shard save, from the workers to the coordinator. */
export type RdbAssemblyMessage =
  | { type: "rdb-begin"; id: string; dir: string; temp: string; target: string; header: Uint8Array; checksum: boolean; parts: number }
  | { type: "rdb-part"; id: string; chunk: Uint8Array }
  /** error: "aborted" when a worker gave its part up (FLUSHALL, shutdown), else a failure. */
  | { type: "rdb-part-end"; id: string; error: string | null };
