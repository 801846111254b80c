// Types for the parts of the vendored fengari (fengari.js) that the scripting engine uses.
// Lua strings are byte arrays; JS strings passed in are UTF-8 encoded by fengari.

/** A Lua thread (lua_State). Opaque outside fengari. */
export interface LuaState {
  readonly __luaState: unique symbol;
}
export type LuaString = Uint8Array;
export type LuaStringInput = Uint8Array | string;
export type JSFunction = (L: LuaState) => number;
export type KFunction = (L: LuaState, status: number, ctx: number) => number;
export type Hook = (L: LuaState, ar: LuaDebug) => void;

export interface LuaDebug {
  event: number;
  currentline: number;
  source: LuaString | null;
  what: LuaString | null;
}

export const to_luastring: (s: string, cache?: boolean) => LuaString;
export const to_jsstring: (s: LuaString, from?: number, to?: number, replacement_char?: boolean) => string;

export namespace lua {
  class lua_Debug implements LuaDebug {
    event: number;
    currentline: number;
    source: LuaString | null;
    what: LuaString | null;
  }
  function lua_getstack(L: LuaState, level: number, ar: LuaDebug): number;
  function lua_getinfo(L: LuaState, what: LuaStringInput, ar: LuaDebug): number;
  function lua_enablereadonlytable(L: LuaState, idx: number, enabled: boolean): void;
  function lua_isreadonlytable(L: LuaState, idx: number): boolean;
  const LUA_OK: number;
  const LUA_YIELD: number;
  const LUA_ERRRUN: number;
  const LUA_ERRSYNTAX: number;
  const LUA_MULTRET: number;
  const LUA_REGISTRYINDEX: number;
  const LUA_RIDX_GLOBALS: number;
  const LUA_MASKCOUNT: number;
  const LUA_MASKLINE: number;
  const LUA_TNONE: number;
  const LUA_TNIL: number;
  const LUA_TBOOLEAN: number;
  const LUA_TNUMBER: number;
  const LUA_TSTRING: number;
  const LUA_TTABLE: number;
  const LUA_TFUNCTION: number;
  const LUA_TLIGHTUSERDATA: number;
  function lua_absindex(L: LuaState, idx: number): number;
  function lua_upvalueindex(i: number): number;
  function lua_call(L: LuaState, nargs: number, nresults: number): void;
  function lua_pushcclosure(L: LuaState, f: JSFunction, n: number): void;
  function lua_atnativeerror(L: LuaState, f: JSFunction): JSFunction | null;
  function lua_checkstack(L: LuaState, n: number): boolean;
  function lua_createtable(L: LuaState, narr: number, nrec: number): void;
  function lua_error(L: LuaState): never;
  function lua_getfield(L: LuaState, idx: number, k: LuaStringInput): number;
  function lua_getglobal(L: LuaState, name: LuaStringInput): number;
  function lua_getmetatable(L: LuaState, idx: number): boolean;
  function lua_gettable(L: LuaState, idx: number): number;
  function lua_gettop(L: LuaState): number;
  function lua_insert(L: LuaState, idx: number): void;
  function lua_isfunction(L: LuaState, idx: number): boolean;
  function lua_isinteger(L: LuaState, idx: number): boolean;
  function lua_isnumber(L: LuaState, idx: number): boolean;
  function lua_isstring(L: LuaState, idx: number): boolean;
  function lua_istable(L: LuaState, idx: number): boolean;
  function lua_isyieldable(L: LuaState): boolean;
  function lua_newtable(L: LuaState): void;
  function lua_newthread(L: LuaState): LuaState;
  function lua_next(L: LuaState, idx: number): boolean;
  function lua_pcall(L: LuaState, nargs: number, nresults: number, msgh: number): number;
  function lua_pcallk(L: LuaState, nargs: number, nresults: number, msgh: number, ctx: number, k: KFunction): number;
  function lua_pop(L: LuaState, n: number): void;
  function lua_pushboolean(L: LuaState, b: boolean | number): void;
  function lua_pushcfunction(L: LuaState, f: JSFunction): void;
  function lua_pushinteger(L: LuaState, n: number): void;
  function lua_pushlightuserdata(L: LuaState, p: unknown): void;
  function lua_pushnil(L: LuaState): void;
  function lua_pushnumber(L: LuaState, n: number): void;
  function lua_pushstring(L: LuaState, s: LuaStringInput): LuaString;
  function lua_pushvalue(L: LuaState, idx: number): void;
  function lua_rawget(L: LuaState, idx: number): number;
  function lua_rawgeti(L: LuaState, idx: number, n: number): number;
  function lua_rawlen(L: LuaState, idx: number): number;
  function lua_rawset(L: LuaState, idx: number): void;
  function lua_rawseti(L: LuaState, idx: number, n: number): void;
  function lua_remove(L: LuaState, idx: number): void;
  function lua_replace(L: LuaState, idx: number): void;
  function lua_resume(L: LuaState, from: LuaState | null, nargs: number): number;
  function lua_setfield(L: LuaState, idx: number, k: LuaStringInput): void;
  function lua_setglobal(L: LuaState, name: LuaStringInput): void;
  function lua_sethook(L: LuaState, f: Hook | null, mask: number, count: number): void;
  function lua_setmetatable(L: LuaState, idx: number): void;
  function lua_settable(L: LuaState, idx: number): void;
  function lua_settop(L: LuaState, idx: number): void;
  function lua_toboolean(L: LuaState, idx: number): boolean;
  function lua_tolstring(L: LuaState, idx: number): LuaString | null;
  function lua_tonumber(L: LuaState, idx: number): number;
  function lua_topointer(L: LuaState, idx: number): object | null;
  function lua_touserdata(L: LuaState, idx: number): unknown;
  function lua_type(L: LuaState, idx: number): number;
  function lua_typename(L: LuaState, t: number): LuaString;
  function lua_xmove(from: LuaState, to: LuaState, n: number): void;
  function lua_yield(L: LuaState, n: number): number;
}

export namespace lauxlib {
  const LUA_NOREF: number;
  function luaL_argerror(L: LuaState, arg: number, extramsg: LuaStringInput): never;
  function luaL_checkany(L: LuaState, arg: number): void;
  function luaL_checkstack(L: LuaState, n: number, msg: LuaStringInput): void;
  function luaL_checkinteger(L: LuaState, arg: number): number;
  function luaL_checklstring(L: LuaState, arg: number): LuaString;
  function luaL_checknumber(L: LuaState, arg: number): number;
  function luaL_checktype(L: LuaState, arg: number, t: number): void;
  function luaL_error(L: LuaState, fmt: LuaStringInput, ...args: unknown[]): never;
  function luaL_loadbufferx(L: LuaState, buff: LuaString, size: number, name: LuaStringInput, mode: LuaStringInput | null): number;
  function luaL_newstate(): LuaState;
  function luaL_optinteger(L: LuaState, arg: number, def: number): number;
  function luaL_ref(L: LuaState, t: number): number;
  function luaL_requiref(L: LuaState, modname: LuaStringInput, openf: JSFunction, glb: number): void;
  function luaL_tolstring(L: LuaState, idx: number): LuaString;
  function luaL_unref(L: LuaState, t: number, ref: number): void;
}

export namespace luaconf {
  const format_g: (d: number, precision: number) => string;
}

export namespace lualib {
  const luaopen_base: JSFunction;
  const luaopen_coroutine: JSFunction;
  const luaopen_debug: JSFunction;
  const luaopen_math: JSFunction;
  const luaopen_string: JSFunction;
  const luaopen_table: JSFunction;
}
