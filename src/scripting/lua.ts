// The Lua VM: fengari 0.1.5 (Lua 5.3 in JavaScript), vendored in ./fengari with the changes
// that make it behave like the Lua 5.1 Redis embeds where scripts can tell (see
// ./fengari/README.md). Every other module reaches fengari through here.

import { lua, lauxlib, lualib, luaconf, to_luastring, to_jsstring, type LuaState } from "./fengari/fengari.js";

export { lua, lauxlib, lualib, to_luastring, to_jsstring };
export type { LuaState, JSFunction } from "./fengari/fengari.js";

/** C's printf("%.<precision>g"), as Lua 5.1 and lua-cjson format numbers. */
export const formatG: (d: number, precision: number) => string = luaconf.format_g;

/** Mark (or unmark) the table at idx read-only (Redis's lua_enablereadonlytable). */
export function setReadonly(L: LuaState, idx: number, on: boolean): void {
  lua.lua_enablereadonlytable(L, idx, on);
}

export function isReadonly(L: LuaState, idx: number): boolean {
  return lua.lua_isreadonlytable(L, idx);
}

/** Push a byte string (copied by fengari). */
export function pushBytes(L: LuaState, b: Uint8Array): void {
  lua.lua_pushstring(L, b);
}

/** Register fns as fields of the table at the top of the stack. */
export function setFunctions(L: LuaState, fns: Record<string, (L: LuaState) => number>): void {
  for (const [name, fn] of Object.entries(fns)) {
    lua.lua_pushcfunction(L, fn);
    lua.lua_setfield(L, -2, name);
  }
}
