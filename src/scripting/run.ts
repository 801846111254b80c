// One script invocation (script.c): the checks before it runs, the commands it runs through
// the dispatcher as the stand-in client, the propagation of its effects, SCRIPT/FUNCTION KILL,
// and the yield to the event loop once it outlives busy-reply-threshold.
//
// While a script runs, key expiry uses the time it started (Redis's script time snapshot), and
// the effects of its write commands are collected and propagated together afterwards, wrapped
// in MULTI/EXEC when there is more than one (Redis 7.0 always replicates scripts as effects).

import { Interrupt, REPL_AOF, REPL_REPLICA, type Execution, type LuaEngine, type ScriptContext } from "./engine.ts";
import { ALLOW_OOM, EVAL_COMPAT_MODE, NO_CLUSTER, NO_WRITES } from "./flags.ts";
import { scripting, type ScriptingState } from "./state.ts";
import { lookupCommandBytes, type Command } from "../commands/table.ts";
import { call } from "../server/dispatch.ts";
import { OOM, performEvictions } from "../server/evict.ts";
import { replication } from "../server/info.ts";
import { readOnlyReplica } from "../replication/feed.ts";
import { wakeBlocked } from "../server/net.ts";
import type { Client } from "../server/client.ts";
import { Shard } from "../server/shard.ts";
import { bytes, lower } from "../util/bytes.ts";

export const BUSY_EVAL = "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";
export const BUSY_FUNCTION = "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.";
const NOREPLICAS = "NOREPLICAS Not enough good replicas to write.";
const READONLY = "READONLY You can't write against a read only replica.";
const LOG_LEVEL_NAMES = ["debug", "verbose", "notice", "warning"];
const MULTI_ARGV = [bytes("MULTI")];
const EXEC_ARGV = [bytes("EXEC")];

/** min-replicas-to-write: are enough replicas connected with a small enough lag? */
function enoughGoodReplicas(shard: Shard): boolean {
  const want = shard.config.getNum("min-replicas-to-write");
  const maxLag = shard.config.getNum("min-replicas-max-lag");
  if (want === 0 || maxLag === 0) return true;
  return replication.replicas().filter((r) => r.lag <= maxLag).length >= want;
}

/** The command argv names, resolved like the dispatcher does (containers to subcommands). */
function lookupScriptCommand(argv: Uint8Array[]): Command | null {
  const cmd = lookupCommandBytes(argv[0]);
  if (cmd === undefined) return null;
  if (cmd.subcommands !== null && (argv.length >= 2 || cmd.handler === null)) {
    if (argv.length < 2) return cmd;
    return cmd.subcommands.get(lower(argv[1])) ?? null;
  }
  return cmd;
}

export class ScriptRun implements ScriptContext {
  resp: 2 | 3 = 2;
  replFlags = REPL_AOF | REPL_REPLICA;
  killed = false;
  timedOut = false;
  /** The script already ran a write command: it can no longer be refused or killed. */
  writeDirty = false;
  readonly startedAt = performance.now();
  /** Wall-clock time the script sees for the whole run. */
  readonly snapshot = Date.now();
  private readonly readOnly: boolean;
  private readonly allowOom: boolean;
  /** maxmemory was exceeded when the script started (pre_command_oom_state). */
  private readonly oom: boolean;
  private readonly threshold: number;
  private readonly effects: [number, Uint8Array[]][] = [];
  private execution: Execution | null = null;

  constructor(
    readonly state: ScriptingState,
    readonly caller: Client,
    /** The command that started it, for FUNCTION STATS. */
    readonly argv: Uint8Array[],
    /** SHA1 of an EVAL script or the function's name. */
    readonly name: string,
    readonly isEval: boolean,
    flags: number,
    ro: boolean,
    oom: boolean,
  ) {
    const compat = (flags & EVAL_COMPAT_MODE) !== 0;
    this.readOnly = ro || (!compat && (flags & NO_WRITES) !== 0);
    this.allowOom = !compat && (flags & ALLOW_OOM) !== 0;
    this.oom = oom;
    this.threshold = state.shard.config.getNum("busy-reply-threshold");
  }

  private get shard(): Shard {
    return this.state.shard;
  }

  /** scriptCall(): the checks Redis applies to a command from a script, then the command. */
  command(argv: Uint8Array[]): Uint8Array | string {
    const cmd = lookupScriptCommand(argv);
    const refuse = (message: string) => {
      this.shard.countError(message.startsWith("-") ? message.slice(1) : `ERR ${message}`);
      if (cmd !== null) cmd.rejected++;
      return message;
    };
    if (cmd === null) return refuse("Unknown Redis command called from script");
    if ((cmd.arity > 0 && argv.length !== cmd.arity) || argv.length < -cmd.arity) {
      return refuse("Wrong number of args calling Redis command from script");
    }
    if (!this.state.disableDenyScripts && cmd.flags.has("noscript")) return refuse("This Redis command is not allowed from script");
    if (this.readOnly && (cmd.isWrite || cmd.flags.has("may_replicate"))) {
      return refuse("Write commands are not allowed from read-only scripts.");
    }
    if (cmd.isWrite && !this.writeDirty && readOnlyReplica(this.shard)) return refuse("-" + READONLY);
    if (cmd.isWrite && !this.writeDirty && !enoughGoodReplicas(this.shard)) return refuse("-" + NOREPLICAS);
    if (!this.allowOom && this.oom && !this.writeDirty && cmd.denyOom) return refuse("-" + OOM);
    if (cmd.isWrite) this.writeDirty = true;
    const lc = this.state.client;
    lc.out.len = 0;
    lc.out.proto = this.resp;
    call(lc, cmd, argv);
    return lc.out.buf.subarray(0, lc.out.len);
  }

  commandExists(argv: Uint8Array[]): boolean {
    return lookupScriptCommand(argv) !== null;
  }

  log(level: number, message: string): void {
    this.shard.log(LOG_LEVEL_NAMES[level], message);
  }

  interrupt(): Interrupt {
    if (!this.timedOut) {
      const elapsed = Math.floor(performance.now() - this.startedAt);
      if (elapsed < this.threshold) return Interrupt.Continue;
      this.shard.log(
        "warning",
        `Slow script detected: still in execution after ${elapsed} milliseconds. You can try killing the script using the ${this.isEval ? "SCRIPT KILL" : "FUNCTION KILL"} command. Script name is: ${this.name}.`,
      );
      this.timedOut = true;
    }
    if (this.killed) {
      this.shard.log("warning", "Lua script killed by user with SCRIPT KILL.");
      return Interrupt.Kill;
    }
    return this.canYield() ? Interrupt.Yield : Interrupt.Continue;
  }

  /** Only a script of a client with a connection can wait for the event loop (not one inside
   *  EXEC or run for another shard, whose reply is expected at once). A caller that disconnects
   *  meanwhile does not stop the script, which goes on yielding until it ends or is killed. */
  private canYield(): boolean {
    return this.caller.socket !== null && !this.caller.noBlock;
  }

  get durationMs(): number {
    return Math.floor(performance.now() - this.startedAt);
  }

  /**
   * Run (part of) the script: commands see the start time, and effects are collected.
   * Returns true once the script has finished.
   */
  private step(): boolean {
    const shard = this.shard;
    const now = Date.now;
    const propagate = shard.propagate;
    Date.now = () => this.snapshot;
    shard.propagate = (dbIndex, argv) => {
      if (this.replFlags !== 0) this.effects.push([dbIndex, argv]);
    };
    try {
      return this.execution!.resume();
    } finally {
      Date.now = now;
      shard.propagate = propagate;
    }
  }

  /**
   * Start the script and, if it finishes without yielding, reply. A script that yields keeps
   * its caller paused until it ends. self is the command that runs it (EVAL, FCALL, ...).
   */
  run(engine: LuaEngine, ref: number, args: [Uint8Array[], Uint8Array[]] | null, self: Command): void {
    const stats = this.shard.stats;
    const errorsBefore = stats.errorReplies;
    this.state.client.select(this.caller.dbIndex);
    this.execution = engine.start(this, ref, args, this.threshold);
    this.state.running = this;
    if (this.step()) {
      countFailure(self, stats.errorReplies !== errorsBefore, this.finish(engine));
      return;
    }
    const countedAtSuspend = stats.errorReplies !== errorsBefore;
    this.caller.paused = true;
    const resume = () => {
      if (!this.step()) {
        setImmediate(resume);
        return;
      }
      countFailure(self, countedAtSuspend, this.finish(engine));
      this.shard.blocking.serveReady();
      wakeBlocked(this.caller);
    };
    setImmediate(resume);
  }

  /** Reply with the script's outcome; returns whether the reply holds an error. */
  private finish(engine: LuaEngine): boolean {
    const out = this.caller.out;
    let failed = false;
    const errors = {
      error: (message: string, ignoreStats: boolean) => {
        failed = true;
        const hook = out.onError;
        if (ignoreStats) out.onError = null;
        out.error(message);
        out.onError = hook;
      },
    };
    this.execution!.reply(out, this.resp, this.name, errors);
    engine.finish(this.execution!);
    this.state.running = null;
    this.propagateEffects();
    return failed;
  }

  /** Propagate the script's effects, as one transaction when there are several. Inside EXEC
   *  (whose effects are being collected) they join the transaction's own MULTI/EXEC. */
  private propagateEffects(): void {
    const effects = this.effects;
    if (effects.length === 0) return;
    const shard = this.shard;
    const wrap = effects.length > 1 && shard.propagate === Shard.prototype.propagate;
    if (wrap) shard.propagate(effects[0][0], MULTI_ARGV);
    for (const [dbIndex, argv] of effects) shard.propagate(dbIndex, argv);
    if (wrap) shard.propagate(effects[effects.length - 1][0], EXEC_ARGV);
  }
}

/**
 * The dispatcher counts a command as failed when error replies were counted while it ran
 * (counted). A script fails only when its own reply holds an error, whatever the commands it
 * ran (and caught with pcall) answered: set the count right.
 */
function countFailure(self: Command, counted: boolean, failed: boolean): void {
  if (counted && !failed) self.failed--;
  else if (!counted && failed) self.failed++;
}

/**
 * scriptPrepareForRun(): refuse to run a script the server state does not allow. Returns the
 * error to reply with, or null.
 */
export function prepareError(c: Client, flags: number, ro: boolean, oom: boolean): string | null {
  const shard = c.shard;
  if ((flags & EVAL_COMPAT_MODE) !== 0) return null;
  if ((flags & NO_CLUSTER) !== 0 && shard.config.getBool("cluster-enabled")) return "ERR Can not run script on cluster, 'no-cluster' flag is set.";
  if ((flags & NO_WRITES) === 0) {
    if (readOnlyReplica(shard)) return "READONLY Can not run script with write flag on readonly replica";
    if (ro) return "ERR Can not execute a script with write flag using *_ro command.";
    if (!enoughGoodReplicas(shard)) return NOREPLICAS;
  }
  if ((flags & (ALLOW_OOM | NO_WRITES)) === 0 && oom) {
    return "OOM allow-oom flag is not set on the script, can not run it when used memory > 'maxmemory'";
  }
  return null;
}

/** Redis's pre_command_oom_state: over maxmemory even after evicting what can be evicted. */
export function outOfMemory(shard: Shard): boolean {
  return shard.maxmemory !== 0 && !performEvictions(shard);
}

/** SCRIPT KILL (isEval) / FUNCTION KILL: the error to reply with, or null when killed. */
export function killScript(shard: Shard, isEval: boolean): string | null {
  const run = scripting(shard).running;
  if (run === null) return "NOTBUSY No scripts in execution right now.";
  if (run.writeDirty) {
    return "UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.";
  }
  if (isEval && !run.isEval) return BUSY_FUNCTION;
  if (!isEval && run.isEval) return BUSY_EVAL;
  run.killed = true;
  return null;
}

/**
 * The reply Redis gives any command other than allow-busy ones while a script is running
 * past busy-reply-threshold, or null when the command may run.
 */
export function scriptBusyError(shard: Shard, cmd: Command): string | null {
  const run = scripting(shard).running;
  if (run === null || !run.timedOut || cmd.flags.has("allow_busy")) return null;
  return run.isEval ? BUSY_EVAL : BUSY_FUNCTION;
}
