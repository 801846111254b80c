// Command dispatch: Redis's processCommand() and call() for one shard worker. Every command,
// whether from a socket, a MULTI queue or another shard, goes through call(), which is the
// single propagation point for writes (AOF, replication).

import { lookupCommandBytes, type Command } from "../commands/table.ts";
import { latin1, lower } from "../util/bytes.ts";
import type { Client } from "./client.ts";
import { NOAUTH, unknownSubcommand, wrongArgs } from "./errors.ts";
import { OOM, performEvictions } from "./evict.ts";
import { scriptBusyError } from "../scripting/run.ts";
import { replication } from "./info.ts";

const MULTI = [new TextEncoder().encode("MULTI")];
const EXEC = [new TextEncoder().encode("EXEC")];

/** Commands run immediately even inside MULTI. */
const MULTI_CONTROL = new Set(["exec", "discard", "multi", "watch", "quit", "reset"]);
/** Commands a RESP2 subscriber may still send. */
const PUBSUB_ALLOWED = new Set(["ping", "subscribe", "ssubscribe", "unsubscribe", "sunsubscribe", "psubscribe", "punsubscribe", "quit", "reset"]);

/** Observers of executed commands (SLOWLOG, LATENCY, MONITOR); installed by their modules. */
export type CallObserver = (c: Client, cmd: Command, argv: Uint8Array[], usec: number) => void;
const observers: CallObserver[] = [];
export function observeCalls(o: CallObserver): void {
  observers.push(o);
}

/** Routing hook for multi-shard deployments: returns true when it took the command. */
export type Router = (c: Client, cmd: Command, argv: Uint8Array[]) => boolean;
let router: Router | null = null;
export function setRouter(r: Router): void {
  router = r;
}

/**
 * Replication's refusals (READONLY, MASTERDOWN, NOREPLICAS): the error for a command the
 * current role forbids, or null. Installed only while one of them can apply.
 */
export type CommandGuard = (c: Client, cmd: Command) => string | null;
let commandGuard: CommandGuard | null = null;
export function setCommandGuard(g: CommandGuard | null): void {
  commandGuard = g;
}

/** Hook deciding whether a command must wait (CLIENT PAUSE); returns true to pause. */
export type PauseCheck = (c: Client, cmd: Command) => boolean;
let pauseCheck: PauseCheck | null = null;
export function setPauseCheck(p: PauseCheck): void {
  pauseCheck = p;
}

function quoteArgs(argv: Uint8Array[]): string {
  let args = "";
  for (let i = 1; i < argv.length && args.length < 128; i++) {
    args += `'${latin1(argv[i]).slice(0, 128 - args.length)}' `;
  }
  return args;
}

/** Reject a command before execution: counts it and poisons an open MULTI. */
function reject(c: Client, message: string, cmd: Command | null): void {
  if (cmd) cmd.rejected++;
  if (cmd?.name === "exec" && c.multi) {
    // execCommandAbort: a rejected EXEC discards the transaction.
    c.multi = null;
    c.shard.unwatchAll(c);
    c.out.error(`EXECABORT Transaction discarded because of: ${message}`);
    return;
  }
  if (c.multi) c.multi.aborted = true;
  c.out.error(message);
}

/** Resolve argv to a command (subcommands included), answering errors itself. */
export function resolve(c: Client, argv: Uint8Array[]): Command | null {
  let cmd = lookupCommandBytes(argv[0]);
  if (!cmd) {
    reject(c, `ERR unknown command '${latin1(argv[0]).slice(0, 128)}', with args beginning with: ${quoteArgs(argv)}`, null);
    return null;
  }
  if (cmd.subcommands && (argv.length >= 2 || cmd.handler === null)) {
    if (argv.length < 2) {
      reject(c, wrongArgs(cmd.name), cmd);
      return null;
    }
    const sub = cmd.subcommands.get(lower(argv[1]));
    if (!sub) {
      reject(c, unknownSubcommand(latin1(argv[1]).slice(0, 128), cmd.name), cmd);
      return null;
    }
    cmd = sub;
  }
  if ((cmd.arity > 0 && argv.length !== cmd.arity) || argv.length < -cmd.arity) {
    reject(c, wrongArgs(cmd.fullName), cmd);
    return null;
  }
  return cmd;
}

/**
 * Process one request from a client. Returns false when the client must stop parsing
 * (paused); the command is then kept and re-run by resume().
 */
export function processCommand(c: Client, argv: Uint8Array[]): boolean {
  const cmd = resolve(c, argv);
  if (cmd === null) return true;
  const shard = c.shard;
  if (cmd.isProtected && !debugAllowed(c)) {
    reject(c, `ERR ${cmd.name.toUpperCase()} command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.`, cmd);
    return true;
  }
  if (!c.authenticated && !cmd.noAuth) {
    reject(c, NOAUTH, cmd);
    return true;
  }
  if (c.inPubSubContext && !PUBSUB_ALLOWED.has(cmd.name)) {
    reject(c, `ERR Can't execute '${cmd.fullName}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`, cmd);
    return true;
  }
  if (shard.maxmemory !== 0 && !performEvictions(shard) && (cmd.denyOom || (cmd.name === "exec" && c.multi?.queue.some(queuedDenyOom)))) {
    reject(c, OOM, cmd);
    return true;
  }
  if (commandGuard !== null && !c.isMaster) {
    const refusal = commandGuard(c, cmd);
    if (refusal !== null) {
      reject(c, refusal, cmd);
      return true;
    }
  }
  // While a long script is paused to keep the server responsive, only allow-busy commands
  // (SCRIPT KILL, SHUTDOWN NOSAVE, ...) run; the rest get BUSY, so the script stays atomic.
  const busy = scriptBusyError(shard, cmd);
  if (busy !== null) {
    reject(c, busy, cmd);
    return true;
  }
  if (c.multi && !MULTI_CONTROL.has(cmd.name)) {
    if (cmd.flags.has("no_multi")) {
      reject(c, "ERR Command not allowed inside a transaction", cmd);
      return true;
    }
    c.multi.queue.push(argv.map((a) => a.slice()));
    c.out.simple("QUEUED");
    return true;
  }
  if (pauseCheck !== null && shard.pausedUntil !== 0 && pauseCheck(c, cmd)) {
    c.paused = true;
    c.pendingArgv = argv.map((a) => a.slice());
    return false;
  }
  if (router !== null && router(c, cmd, argv)) return !c.paused;
  call(c, cmd, argv);
  shard.blocking.serveReady();
  return !c.paused;
}

function queuedDenyOom(argv: Uint8Array[]): boolean {
  return lookupCommandBytes(argv[0])?.denyOom ?? false;
}

function debugAllowed(c: Client): boolean {
  const v = c.shard.config.getStr("enable-debug-command");
  if (v === "yes") return true;
  if (v === "local") return c.addr.startsWith("127.0.0.1:") || c.addr.startsWith("[::1]:") || c.addr.startsWith("/");
  return false;
}

/**
 * End time of the previous command. Commands of one read event run back to back, so one
 * clock read per command times them; every entry point calls markClock() first.
 */
let clock = performance.now();

export function markClock(): void {
  clock = performance.now();
}

/** Execute a resolved command: stats, observers and propagation of its effects. */
export function call(c: Client, cmd: Command, argv: Uint8Array[]): void {
  const shard = c.shard;
  const dirtyBefore = shard.dirty;
  const errorsBefore = shard.stats.errorReplies;
  c.propagateAs = null;
  c.forcePropagation = false;
  const t0 = clock;
  cmd.handler!(c, argv);
  clock = performance.now();
  const usec = Math.round((clock - t0) * 1000);
  cmd.calls++;
  cmd.usec += usec;
  if (shard.stats.errorReplies !== errorsBefore) cmd.failed++;
  shard.stats.commandsProcessed++;
  c.lastCommand = cmd.fullName;
  if (observers.length > 0) for (const o of observers) o(c, cmd, argv, usec);
  if ((shard.dirty !== dirtyBefore || c.forcePropagation) && shard.propagators.length > 0 && !cmd.flags.has("no_propagate")) {
    // The handler may have set it (TS still sees the null assigned above).
    const effects = c.propagateAs as Uint8Array[][] | null;
    if (effects === null) shard.propagate(c.dbIndex, argv);
    else if (effects.length === 1 || c.noBlock) for (const eff of effects) shard.propagate(c.dbIndex, eff);
    else if (effects.length > 1) {
      // Several effects of one command reach replicas and the AOF as one transaction
      // (inside EXEC the transaction itself does the wrapping).
      shard.propagate(c.dbIndex, MULTI);
      for (const eff of effects) shard.propagate(c.dbIndex, eff);
      shard.propagate(c.dbIndex, EXEC);
    }
  }
  // Commands inside EXEC propagate with it: the offset that matters is after the EXEC.
  if (!c.noBlock) c.woff = replication.offset;
}
