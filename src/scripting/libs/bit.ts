// LuaBitOp 1.0.2 (the "bit" library Redis ships): 32-bit operations on Lua numbers. Arguments
// are normalised like bit.tobit: rounded to an integer, then wrapped to a signed 32-bit value.

import { lua, lauxlib, setFunctions, type LuaState } from "../lua.ts";

/** LuaBitOp's barg(): n + 2^52 + 2^51 rounds to nearest (ties to even) and keeps the low bits. */
function barg(L: LuaState, arg: number): number {
  const n = lauxlib.luaL_checknumber(L, arg);
  return (n + 6755399441055744 - 6755399441055744) | 0;
}

function ret(L: LuaState, v: number): number {
  lua.lua_pushnumber(L, v | 0);
  return 1;
}

function fold(op: (a: number, b: number) => number): (L: LuaState) => number {
  return (L) => {
    let v = barg(L, 1);
    const n = lua.lua_gettop(L);
    for (let i = 2; i <= n; i++) v = op(v, barg(L, i));
    return ret(L, v);
  };
}

function shift(op: (x: number, n: number) => number): (L: LuaState) => number {
  return (L) => ret(L, op(barg(L, 1), barg(L, 2) & 31));
}

function tohex(L: LuaState): number {
  let b = barg(L, 1);
  let n = lua.lua_type(L, 2) <= lua.LUA_TNIL ? 8 : barg(L, 2);
  let digits = "0123456789abcdef";
  if (n < 0) {
    n = -n;
    digits = "0123456789ABCDEF";
  }
  if (n > 8) n = 8;
  let s = "";
  for (let i = 0; i < n; i++) {
    s = digits[b & 15] + s;
    b >>>= 4;
  }
  lua.lua_pushstring(L, s);
  return 1;
}

export function openBit(L: LuaState): number {
  lua.lua_newtable(L);
  setFunctions(L, {
    tobit: (L) => ret(L, barg(L, 1)),
    bnot: (L) => ret(L, ~barg(L, 1)),
    band: fold((a, b) => a & b),
    bor: fold((a, b) => a | b),
    bxor: fold((a, b) => a ^ b),
    lshift: shift((x, n) => x << n),
    rshift: shift((x, n) => x >>> n),
    arshift: shift((x, n) => x >> n),
    rol: shift((x, n) => (x << n) | (x >>> (32 - n))),
    ror: shift((x, n) => (x >>> n) | (x << (32 - n))),
    bswap: (L) => {
      const b = barg(L, 1);
      return ret(L, ((b >>> 24) | ((b >> 8) & 0xff00) | ((b & 0xff00) << 8) | (b << 24)));
    },
    tohex,
  });
  return 1;
}
