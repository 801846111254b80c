// With several shard workers, INFO must describe the whole server: each worker publishes
// its client count and per-database key counts into its own slice of a SharedArrayBuffer
// (every cron tick, and right before it answers INFO), and INFO sums all slices.

import type { Shard } from "./shard.ts";
import { addInfoFields } from "./info.ts";

/** Float64 slots per worker: clients, blocked clients, then keys and expires per database. */
function stride(databases: number): number {
  return 2 + 2 * databases;
}

export function sharedStatsBytes(workers: number, databases: number): number {
  return 8 * workers * stride(databases);
}

export function installSharedStats(shard: Shard, sab: SharedArrayBuffer): void {
  const dbs = shard.dbs.length;
  const width = stride(dbs);
  const all = new Float64Array(sab);
  const mine = all.subarray(shard.id * width, (shard.id + 1) * width);

  const publish = () => {
    let clients = 0;
    for (const c of shard.clients.values()) if (!c.monitor && !c.closed) clients++;
    mine[0] = clients;
    mine[1] = shard.blocking.count;
    for (let i = 0; i < dbs; i++) {
      mine[2 + 2 * i] = shard.dbs[i].size;
      mine[3 + 2 * i] = shard.dbs[i].volatileCount;
    }
  };
  const sum = (slot: number) => {
    let total = 0;
    for (let w = 0; w < shard.count; w++) total += all[w * width + slot];
    return total;
  };
  shard.cronHooks.push(publish);

  addInfoFields("clients", () => {
    publish();
    return [
      ["connected_clients", sum(0)],
      ["blocked_clients", sum(1)],
    ];
  });
  addInfoFields("keyspace", () => {
    publish();
    const fields: [string, string][] = [];
    for (let i = 0; i < dbs; i++) {
      const keys = sum(2 + 2 * i);
      const expires = sum(3 + 2 * i);
      if (keys > 0 || expires > 0) fields.push([`db${i}`, `keys=${keys},expires=${expires},avg_ttl=${Math.round(shard.dbs[i].avgTtl)}`]);
    }
    return fields;
  });
}
