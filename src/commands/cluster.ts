// CLUSTER: the slot-level subcommands that need no cluster bus. The bus, node table and
// failover (MEET, NODES, SLOTS, ADDSLOTS, ...) arrive with the Redis Cluster issue. As in
// Redis, every subcommand answers an error while cluster-enabled is off.

import { register, type CommandSpec } from "./table.ts";
import type { Client } from "../server/client.ts";
import { parseSafeInt } from "../util/bytes.ts";
import { keyHashSlot, SLOTS } from "../util/slots.ts";

const DISABLED = "ERR This instance has cluster support disabled";

/** Wrap a subcommand so it only runs with cluster-enabled yes. */
function clusterOnly(handler: (c: Client, argv: Uint8Array[]) => void): (c: Client, argv: Uint8Array[]) => void {
  return (c, argv) => (c.shard.config.getBool("cluster-enabled") ? handler(c, argv) : c.out.error(DISABLED));
}

function slotArg(c: Client, arg: Uint8Array): number | null {
  const slot = parseSafeInt(arg);
  if (slot === null || slot < 0 || slot >= SLOTS) {
    c.out.error("ERR Invalid slot");
    return null;
  }
  return slot;
}

function countKeysInSlot(c: Client, argv: Uint8Array[]): void {
  const slot = slotArg(c, argv[2]);
  if (slot === null) return;
  const db = c.db;
  let n = 0;
  db.forEach((addr) => {
    if (!db.isExpired(addr) && keyHashSlot(db.keyOf(addr)) === slot) n++;
  });
  c.out.int(n);
}

function getKeysInSlot(c: Client, argv: Uint8Array[]): void {
  const slot = parseSafeInt(argv[2]);
  const count = parseSafeInt(argv[3]);
  if (slot === null || count === null || count < 0 || slot < 0 || slot >= SLOTS) return c.out.error("ERR Invalid slot or number of keys");
  const db = c.db;
  const keys: Uint8Array[] = [];
  db.forEach((addr) => {
    if (keys.length < count && !db.isExpired(addr) && keyHashSlot(db.keyOf(addr)) === slot) keys.push(db.keyOf(addr).slice());
  });
  c.out.bulks(keys);
}

function help(c: Client): void {
  c.out.strs([
    "CLUSTER <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "COUNTKEYSINSLOT <slot>",
    "    Return the number of keys in <slot>.",
    "GETKEYSINSLOT <slot> <count>",
    "    Return key names stored by current node in a slot.",
    "KEYSLOT <key>",
    "    Return the hash slot for <key>.",
    "HELP",
    "    Prints this help.",
  ]);
}

const SUB: CommandSpec[] = [
  { name: "help", arity: 2, flags: ["loading", "stale"], group: "cluster", since: "5.0.0", summary: "Show helpful text about the different subcommands", complexity: "O(1)", handler: clusterOnly(help) },
  { name: "keyslot", arity: 3, flags: ["stale"], group: "cluster", since: "3.0.0", summary: "Returns the hash slot of the specified key", complexity: "O(N) where N is the number of bytes in the key", handler: clusterOnly((c, argv) => c.out.int(keyHashSlot(argv[2]))) },
  { name: "countkeysinslot", arity: 3, flags: ["stale"], group: "cluster", since: "3.0.0", summary: "Return the number of local keys in the specified hash slot", complexity: "O(1)", handler: clusterOnly(countKeysInSlot) },
  { name: "getkeysinslot", arity: 4, flags: ["stale"], group: "cluster", since: "3.0.0", summary: "Return local key names in the specified hash slot", complexity: "O(log(N)) where N is the number of requested keys", tips: ["nondeterministic_output"], handler: clusterOnly(getKeysInSlot) },
];

register({ name: "cluster", arity: -2, group: "cluster", since: "3.0.0", summary: "A container for cluster commands", complexity: "Depends on subcommand.", subcommands: SUB });
