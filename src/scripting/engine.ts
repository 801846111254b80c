// One Lua interpreter with Redis's scripting environment (script_lua.c): the libraries Redis
// loads, the redis.* API, protected globals, Redis's math.random, and script execution.
//
// EVAL scripts and FUNCTION libraries each get their own engine, as in Redis. A script runs
// inside a coroutine so the count hook can yield it when it outlives busy-reply-threshold: the
// worker then goes back to its event loop (answering BUSY, serving SCRIPT KILL) and resumes it.

import { lua, lauxlib, lualib, formatG, isReadonly, pushBytes, setFunctions, setReadonly, to_luastring, type LuaState } from "./lua.ts";
import { errorInfo, pushErrorTable, pushRespReply, writeLuaReply, type ErrorSink } from "./convert.ts";
import { openBit } from "./libs/bit.ts";
import { openCjson } from "./libs/cjson.ts";
import { openCmsgpack } from "./libs/cmsgpack.ts";
import { openStruct } from "./libs/struct.ts";
import { sha1hex } from "./sha1.ts";
import { REDIS_VERSION } from "../version.ts";
import type { ReplyWriter } from "../resp/writer.ts";
import { str } from "../util/bytes.ts";

/** What the count hook tells a running script to do. */
export const enum Interrupt {
  Continue,
  /** Let the event loop run (the script has been running past busy-reply-threshold). */
  Yield,
  /** SCRIPT KILL / FUNCTION KILL. */
  Kill,
}

/** The server side of a script invocation (scriptRunCtx): what redis.* calls need. */
export interface ScriptContext {
  /** Run a command for redis.call/pcall: the reply bytes, or an error message when refused. */
  command(argv: Uint8Array[]): Uint8Array | string;
  /** The protocol replies are produced in (redis.setresp). */
  resp: 2 | 3;
  /** redis.set_repl flags. */
  replFlags: number;
  /** redis.acl_check_cmd: whether the command exists. */
  commandExists(argv: Uint8Array[]): boolean;
  log(level: number, message: string): void;
  /** Called every HOOK_INSTRUCTIONS instructions. */
  interrupt(): Interrupt;
}

/** An in-progress FUNCTION LOAD: where redis.register_function puts what it registers. */
export interface LoadContext {
  registerFunction(L: LuaState): number;
  startedAt: number;
  timeoutMs: number;
}

export const REPL_AOF = 1;
export const REPL_REPLICA = 2;
const HOOK_INSTRUCTIONS = 100000;
const LOG_LEVELS = ["LOG_DEBUG", "LOG_VERBOSE", "LOG_NOTICE", "LOG_WARNING"];
const REDIS_VERSION_NUM = REDIS_VERSION.split(".").reduce((acc, part) => acc * 256 + Number(part), 0);

/** Redis's lrand48 (rand.c): the same sequence for the same seed on every platform. */
class Rand48 {
  private x = 0x1234abcd330en;

  seed(v: number): void {
    this.x = ((BigInt(v >>> 0) << 16n) | 0x330en) & 0xffffffffffffn;
  }

  next(): number {
    this.x = (this.x * 0x5deece66dn + 0xbn) & 0xffffffffffffn;
    return Number(this.x >> 17n);
  }
}

const LRAND48_MAX = 2147483647;

/** The outcome of a finished script: its return value (or error) waits on the thread's stack. */
export class Execution {
  private started = false;
  /** Lua status once finished. */
  status = -1;

  constructor(
    private readonly engine: LuaEngine,
    readonly co: LuaState,
    private readonly nargs: number,
  ) {}

  /** Run until the script ends (true) or yields to the event loop (false). */
  resume(): boolean {
    const status = lua.lua_resume(this.co, this.engine.L, this.started ? 0 : this.nargs);
    this.started = true;
    if (status === lua.LUA_YIELD) return false;
    this.status = status;
    return true;
  }

  /** Write the script's result (or error) as the reply. */
  reply(out: ReplyWriter, resp: number, funcName: string, errors: ErrorSink): void {
    const co = this.co;
    if (this.status === lua.LUA_OK && lua.lua_toboolean(co, 1)) {
      lua.lua_settop(co, 2);
      writeLuaReply(co, out, resp, errors);
      return;
    }
    if (lua.lua_type(co, -1) !== lua.LUA_TTABLE) {
      const msg = lua.lua_isstring(co, -1) ? str(lua.lua_tolstring(co, -1)!) : "execution failure";
      errors.error(`ERR Error running script ${funcName}, ${msg.slice(0, 100)}`, false);
      return;
    }
    const info = errorInfo(co, -1);
    let message = info.message;
    if (info.line !== null && info.source !== null) message += ` script: ${funcName}, on ${info.source}:${info.line}.`;
    errors.error(message, info.ignoreStats);
  }
}

export class LuaEngine {
  readonly L: LuaState;
  /** The invocation running now (REGISTRY_RUN_CTX). */
  ctx: ScriptContext | null = null;
  /** The execution the hook may yield. */
  private current: LuaState | null = null;
  /** A finished coroutine kept for the next script (creating one per call costs). */
  private spare: LuaState | null = null;
  private readonly rand = new Rand48();
  private readonly handlerRef: number;
  private readonly xpcallRef: number;
  /** Function engine: the API a library sees while it loads, and the real globals. */
  private libraryApiRef = 0;
  private globalsRef = 0;
  /** The FUNCTION LOAD in progress. */
  private loading: LoadContext | null = null;

  constructor(readonly isEval: boolean) {
    const L = (this.L = lauxlib.luaL_newstate());
    lua.lua_atnativeerror(L, (L) => {
      const e = lua.lua_touserdata(L, 1);
      lua.lua_pushstring(L, e instanceof Error ? e.message : String(e));
      return 1;
    });
    this.loadLibraries();
    lua.lua_getglobal(L, "xpcall");
    this.xpcallRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    lua.lua_pushcfunction(L, errorHandler);
    this.handlerRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    lua.lua_newtable(L);
    this.registerRedisApi();
    lua.lua_setglobal(L, "redis");
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, lua.LUA_RIDX_GLOBALS);
    setErrorMetatable(L);
    this.protectRecursively(L);
    lua.lua_pop(L, 1);
    if (!isEval) this.isolateLibraries();
  }

  /**
   * Function engine (luaEngineInitEngine): libraries see only redis.register_function, log and
   * the version while they load. Their code runs with an empty, read-only globals table whose
   * metatable points at the library API during FUNCTION LOAD and at the real globals after.
   */
  private isolateLibraries(): void {
    const L = this.L;
    lua.lua_newtable(L);
    lua.lua_newtable(L);
    lua.lua_pushcfunction(L, (L) => {
      if (this.loading === null) return raiseError(L, "redis.register_function can only be called on FUNCTION LOAD command");
      return this.loading.registerFunction(L);
    });
    lua.lua_setfield(L, -2, "register_function");
    this.registerLog(L);
    registerVersion(L);
    setErrorMetatable(L);
    lua.lua_setfield(L, -2, "redis");
    setErrorMetatable(L);
    this.protectRecursively(L);
    this.libraryApiRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, lua.LUA_RIDX_GLOBALS);
    this.globalsRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    lua.lua_newtable(L);
    lua.lua_newtable(L);
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, this.globalsRef);
    lua.lua_setfield(L, -2, "__index");
    setReadonly(L, -1, true);
    lua.lua_setmetatable(L, -2);
    setReadonly(L, -1, true);
    lua.lua_rawseti(L, lua.LUA_REGISTRYINDEX, lua.LUA_RIDX_GLOBALS);
  }

  /** Point the library globals' metatable at the library API (loading) or the real globals. */
  private libraryGlobals(ref: number): void {
    const L = this.L;
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, lua.LUA_RIDX_GLOBALS);
    lua.lua_getmetatable(L, -1);
    setReadonly(L, -1, false);
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, ref);
    lua.lua_setfield(L, -2, "__index");
    setReadonly(L, -1, true);
    lua.lua_pop(L, 2);
  }

  /**
   * Run a library's code so it registers its functions (luaEngineCreate). Returns an error
   * message, or null. Runs to completion: FUNCTION LOAD fails after ctx.timeoutMs.
   */
  loadLibrary(code: Uint8Array, ctx: LoadContext): string | null {
    const L = this.L;
    const ref = this.compile(code, "@user_function");
    if (typeof ref === "string") return `Error compiling function: ${ref}`;
    this.libraryGlobals(this.libraryApiRef);
    this.loading = ctx;
    const hook = (L: LuaState) => {
      if (ctx.timeoutMs > 0 && performance.now() - ctx.startedAt > ctx.timeoutMs) {
        lua.lua_sethook(L, hook, lua.LUA_MASKLINE, 0);
        raiseError(L, "FUNCTION LOAD timeout");
      }
    };
    lua.lua_sethook(L, hook, lua.LUA_MASKCOUNT, HOOK_INSTRUCTIONS);
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, ref);
    this.release(ref);
    let err: string | null = null;
    if (lua.lua_pcall(L, 0, 0, 0) !== lua.LUA_OK) {
      err = `Error registering functions: ${errorInfo(L, -1).message}`;
      lua.lua_pop(L, 1);
    }
    lua.lua_sethook(L, null, 0, 0);
    this.loading = null;
    this.libraryGlobals(this.globalsRef);
    return err;
  }

  private loadLibraries(): void {
    const L = this.L;
    const libs: [string, (L: LuaState) => number][] = [
      ["_G", lualib.luaopen_base],
      ["coroutine", lualib.luaopen_coroutine],
      ["table", lualib.luaopen_table],
      ["string", lualib.luaopen_string],
      ["math", lualib.luaopen_math],
      ["cjson", openCjson],
      ["struct", openStruct],
      ["cmsgpack", openCmsgpack],
      ["bit", openBit],
    ];
    for (const [name, open] of libs) {
      lauxlib.luaL_requiref(L, name, open, 1);
      lua.lua_pop(L, 1);
    }
    for (const name of ["dofile", "loadfile", "print"]) {
      lua.lua_pushnil(L);
      lua.lua_setglobal(L, name);
    }
    lua.lua_pushstring(L, "Lua 5.1");
    lua.lua_setglobal(L, "_VERSION");
    this.addLua51Compat();
  }

  /** Lua 5.1 functions scripts still use, and 5.1 behaviour where 5.3's differs. */
  private addLua51Compat(): void {
    const L = this.L;
    lua.lua_getglobal(L, "table");
    lua.lua_getfield(L, -1, "unpack");
    lua.lua_setglobal(L, "unpack");
    setFunctions(L, {
      getn: (L) => {
        lauxlib.luaL_checktype(L, 1, lua.LUA_TTABLE);
        lua.lua_pushnumber(L, lua.lua_rawlen(L, 1));
        return 1;
      },
      maxn: (L) => {
        lauxlib.luaL_checktype(L, 1, lua.LUA_TTABLE);
        let max = 0;
        lua.lua_pushnil(L);
        while (lua.lua_next(L, 1)) {
          lua.lua_pop(L, 1);
          if (lua.lua_type(L, -1) === lua.LUA_TNUMBER) max = Math.max(max, lua.lua_tonumber(L, -1));
        }
        lua.lua_pushnumber(L, max);
        return 1;
      },
    });
    lua.lua_pop(L, 1);
    lua.lua_getglobal(L, "math");
    const unary = (f: (x: number) => number) => (L: LuaState) => {
      lua.lua_pushnumber(L, f(lauxlib.luaL_checknumber(L, 1)));
      return 1;
    };
    setFunctions(L, {
      floor: unary(Math.floor),
      ceil: unary(Math.ceil),
      log10: unary(Math.log10),
      cosh: unary(Math.cosh),
      sinh: unary(Math.sinh),
      tanh: unary(Math.tanh),
      pow: (L) => {
        lua.lua_pushnumber(L, lauxlib.luaL_checknumber(L, 1) ** lauxlib.luaL_checknumber(L, 2));
        return 1;
      },
      ldexp: (L) => {
        lua.lua_pushnumber(L, lauxlib.luaL_checknumber(L, 1) * 2 ** lauxlib.luaL_checkinteger(L, 2));
        return 1;
      },
      frexp: (L) => {
        const x = lauxlib.luaL_checknumber(L, 1);
        if (x === 0 || !Number.isFinite(x)) {
          lua.lua_pushnumber(L, x);
          lua.lua_pushnumber(L, 0);
          return 2;
        }
        const e = Math.floor(Math.log2(Math.abs(x))) + 1;
        lua.lua_pushnumber(L, x / 2 ** e);
        lua.lua_pushnumber(L, e);
        return 2;
      },
      random: (L) => this.mathRandom(L),
      randomseed: (L) => {
        if (!this.ctx) return lauxlib.luaL_error(L, "math.randomseed can only be called inside a script invocation");
        this.rand.seed(lauxlib.luaL_checkinteger(L, 1));
        return 0;
      },
    });
    lua.lua_pop(L, 1);
    lua.lua_pushcfunction(L, (L) => {
      const s = lauxlib.luaL_checklstring(L, 1);
      const name = lua.lua_type(L, 2) > lua.LUA_TNIL ? lauxlib.luaL_checklstring(L, 2) : s;
      // Text only: Redis refuses precompiled (binary) chunks.
      if (lauxlib.luaL_loadbufferx(L, s, s.length, name, "t") === lua.LUA_OK) return 1;
      lua.lua_pushnil(L);
      lua.lua_insert(L, -2);
      return 2;
    });
    lua.lua_setglobal(L, "loadstring");
    lua.lua_pushcfunction(L, redisPcall);
    lua.lua_setglobal(L, "pcall");
  }

  /** Redis's math.random: lrand48-based, so a seed gives the same numbers everywhere. */
  private mathRandom(L: LuaState): number {
    if (!this.ctx) return lauxlib.luaL_error(L, "math.random can only be called inside a script invocation");
    const r = (this.rand.next() % LRAND48_MAX) / LRAND48_MAX;
    switch (lua.lua_gettop(L)) {
      case 0:
        lua.lua_pushnumber(L, r);
        return 1;
      case 1: {
        const u = lauxlib.luaL_checkinteger(L, 1);
        if (u < 1) lauxlib.luaL_argerror(L, 1, "interval is empty");
        lua.lua_pushnumber(L, Math.floor(r * u) + 1);
        return 1;
      }
      case 2: {
        const l = lauxlib.luaL_checkinteger(L, 1);
        const u = lauxlib.luaL_checkinteger(L, 2);
        if (l > u) lauxlib.luaL_argerror(L, 2, "interval is empty");
        lua.lua_pushnumber(L, Math.floor(r * (u - l + 1)) + l);
        return 1;
      }
      default:
        return lauxlib.luaL_error(L, "wrong number of arguments");
    }
  }

  /** Fill the table at the top of the stack with the redis.* API (luaRegisterRedisAPI). */
  private registerRedisApi(): void {
    const L = this.L;
    setFunctions(L, {
      call: (L) => this.redisCommand(L, true),
      pcall: (L) => this.redisCommand(L, false),
      setresp: (L) => {
        const ctx = this.requireCtx(L, "redis.setresp");
        if (lua.lua_gettop(L) !== 1) return raiseError(L, "redis.setresp() requires one argument.");
        const resp = lua.lua_tonumber(L, 1);
        if (resp !== 2 && resp !== 3) return raiseError(L, "RESP version must be 2 or 3.");
        ctx.resp = resp;
        return 0;
      },
      sha1hex: (L) => {
        if (lua.lua_gettop(L) !== 1) return raiseError(L, "wrong number of arguments");
        lua.lua_pushstring(L, sha1hex(lua.lua_tolstring(L, 1) ?? new Uint8Array(0)));
        return 1;
      },
      error_reply: (L) => {
        if (lua.lua_gettop(L) !== 1 || lua.lua_type(L, -1) !== lua.LUA_TSTRING) {
          pushErrorTable(L, "wrong number or type of arguments");
          return 1;
        }
        const err = str(lua.lua_tolstring(L, -1)!);
        pushErrorTable(L, err.startsWith("-") ? err : "-" + err);
        return 1;
      },
      status_reply: (L) => {
        if (lua.lua_gettop(L) !== 1 || lua.lua_type(L, -1) !== lua.LUA_TSTRING) {
          pushErrorTable(L, "wrong number or type of arguments");
          return 1;
        }
        lua.lua_newtable(L);
        lua.lua_pushvalue(L, -2);
        lua.lua_setfield(L, -2, "ok");
        return 1;
      },
      set_repl: (L) => {
        const ctx = this.requireCtx(L, "redis.set_repl");
        if (lua.lua_gettop(L) !== 1) return raiseError(L, "redis.set_repl() requires two arguments.");
        const flags = lua.lua_tonumber(L, -1) | 0;
        if ((flags & ~(REPL_AOF | REPL_REPLICA)) !== 0) return raiseError(L, "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.");
        ctx.replFlags = flags;
        return 0;
      },
      acl_check_cmd: (L) => {
        const ctx = this.requireCtx(L, "redis.acl_check_cmd");
        const argv = argsToArgv(L);
        if (typeof argv === "string") return raiseError(L, argv);
        if (!ctx.commandExists(argv)) return raiseError(L, "Invalid command passed to redis.acl_check_cmd()");
        lua.lua_pushboolean(L, true);
        return 1;
      },
    });
    this.registerLog(L);
    registerVersion(L);
    for (const [name, value] of [["REPL_NONE", 0], ["REPL_AOF", REPL_AOF], ["REPL_SLAVE", REPL_REPLICA], ["REPL_REPLICA", REPL_REPLICA], ["REPL_ALL", REPL_AOF | REPL_REPLICA]] as const) {
      lua.lua_pushnumber(L, value);
      lua.lua_setfield(L, -2, name);
    }
    if (this.isEval) {
      setFunctions(L, {
        breakpoint: (L) => {
          lua.lua_pushboolean(L, false);
          return 1;
        },
        debug: () => 0,
        replicate_commands: (L) => {
          lua.lua_pushboolean(L, true);
          return 1;
        },
      });
    }
  }

  /** redis.log and the LOG_* levels, on the table at the top of the stack. */
  registerLog(L: LuaState): void {
    lua.lua_pushcfunction(L, (L) => {
      const argc = lua.lua_gettop(L);
      if (argc < 2) return raiseError(L, "redis.log() requires two arguments or more.");
      if (!lua.lua_isnumber(L, 1)) return raiseError(L, "First argument must be a number (log level).");
      const level = lua.lua_tonumber(L, 1);
      if (level < 0 || level > 3) return raiseError(L, "Invalid debug level.");
      const parts: string[] = [];
      for (let j = 2; j <= argc; j++) {
        const s = lua.lua_tolstring(L, j);
        if (s !== null) parts.push(str(s));
      }
      this.ctx?.log(Math.trunc(level), parts.join(" "));
      return 0;
    });
    lua.lua_setfield(L, -2, "log");
    LOG_LEVELS.forEach((name, level) => {
      lua.lua_pushnumber(L, level);
      lua.lua_setfield(L, -2, name);
    });
  }

  private requireCtx(L: LuaState, what: string): ScriptContext {
    if (this.ctx === null) raiseError(L, `${what} can only be called inside a script invocation`);
    return this.ctx!;
  }

  /** luaRedisGenericCommand(): redis.call (raise) and redis.pcall. */
  private redisCommand(L: LuaState, raiseOnError: boolean): number {
    const ctx = this.requireCtx(L, "redis.call/pcall");
    const argv = argsToArgv(L);
    if (typeof argv === "string") {
      pushErrorTable(L, argv);
      return raiseOnError ? lua.lua_error(L) : 1;
    }
    const reply = ctx.command(argv);
    if (typeof reply === "string") {
      pushErrorTable(L, reply, true);
      return raiseOnError ? lua.lua_error(L) : 1;
    }
    lua.lua_settop(L, 0);
    pushRespReply(L, reply);
    if (raiseOnError && reply[0] === 0x2d) return lua.lua_error(L);
    return 1;
  }

  /** Compile a chunk into a function kept in the registry; returns its reference or the error. */
  compile(body: Uint8Array, chunkName: string): number | string {
    const L = this.L;
    if (lauxlib.luaL_loadbufferx(L, body, body.length, chunkName, "t") !== lua.LUA_OK) {
      const err = str(lua.lua_tolstring(L, -1) ?? new Uint8Array(0));
      lua.lua_pop(L, 1);
      return err;
    }
    return lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
  }

  release(ref: number): void {
    lauxlib.luaL_unref(this.L, lua.LUA_REGISTRYINDEX, ref);
  }

  /** Set a global while the globals table is protected (KEYS and ARGV of EVAL). */
  setGlobalArray(name: string, items: Uint8Array[]): void {
    const L = this.L;
    pushArray(L, items);
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, lua.LUA_RIDX_GLOBALS);
    setReadonly(L, -1, false);
    lua.lua_insert(L, -2);
    lua.lua_setfield(L, -2, name);
    setReadonly(L, -1, true);
    lua.lua_pop(L, 1);
  }

  /**
   * Prepare a run of the function `ref` in a fresh coroutine, under Redis's error handler;
   * with args (FCALL) the function gets the KEYS and ARGV tables as arguments.
   */
  start(ctx: ScriptContext, ref: number, args: [Uint8Array[], Uint8Array[]] | null, threshold: number): Execution {
    const L = this.L;
    let co = this.spare;
    this.spare = null;
    if (co === null) {
      co = lua.lua_newthread(L);
      lua.lua_pop(L, 1);
    }
    lua.lua_rawgeti(co, lua.LUA_REGISTRYINDEX, this.xpcallRef);
    lua.lua_rawgeti(co, lua.LUA_REGISTRYINDEX, ref);
    lua.lua_rawgeti(co, lua.LUA_REGISTRYINDEX, this.handlerRef);
    if (args !== null) {
      pushArray(co, args[0]);
      pushArray(co, args[1]);
    }
    lua.lua_sethook(co, threshold > 0 ? this.hook : null, threshold > 0 ? lua.LUA_MASKCOUNT : 0, HOOK_INSTRUCTIONS);
    this.ctx = ctx;
    this.current = co;
    return new Execution(this, co, args === null ? 2 : 4);
  }

  /** The invocation is over. A coroutine that returned normally can run the next script. */
  finish(exec: Execution): void {
    if (exec.status === lua.LUA_OK) {
      lua.lua_settop(exec.co, 0);
      this.spare = exec.co;
    }
    this.ctx = null;
    this.current = null;
  }

  private readonly hook = (L: LuaState): void => {
    const ctx = this.ctx;
    if (ctx === null) return;
    const action = ctx.interrupt();
    if (action === Interrupt.Kill) {
      // Keep failing on every line so pcall cannot swallow the kill.
      lua.lua_sethook(L, this.hook, lua.LUA_MASKLINE, 0);
      pushErrorTable(L, "Script killed by user with SCRIPT KILL...");
      lua.lua_error(L);
    }
    if (action === Interrupt.Yield && L === this.current && lua.lua_isyieldable(L)) lua.lua_yield(L, 0);
  };

  /** Make the table at the top of the stack, and every table reachable from it, read-only. */
  protectRecursively(L: LuaState): void {
    if (isReadonly(L, -1)) return;
    setReadonly(L, -1, true);
    lua.lua_checkstack(L, 2);
    lua.lua_pushnil(L);
    while (lua.lua_next(L, -2)) {
      if (lua.lua_type(L, -1) === lua.LUA_TTABLE) this.protectRecursively(L);
      lua.lua_pop(L, 1);
    }
    if (lua.lua_getmetatable(L, -1)) {
      this.protectRecursively(L);
      lua.lua_pop(L, 1);
    }
  }
}

/**
 * Redis's error handler (__redis__err__handler): turns any error into {err=, source=, line=},
 * locating the Lua code that failed (the caller, when the error came from a C function). It
 * is a C function so that the hook killing a script cannot fire inside it.
 */
const ERR_PREFIX = to_luastring("ERR ");

function errorHandler(L: LuaState): number {
  const ar = new lua.lua_Debug();
  let found = lua.lua_getstack(L, 1, ar) && lua.lua_getinfo(L, "Sl", ar);
  if (found && ar.what !== null && str(ar.what) === "C") found = lua.lua_getstack(L, 2, ar) && lua.lua_getinfo(L, "Sl", ar);
  if (lua.lua_type(L, 1) !== lua.LUA_TTABLE) {
    const msg = lauxlib.luaL_tolstring(L, 1);
    const err = new Uint8Array(4 + msg.length);
    err.set(ERR_PREFIX);
    err.set(msg, 4);
    lua.lua_newtable(L);
    pushBytes(L, err);
    lua.lua_setfield(L, -2, "err");
    lua.lua_replace(L, 1);
    lua.lua_settop(L, 1);
  }
  if (found && !isReadonly(L, 1)) {
    lua.lua_pushstring(L, ar.source ?? "");
    lua.lua_setfield(L, 1, "source");
    lua.lua_pushnumber(L, ar.currentline);
    lua.lua_setfield(L, 1, "line");
  }
  return 1;
}

/** Give the table at the top of the stack a metatable that fails reads of missing keys. */
function setErrorMetatable(L: LuaState): void {
  lua.lua_newtable(L);
  lua.lua_pushcfunction(L, (L) => {
    if (lua.lua_gettop(L) !== 2) return lauxlib.luaL_error(L, "Wrong number of arguments to luaProtectedTableError");
    if (!lua.lua_isstring(L, -1)) return lauxlib.luaL_error(L, "Second argument to luaProtectedTableError must be a string or number");
    return lauxlib.luaL_error(L, "Script attempted to access nonexistent global variable '%s'", lua.lua_tolstring(L, -1));
  });
  lua.lua_setfield(L, -2, "__index");
  lua.lua_setmetatable(L, -2);
}

/** luaRedisPcall: pcall that hands back an error table's message, as Redis < 7 did. */
function redisPcall(L: LuaState): number {
  lauxlib.luaL_checkany(L, 1);
  lua.lua_pushboolean(L, true);
  lua.lua_insert(L, 1);
  const status = lua.lua_pcallk(L, lua.lua_gettop(L) - 2, lua.LUA_MULTRET, 0, 0, finishPcall);
  return finishPcall(L, status);
}

function finishPcall(L: LuaState, status: number): number {
  if (status === lua.LUA_OK || status === lua.LUA_YIELD) return lua.lua_gettop(L);
  if (lua.lua_type(L, -1) === lua.LUA_TTABLE) {
    lua.lua_getfield(L, -1, "err");
    if (lua.lua_isstring(L, -1)) lua.lua_replace(L, -2);
    else lua.lua_pop(L, 1);
  }
  lua.lua_pushboolean(L, false);
  lua.lua_pushvalue(L, -2);
  return 2;
}

/** REDIS_VERSION and REDIS_VERSION_NUM on the table at the top of the stack. */
export function registerVersion(L: LuaState): void {
  lua.lua_pushnumber(L, REDIS_VERSION_NUM);
  lua.lua_setfield(L, -2, "REDIS_VERSION_NUM");
  lua.lua_pushstring(L, REDIS_VERSION);
  lua.lua_setfield(L, -2, "REDIS_VERSION");
}

/** Raise Redis's error table {err="ERR <message>"} (luaPushError + luaError). */
export function raiseError(L: LuaState, message: string): never {
  pushErrorTable(L, message);
  return lua.lua_error(L);
}

/** luaArgsToRedisArgv(): the call's arguments as bytes; numbers are formatted with %.17g. */
function argsToArgv(L: LuaState): Uint8Array[] | string {
  const argc = lua.lua_gettop(L);
  if (argc === 0) return "Please specify at least one argument for this redis lib call";
  const argv: Uint8Array[] = new Array(argc);
  for (let j = 1; j <= argc; j++) {
    const t = lua.lua_type(L, j);
    if (t === lua.LUA_TNUMBER) argv[j - 1] = to_luastring(formatG(lua.lua_tonumber(L, j), 17));
    else if (t === lua.LUA_TSTRING) argv[j - 1] = lua.lua_tolstring(L, j)!;
    else return "Lua redis lib command arguments must be strings or integers";
  }
  return argv;
}

function pushArray(L: LuaState, items: Uint8Array[]): void {
  lua.lua_createtable(L, items.length, 0);
  for (let i = 0; i < items.length; i++) {
    pushBytes(L, items[i]);
    lua.lua_rawseti(L, -2, i + 1);
  }
}
