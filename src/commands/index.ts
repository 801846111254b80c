// Loads every command family into the command table and installs their per-shard hooks.

import type { Shard } from "../server/shard.ts";
import "./connection.ts";
import "./strings.ts";
import "./bitops.ts";
import "./lists.ts";
import "./hashes.ts";
import "./sets.ts";
import "./sort.ts";
import "./hyperloglog.ts";
import "./zsets.ts";
import "./geo.ts";
import "./streams.ts";
import { installKeys } from "./keys.ts";
import "./expire.ts";
import "./functions.ts";
import "./cluster.ts";
import "./scripting.ts";
import "./replication.ts";
import { installServer } from "./server.ts";
import { installClientCommands } from "./client.ts";
import { installPubSub } from "./pubsub.ts";
import { installMulti } from "./multi.ts";
import { installReplication } from "../replication/feed.ts";
import { installPersistence } from "./persistence.ts";

export function installCommands(shard: Shard): void {
  installKeys(shard);
  installServer(shard);
  installClientCommands(shard);
  installPubSub(shard);
  installMulti(shard);
  installReplication(shard);
  installPersistence(shard);
}
