// Body of a shard worker thread: builds the shard, listens on the shared port and runs
// the periodic cron. Control messages from the coordinator are rare (INFO for the
// admin endpoint, shutdown) and use postMessage; commands never do.

import type { TCPSocketListener } from "bun";
import { Config, ConfigApplyError } from "../config/config.ts";
import { Shard } from "./shard.ts";
import type { Client } from "./client.ts";
import { flush, listen, wakeBlocked } from "./net.ts";
import { makeLogger } from "./log.ts";
import { installCommands } from "../commands/index.ts";
import { renameCommand } from "../commands/table.ts";
import type { ControlRequest, WorkerInit } from "./protocol.ts";
import { infoSections } from "./info.ts";
import { bindAddresses } from "./bind.ts";
import { performEvictions } from "./evict.ts";
import { installSharedStats } from "./shared-stats.ts";
import { hubOf } from "../pubsub/hub.ts";
import { Mesh } from "./mesh.ts";
import { installRouter } from "./router.ts";
import { persistenceOf } from "../persistence/manager.ts";
import { replicationOf, startReplication } from "../replication/feed.ts";

declare const self: Worker;

/** Listen on every bind address (port 0: none); all or nothing. */
function listenAll(shard: Shard, port: number): TCPSocketListener<Client>[] {
  const out: TCPSocketListener<Client>[] = [];
  if (port === 0) return out;
  for (const { host, optional } of bindAddresses(shard.config.getStr("bind"))) {
    try {
      out.push(listen(shard, host, port));
    } catch (e) {
      if (optional) continue;
      for (const l of out) l.stop(true);
      throw new Error(`Could not create server TCP listening socket ${host}:${port}: ${(e as { code?: string }).code === "EADDRINUSE" ? "Address already in use" : (e as Error).message}`);
    }
  }
  return out;
}

export function startWorker(init: WorkerInit): void {
  const config = Config.fromSnapshot(init.config);
  const shard = new Shard(init.shardId, init.shards, config, init.runId, new Int32Array(init.shared, 0, 1));
  const logTarget = { file: init.logFile, level: config.getStr("loglevel"), role: config.getStr("replicaof") !== "" ? "S" : "M" };
  shard.logger = makeLogger(logTarget);
  installCommands(shard);
  replicationOf(shard).onRole = (replica) => (logTarget.role = replica ? "S" : "M");
  for (const [from, to] of config.renamedCommands) renameCommand(from, to);
  const mesh = init.mesh !== null ? new Mesh(shard, init.mesh) : null;
  if (mesh !== null) {
    installRouter(shard, mesh);
    persistenceOf(shard).mesh = mesh;
    const hub = hubOf(shard);
    shard.peers = mesh.peers();
    hub.onSubscribersChanged = (any) => mesh.setSubscribed(any);
    mesh.onPublish = (channel, message) => hub.publish(channel, message, "global");
  }
  if (init.stats !== null) installSharedStats(shard, init.stats);
  // Proxies of other workers' clients have no socket: their late reply travels back.
  shard.blocking.wake = (c) => (c.socket === null && mesh !== null ? mesh.lateReply(c) : wakeBlocked(c));

  let listeners: TCPSocketListener<Client>[];
  try {
    listeners = listenAll(shard, config.getNum("port"));
  } catch (e) {
    self.postMessage({ type: "fatal", message: (e as Error).message });
    return;
  }
  // CONFIG SET port: listen on the new port first; the old one closes only if that worked.
  config.onApply("port", (value) => {
    let next: TCPSocketListener<Client>[];
    try {
      next = listenAll(shard, Number(value));
    } catch (e) {
      throw new ConfigApplyError(`Unable to listen on this port: ${(e as Error).message}`);
    }
    for (const l of listeners) l.stop(false);
    listeners = next;
  });

  config.onChange((names) => {
    if (names.includes("loglevel")) logTarget.level = config.getStr("loglevel");
    if (names.includes("maxmemory")) {
      shard.maxmemory = config.getNum("maxmemory");
      performEvictions(shard);
    }
  });

  const hz = () => Math.max(1, Math.min(500, config.getNum("hz")));
  const tick = () => {
    shard.cron();
    setTimeout(tick, 1000 / hz());
  };
  setTimeout(tick, 1000 / hz());

  self.onmessage = (ev: MessageEvent<ControlRequest>) => {
    const msg = ev.data;
    switch (msg.type) {
      case "info":
        self.postMessage({ type: "info", id: msg.id, sections: infoSections(shard, msg.section ?? "everything") });
        break;
      case "stop":
        persistenceOf(shard).prepareShutdown(msg.save, false, null, (error) => {
          if (error !== null) return self.postMessage({ type: "stopped", error });
          for (const l of listeners) l.stop(true);
          for (const c of shard.clients.values()) {
            flush(c);
            c.socket?.end();
          }
          self.postMessage({ type: "stopped" });
        });
        break;
      case "rdb-done":
        persistenceOf(shard).partDone(msg.id, msg.error);
        break;
    }
  };
  persistenceOf(shard).loadOnStart(
    () => {
      const err = startReplication(shard);
      if (err !== null) self.postMessage({ type: "fatal", message: err });
      else self.postMessage({ type: "ready", shardId: init.shardId });
    },
    (message) => self.postMessage({ type: "fatal", message }),
  );
}
