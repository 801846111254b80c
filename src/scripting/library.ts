// FUNCTION libraries (functions.c, function_lua.c): loading a library's code, the
// redis.register_function API, and the library / function registry with its invariants
// (unique library names, function names unique across libraries, all-or-nothing loads).

import { lua, lauxlib, type LuaState } from "./lua.ts";
import { raiseError, type LoadContext } from "./engine.ts";
import { flagByName } from "./flags.ts";
import type { FunctionInfo, Library, ScriptingState } from "./state.ts";
import { splitConfigLine } from "../config/config.ts";
import { str } from "../util/bytes.ts";

/** How long FUNCTION LOAD may run a library's top-level code. */
export const LOAD_TIMEOUT_MS = 500;

const NAME_ERROR = "Library names can only contain letters, numbers, or underscores(_) and must be at least one character long";

function validName(name: string): boolean {
  return /^[A-Za-z0-9_]+$/.test(name);
}

/** functionExtractLibMetaData(): engine and library name from the "#!<engine> name=<lib>" line. */
function parseMetadata(code: Uint8Array): { engine: string; name: string } | string {
  if (code[0] !== 0x23 || code[1] !== 0x21) return "Missing library metadata";
  const nl = code.indexOf(10);
  if (nl < 0) return "Invalid library metadata";
  const parts = splitConfigLine(str(code.subarray(0, nl)));
  if (parts === null || parts.length === 0) return "Invalid library metadata";
  const engine = parts[0].slice(2);
  let name: string | null = null;
  for (const part of parts.slice(1)) {
    if (part.slice(0, 5).toLowerCase() === "name=") {
      if (name !== null) return "Invalid metadata value, name argument was given multiple times";
      name = part.slice(5);
      continue;
    }
    return `Invalid metadata value given: ${part}`;
  }
  if (name === null) return "Library name was not given";
  return { engine, name };
}

/** The arguments of one redis.register_function call. */
interface Registration {
  name: string;
  description: Uint8Array | null;
  flags: number;
}

/** luaRegisterFunctionReadFlags(): a table of flag names. */
function readFlags(L: LuaState): number | null {
  let flags = 0;
  for (let j = 1; ; j++) {
    lua.lua_pushnumber(L, j);
    lua.lua_gettable(L, -2);
    const t = lua.lua_type(L, -1);
    if (t === lua.LUA_TNIL) {
      lua.lua_pop(L, 1);
      return flags;
    }
    const flag = lua.lua_isstring(L, -1) ? flagByName(str(lua.lua_tolstring(L, -1)!), true) : 0;
    lua.lua_pop(L, 1);
    if (flag === 0) return null;
    flags |= flag;
  }
}

/** Read the named-argument form: register_function{function_name=, callback=, ...}. */
function readNamedArgs(state: ScriptingState, L: LuaState): { reg: Registration; ref: number } | string {
  if (!lua.lua_istable(L, 1)) {
    return "calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).";
  }
  let name: string | null = null;
  let description: Uint8Array | null = null;
  let ref: number | null = null;
  let flags = 0;
  const fail = (err: string) => {
    if (ref !== null) state.fnEngine.release(ref);
    return err;
  };
  lua.lua_pushnil(L);
  while (lua.lua_next(L, -2)) {
    if (!lua.lua_isstring(L, -2)) return fail("named argument key given to redis.register_function is not a string");
    const key = str(lua.lua_tolstring(L, -2)!).toLowerCase();
    if (key === "function_name") {
      if (!lua.lua_isstring(L, -1)) return fail("function_name argument given to redis.register_function must be a string");
      name = str(lua.lua_tolstring(L, -1)!);
    } else if (key === "description") {
      if (!lua.lua_isstring(L, -1)) return fail("description argument given to redis.register_function must be a string");
      description = lua.lua_tolstring(L, -1)!.slice();
    } else if (key === "callback") {
      if (!lua.lua_isfunction(L, -1)) return fail("callback argument given to redis.register_function must be a function");
      if (ref !== null) state.fnEngine.release(ref);
      lua.lua_pushvalue(L, -1);
      ref = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    } else if (key === "flags") {
      if (!lua.lua_istable(L, -1)) return fail("flags argument to redis.register_function must be a table representing function flags");
      const f = readFlags(L);
      if (f === null) return fail("unknown flag given");
      flags = f;
    } else {
      return fail("unknown argument given to redis.register_function");
    }
    lua.lua_pop(L, 1);
  }
  if (name === null) return fail("redis.register_function must get a function name argument");
  if (ref === null) return "redis.register_function must get a callback argument";
  return { reg: { name, description, flags }, ref };
}

/** A library being loaded: collects its functions until the load succeeds. */
class LibraryLoad implements LoadContext {
  readonly startedAt = performance.now();

  constructor(
    readonly state: ScriptingState,
    readonly library: Library,
    readonly timeoutMs: number,
  ) {}

  registerFunction(L: LuaState): number {
    const argc = lua.lua_gettop(L);
    if (argc < 1 || argc > 2) return raiseError(L, "wrong number of arguments to redis.register_function");
    let parsed: { reg: Registration; ref: number } | string;
    if (argc === 1) parsed = readNamedArgs(this.state, L);
    else if (!lua.lua_isstring(L, 1)) parsed = "first argument to redis.register_function must be a string";
    else if (!lua.lua_isfunction(L, 2)) parsed = "second argument to redis.register_function must be a function";
    else {
      const name = str(lua.lua_tolstring(L, 1)!);
      lua.lua_settop(L, 2);
      parsed = { reg: { name, description: null, flags: 0 }, ref: lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX) };
    }
    if (typeof parsed === "string") return raiseError(L, parsed);
    const { reg, ref } = parsed;
    let err: string | null = null;
    if (!validName(reg.name)) err = NAME_ERROR;
    else if (this.library.functions.has(reg.name.toLowerCase())) err = "Function already exists in the library";
    if (err !== null) {
      this.state.fnEngine.release(ref);
      return raiseError(L, err);
    }
    this.library.functions.set(reg.name.toLowerCase(), { ...reg, ref, library: this.library });
    return 0;
  }
}

function releaseLibrary(state: ScriptingState, lib: Library): void {
  for (const f of lib.functions.values()) state.fnEngine.release(f.ref);
}

function unlink(state: ScriptingState, lib: Library): void {
  for (const key of lib.functions.keys()) state.functions.delete(key);
  state.libraries.delete(lib.name);
}

function link(state: ScriptingState, lib: Library): void {
  for (const [key, f] of lib.functions) state.functions.set(key, f);
  state.libraries.set(lib.name, lib);
}

/**
 * functionsCreateWithLibraryCtx(): load a library (replacing one of the same name when asked).
 * Returns the library name, or an error message; on error nothing changes.
 */
export function loadLibrary(state: ScriptingState, code: Uint8Array, replace: boolean, timeoutMs: number): { name: string } | string {
  const md = parseMetadata(code);
  if (typeof md === "string") return md;
  if (!validName(md.name)) return NAME_ERROR;
  if (md.engine.toLowerCase() !== "lua") return `Engine '${md.engine}' not found`;
  const old = state.libraries.get(md.name);
  if (old !== undefined && !replace) return `Library '${md.name}' already exists`;
  if (old !== undefined) unlink(state, old);
  const lib: Library = { name: md.name, code: code.slice(), functions: new Map() };
  const fail = (err: string) => {
    releaseLibrary(state, lib);
    if (old !== undefined) link(state, old);
    return err;
  };
  // The code runs without its shebang line but keeps the newline, so line numbers match.
  const err = state.fnEngine.loadLibrary(code.subarray(code.indexOf(10)), new LibraryLoad(state, lib, timeoutMs));
  if (err !== null) return fail(err);
  if (lib.functions.size === 0) return fail("No functions registered");
  for (const f of lib.functions.values()) {
    if (state.functions.has(f.name.toLowerCase())) return fail(`Function ${f.name} already exists`);
  }
  link(state, lib);
  if (old !== undefined) releaseLibrary(state, old);
  return { name: md.name };
}

export function deleteLibrary(state: ScriptingState, name: string): boolean {
  const lib = state.libraries.get(name);
  if (lib === undefined) return false;
  unlink(state, lib);
  releaseLibrary(state, lib);
  return true;
}

export function flushLibraries(state: ScriptingState): void {
  for (const lib of state.libraries.values()) releaseLibrary(state, lib);
  state.libraries = new Map();
  state.functions = new Map();
}

/** The code of every library, in load order: what FUNCTION DUMP and an RDB save persist. */
export function libraryCodes(state: ScriptingState): Uint8Array[] {
  return [...state.libraries.values()].map((lib) => lib.code);
}

export function findFunction(state: ScriptingState, name: Uint8Array): FunctionInfo | undefined {
  return state.functions.get(str(name).toLowerCase());
}

/**
 * libraryJoin(): add the libraries of a restored payload. Without replace an existing library
 * of the same name is an error; function names must stay unique. All or nothing.
 */
export function restoreLibraries(state: ScriptingState, codes: Uint8Array[], policy: "append" | "replace" | "flush"): string | null {
  const scratch = new ScriptingStateView(state);
  const loaded: Library[] = [];
  for (const code of codes) {
    const r = loadLibrary(scratch.state, code, false, 0);
    if (typeof r === "string") {
      scratch.discard();
      return r;
    }
    loaded.push(scratch.state.libraries.get(r.name)!);
  }
  scratch.restore();
  if (policy === "flush") {
    flushLibraries(state);
    for (const lib of loaded) link(state, lib);
    return null;
  }
  const replaced: Library[] = [];
  for (const lib of loaded) {
    const old = state.libraries.get(lib.name);
    if (old === undefined) continue;
    if (policy !== "replace") {
      for (const l of replaced) link(state, l);
      for (const l of loaded) releaseLibrary(state, l);
      return `Library ${lib.name} already exists`;
    }
    unlink(state, old);
    replaced.push(old);
  }
  for (const lib of loaded) {
    for (const f of lib.functions.values()) {
      if (state.functions.has(f.name.toLowerCase())) {
        for (const l of replaced) link(state, l);
        for (const l of loaded) releaseLibrary(state, l);
        return `Function ${f.name} already exists`;
      }
    }
  }
  for (const lib of loaded) link(state, lib);
  for (const l of replaced) releaseLibrary(state, l);
  return null;
}

/** Loads restored libraries into empty registries first, so they are checked among themselves. */
class ScriptingStateView {
  private readonly libraries: Map<string, Library>;
  private readonly functions: Map<string, FunctionInfo>;

  constructor(readonly state: ScriptingState) {
    this.libraries = state.libraries;
    this.functions = state.functions;
    state.libraries = new Map();
    state.functions = new Map();
  }

  /** Put the live registries back (the loaded libraries stay referenced by the caller). */
  restore(): void {
    this.state.libraries = this.libraries;
    this.state.functions = this.functions;
  }

  discard(): void {
    for (const lib of this.state.libraries.values()) releaseLibrary(this.state, lib);
    this.restore();
  }
}
