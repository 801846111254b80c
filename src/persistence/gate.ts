// Command gates of the persistence layer. While the dataset loads, clients get -LOADING for
// commands without the "loading" flag; while the last background save or AOF write failed
// (stop-writes-on-bgsave-error), write commands and PING get -MISCONF; while a snapshot
// runs, write commands (and blocked clients being served) run in the snapshot's write
// context so the keys they touch are copied first. The gate wraps command handlers only
// while one of these conditions holds, so normal operation pays nothing.

import { allCommands, type Command, type Handler } from "../commands/table.ts";
import type { Client } from "../server/client.ts";
import type { Shard } from "../server/shard.ts";
import { snapshotsRunning, writeContext } from "./snapshot.ts";

const LOADING = "LOADING Redis is loading the dataset in memory";

export const gate = {
  loading: false,
  /** The client replaying the AOF while loading: its commands pass the LOADING check. */
  loader: null as Client | null,
  /** The -MISCONF error write commands get, or null. */
  misconf: null as string | null,
};

const originals = new Map<Command, Handler>();
let serveReady: (() => void) | null = null;

function gated(cmd: Command, h: Handler): Handler {
  const allowedWhileLoading = cmd.flags.has("loading");
  const isWrite = cmd.isWrite;
  const isPing = cmd.fullName === "ping";
  return (c: Client, argv: Uint8Array[]) => {
    if (gate.loading && !allowedWhileLoading && c !== gate.loader) return c.out.error(LOADING);
    if (gate.misconf !== null && (isWrite || isPing)) return c.out.error(gate.misconf);
    if (isWrite && snapshotsRunning()) {
      writeContext.depth++;
      try {
        h(c, argv);
      } finally {
        writeContext.depth--;
      }
      return;
    }
    h(c, argv);
  };
}

function wrapAll(): void {
  const visit = (cmd: Command) => {
    if (cmd.handler !== null) {
      originals.set(cmd, cmd.handler);
      cmd.handler = gated(cmd, cmd.handler);
    }
    if (cmd.subcommands) for (const sub of cmd.subcommands.values()) visit(sub);
  };
  for (const cmd of allCommands()) visit(cmd);
}

function unwrapAll(): void {
  for (const [cmd, h] of originals) cmd.handler = h;
  originals.clear();
}

/** Re-evaluate after any of the gate's conditions changed. */
export function refreshGate(shard: Shard): void {
  const snapshots = snapshotsRunning();
  const need = gate.loading || gate.misconf !== null || snapshots;
  if (need && originals.size === 0) wrapAll();
  else if (!need && originals.size > 0) unwrapAll();
  const blocking = shard.blocking;
  if (snapshots && serveReady === null) {
    // Serving a blocked client (BLMOVE's push, XREADGROUP's PEL) writes outside any command.
    const own = blocking.serveReady;
    serveReady = own;
    blocking.serveReady = () => {
      writeContext.depth++;
      try {
        own.call(blocking);
      } finally {
        writeContext.depth--;
      }
    };
  } else if (!snapshots && serveReady !== null) {
    delete (blocking as unknown as Record<string, unknown>).serveReady;
    serveReady = null;
  }
}
