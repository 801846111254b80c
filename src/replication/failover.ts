// FAILOVER (Redis 6.2+): a master pauses writes, waits until a replica (the one named, or
// any) has acknowledged its whole stream, then turns itself into a replica of it and sends
// PSYNC ... FAILOVER, on which the replica promotes itself; both keep one history, so the
// old master continues with a partial resync.

import { replication as ids } from "../server/info.ts";
import { pauseWrites, unpauseWrites } from "../commands/client.ts";
import type { Replication } from "./feed.ts";
import type { ReplicaInfo } from "./master.ts";
import { replicaIp } from "./master.ts";

export type FailoverState = "no-failover" | "waiting-for-sync" | "failover-in-progress";

export class Failover {
  state: FailoverState = "no-failover";
  private host: string | null = null;
  private port = 0;
  private endTime = 0;
  private force = false;

  constructor(private readonly hub: Replication) {}

  private log(msg: string): void {
    this.hub.log("notice", msg);
  }

  /** The replica at host:port (announced address or peer address). */
  private find(host: string, port: number): ReplicaInfo | null {
    for (const r of this.hub.master.replicas.values()) if (replicaIp(r) === host && r.hs.port === port) return r;
    return null;
  }

  /** Validated FAILOVER arguments: start waiting for a replica to catch up. Returns an error or null. */
  start(host: string | null, port: number, timeoutMs: number, force: boolean): string | null {
    const master = this.hub.master;
    if (this.state !== "no-failover") return "ERR FAILOVER already in progress.";
    if (this.hub.isReplica) return "ERR FAILOVER is not valid when server is a replica.";
    if (master.replicas.size === 0) return "ERR FAILOVER requires connected replicas.";
    if (force && (timeoutMs === 0 || host === null)) return "ERR FAILOVER with force option requires both a timeout and target HOST and IP.";
    if (host !== null) {
      const r = this.find(host, port);
      if (r === null) return "ERR FAILOVER target HOST and PORT is not a replica.";
      if (r.state !== "online") return "ERR FAILOVER target replica is not online.";
      this.host = host;
      this.port = port;
      this.log(`FAILOVER requested to ${host}:${port}.`);
    } else {
      this.log("FAILOVER requested to any replica.");
    }
    this.endTime = timeoutMs > 0 ? Date.now() + timeoutMs : 0;
    this.force = force;
    this.state = "waiting-for-sync";
    pauseWrites(this.hub.shard);
    return null;
  }

  /** updateFailoverStatus, from the cron. */
  update(): void {
    if (this.state !== "waiting-for-sync") return;
    if (this.endTime !== 0 && this.endTime <= Date.now()) {
      if (this.force) {
        this.log(`FAILOVER to ${this.host}:${this.port} time out exceeded, failing over.`);
        this.state = "failover-in-progress";
        this.hub.setMaster(this.host!, this.port);
      } else {
        this.abort("Replica never caught up before timeout");
      }
      return;
    }
    let target: ReplicaInfo | null = null;
    if (this.host !== null) {
      target = this.find(this.host, this.port);
    } else {
      for (const r of this.hub.master.replicas.values()) {
        if (r.ackOffset !== ids.offset) continue;
        this.host = replicaIp(r);
        this.port = r.hs.port;
        target = r;
        break;
      }
    }
    if (target !== null && target.ackOffset === ids.offset) {
      this.state = "failover-in-progress";
      this.log(`Failover target ${this.host}:${this.port} is synced, failing over.`);
      this.hub.setMaster(this.host!, this.port);
    }
  }

  /** The target answered our PSYNC FAILOVER: done either way. */
  psyncAnswered(accepted: boolean): void {
    if (this.state !== "failover-in-progress") return;
    if (accepted) this.clear();
    else this.abort("Failover target rejected psync request");
  }

  abort(reason: string): void {
    if (this.state === "no-failover") return;
    if (this.state === "failover-in-progress") this.hub.unsetMaster();
    this.log(`FAILOVER aborted: ${reason}`);
    this.clear();
  }

  private clear(): void {
    this.state = "no-failover";
    this.host = null;
    this.port = 0;
    this.endTime = 0;
    this.force = false;
    unpauseWrites(this.hub.shard);
    // The pause restored the expiry settings it found; the role may have changed since.
    this.hub.applyRole();
  }
}
