// maxmemory enforcement (Redis's evict.c, simplified to its sampling core): before a
// command that may grow memory, evict keys chosen by maxmemory-policy from a sample of
// maxmemory-samples keys until used memory is under the limit; with nothing left to evict
// (or noeviction) such commands get -OOM.

import type { Shard } from "./shard.ts";
import type { Db } from "../keyspace/db.ts";
import { usedMemory } from "./info.ts";
import { lruClock } from "../keyspace/db.ts";

export const OOM = "OOM command not allowed when used memory > 'maxmemory'.";

/** At most this many keys go per call, so one command never stalls on a huge eviction. */
const MAX_PER_CALL = 64;

interface Candidate {
  db: Db;
  addr: number;
  score: number;
}

/** Pick the best victim among sampled keys: higher score is evicted first. */
function sample(shard: Shard, policy: string, samples: number): Candidate | null {
  const volatile = policy.startsWith("volatile-");
  let best: Candidate | null = null;
  const now = lruClock();
  for (const db of shard.dbs) {
    if ((volatile ? db.volatileCount : db.size) === 0) continue;
    for (let i = 0; i < samples; i++) {
      const addr = volatile ? db.randomVolatile() : db.randomAddr();
      if (addr === 0) break;
      let score: number;
      if (policy.endsWith("-lru")) score = now - db.lru(addr);
      else if (policy.endsWith("-lfu")) score = -db.lfu(addr);
      else if (policy === "volatile-ttl") score = -db.expireAt(addr);
      else score = Math.random();
      if (best === null || score > best.score) best = { db, addr, score };
    }
  }
  return best;
}

/**
 * Evict until under maxmemory (or the per-call budget is spent). Returns false when memory
 * is still over the limit, so denyoom commands must be refused.
 */
export function performEvictions(shard: Shard): boolean {
  const limit = shard.config.getNum("maxmemory");
  if (limit === 0 || usedMemory() <= limit) return true;
  const policy = shard.config.getStr("maxmemory-policy");
  if (policy === "noeviction") return false;
  const samples = Math.max(1, shard.config.getNum("maxmemory-samples"));
  for (let n = 0; n < MAX_PER_CALL; n++) {
    const victim = sample(shard, policy, samples);
    if (victim === null) return false;
    const key = victim.db.keyOf(victim.addr).slice();
    victim.db.removeAddr(victim.addr);
    shard.stats.evictedKeys++;
    shard.keyModified(victim.db.id, key);
    shard.notify("e", "evicted", key, victim.db.id);
    shard.propagate(victim.db.id, [DEL, key]);
    if (usedMemory() <= limit) return true;
  }
  return usedMemory() <= limit;
}

const DEL = new TextEncoder().encode("DEL");
