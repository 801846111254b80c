// One client connection (or, for commands executed on behalf of another shard, a stand-in
// that carries the caller's db and protocol). Handlers receive it as their context.

import type { Socket } from "bun";
import { RequestParser } from "../resp/parser.ts";
import { ReplyWriter } from "../resp/writer.ts";
import type { Db } from "../keyspace/db.ts";
import type { Shard } from "./shard.ts";


export interface MultiState {
  queue: Uint8Array[][];
  /** A command failed to queue: EXEC answers EXECABORT. */
  aborted: boolean;
}

export class Client {
  readonly id: number;
  readonly out = new ReplyWriter();
  readonly parser: RequestParser;
  socket: Socket<Client> | null = null;
  /** Parser callback: runs one command, returns false to stop parsing. */
  sink: (argv: Uint8Array[]) => boolean = () => true;

  dbIndex = 0;
  db: Db;
  name: Uint8Array | null = null;
  user = "default";
  authenticated = false;

  addr = "";
  laddr = "";
  readonly createdAt = Date.now();
  lastInteraction = Date.now();
  lastCommand = "NULL";

  multi: MultiState | null = null;
  /** Keys under WATCH, as "db:latin1key" strings; dirty once any of them changed. */
  watched: Set<string> | null = null;
  watchDirty = false;
  /** Shard workers holding WATCHes of this client (multi-shard mode). */
  remoteWatches: Set<number> | null = null;

  channels: Set<string> | null = null;
  patterns: Set<string> | null = null;
  shardChannels: Set<string> | null = null;

  /** CLIENT REPLY OFF: replies are discarded until CLIENT REPLY ON. */
  repliesOff = false;
  /** End of the pub/sub pushes written to out by the running command: CLIENT REPLY OFF/SKIP keep them. */
  pushedUntil = 0;
  /** CLIENT REPLY SKIP: the next command's reply is discarded. */
  skipNext = false;
  noEvict = false;
  /** Set by QUIT and protocol errors: close once the pending replies are written. */
  closeAfterReply = false;
  closed = false;
  /** Bytes of out already handed to the socket (partial writes). */
  sent = 0;
  /** Inside EXEC or a cross-shard step: blocking commands answer at once instead of waiting. */
  noBlock = false;
  /** Parsing stopped (CLIENT PAUSE, blocking commands); resume with resume(). */
  paused = false;
  /** The command that paused parsing, copied out of the transient query buffer. */
  pendingArgv: Uint8Array[] | null = null;
  /** Propagate this command even though it changed no key (PUBLISH reaches replicas). */
  forcePropagation = false;
  /** Argument vector to propagate instead of the executed one (EXPIRE → PEXPIREAT). */
  propagateAs: Uint8Array[][] | null = null;
  netIn = 0;
  netOut = 0;
  monitor = false;
  /** A replica attached to us with SYNC/PSYNC: its output is the replication stream. */
  isReplica = false;
  /** Our master's link: may write on a read-only replica, gets no replies. */
  isMaster = false;
  /** master_repl_offset after this client's last command: what WAIT waits for. */
  woff = 0;

  constructor(public shard: Shard, id: number) {
    this.id = id;
    this.db = shard.dbs[0];
    this.parser = new RequestParser({
      maxBulk: shard.config.getNum("proto-max-bulk-len"),
      maxQuery: shard.config.getNum("client-query-buffer-limit"),
    });
    this.out.onError = (m) => shard.countError(m);
    this.authenticated = shard.config.getStr("requirepass") === "";
  }

  get proto(): 2 | 3 {
    return this.out.proto;
  }

  select(index: number): void {
    this.dbIndex = index;
    this.db = this.shard.dbs[index];
  }

  /** Record a change to key: WATCH invalidation, keyspace notification, dirty counter. */
  written(key: Uint8Array, event: string, type: string): void {
    this.shard.keyModified(this.dbIndex, key);
    this.shard.notify(type, event, key, this.dbIndex);
    this.shard.dirty++;
  }

  /** Queue the effect to propagate in place of the command as sent (AOF/replication). */
  rewrite(argv: Uint8Array[]): void {
    (this.propagateAs ??= []).push(argv);
  }

  get subscriptionCount(): number {
    return (this.channels?.size ?? 0) + (this.patterns?.size ?? 0) + (this.shardChannels?.size ?? 0);
  }

  /** RESP2 clients with subscriptions are restricted to the pub/sub command set. */
  get inPubSubContext(): boolean {
    return this.out.proto === 2 && this.subscriptionCount > 0;
  }
}
