// Per-shard scripting state: the EVAL engine and its script cache, the FUNCTION engine and its
// libraries, the stand-in client scripts run commands as, and the invocation in progress.

import { Client } from "../server/client.ts";
import type { Shard } from "../server/shard.ts";
import { LuaEngine } from "./engine.ts";
import type { ScriptRun } from "./run.ts";

/** A script in the EVAL cache. */
export interface CachedScript {
  body: Uint8Array;
  flags: number;
  /** Registry reference of the compiled function. */
  ref: number;
}

export interface FunctionInfo {
  name: string;
  description: Uint8Array | null;
  flags: number;
  ref: number;
  library: Library;
}

export interface Library {
  name: string;
  /** The whole FUNCTION LOAD payload, shebang included. */
  code: Uint8Array;
  functions: Map<string, FunctionInfo>;
}

export class ScriptingState {
  evalEngine = new LuaEngine(true);
  /** SHA1 (lower-case hex) → script. */
  scripts = new Map<string, CachedScript>();
  scriptsBytes = 0;
  readonly fnEngine = new LuaEngine(false);
  /** Library name → library. */
  libraries = new Map<string, Library>();
  /** Lower-cased function name → function (names are case-insensitive). */
  functions = new Map<string, FunctionInfo>();
  /** The client scripts run their commands as (Redis's lua_client). */
  readonly client: Client;
  /** The invocation in progress, also while it is suspended past busy-reply-threshold. */
  running: ScriptRun | null = null;
  /** DEBUG SET-DISABLE-DENY-SCRIPTS: let scripts call noscript commands. */
  disableDenyScripts = false;

  constructor(readonly shard: Shard) {
    const c = new Client(shard, shard.nextClientId());
    c.authenticated = true;
    c.addr = "lua";
    // Blocking commands answer at once from scripts (CLIENT_DENY_BLOCKING).
    c.noBlock = true;
    this.client = c;
  }

  /** SCRIPT FLUSH: a fresh interpreter and an empty cache. */
  resetEval(): void {
    this.evalEngine = new LuaEngine(true);
    this.scripts = new Map();
    this.scriptsBytes = 0;
  }
}

const states = new WeakMap<Shard, ScriptingState>();

export function scripting(shard: Shard): ScriptingState {
  let s = states.get(shard);
  if (s === undefined) states.set(shard, (s = new ScriptingState(shard)));
  return s;
}
