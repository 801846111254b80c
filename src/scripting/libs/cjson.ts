// lua-cjson 2.1.0 as Redis builds it: cjson.encode / cjson.decode and their settings, with the
// same array detection, escaping, number formatting and error messages.

import { lua, lauxlib, formatG, pushBytes, setFunctions, to_jsstring, type LuaState } from "../lua.ts";

interface JsonConfig {
  sparseConvert: boolean;
  sparseRatio: number;
  sparseSafe: number;
  encodeMaxDepth: number;
  decodeMaxDepth: number;
  /** 0 = refuse NaN/Inf, 1 = write them, 2 = write null. */
  encodeInvalidNumbers: number;
  decodeInvalidNumbers: boolean;
  keepBuffer: boolean;
  precision: number;
}

const INT_MAX = 2147483647;
const enc = new TextEncoder();

/** Escapes for bytes that cannot appear raw in a JSON string (lua-cjson's char2escape). */
const ESCAPES: (string | null)[] = new Array(256).fill(null);
for (let i = 0; i < 32; i++) ESCAPES[i] = "\\u" + i.toString(16).padStart(4, "0");
ESCAPES[8] = "\\b";
ESCAPES[9] = "\\t";
ESCAPES[10] = "\\n";
ESCAPES[12] = "\\f";
ESCAPES[13] = "\\r";
ESCAPES[0x22] = '\\"';
ESCAPES[0x2f] = "\\/";
ESCAPES[0x5c] = "\\\\";
ESCAPES[0x7f] = "\\u007f";

/** Growable byte buffer for the encoder. */
class Out {
  buf = new Uint8Array(256);
  len = 0;

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const nb = new Uint8Array(cap);
    nb.set(this.buf.subarray(0, this.len));
    this.buf = nb;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.len++] = b;
  }

  ascii(s: string): void {
    this.ensure(s.length);
    for (let i = 0; i < s.length; i++) this.buf[this.len++] = s.charCodeAt(i);
  }

  string(s: Uint8Array): void {
    this.ensure(s.length * 6 + 2);
    this.buf[this.len++] = 0x22;
    for (const ch of s) {
      const e = ESCAPES[ch];
      if (e === null) this.buf[this.len++] = ch;
      else for (let i = 0; i < e.length; i++) this.buf[this.len++] = e.charCodeAt(i);
    }
    this.buf[this.len++] = 0x22;
  }
}

function typeName(L: LuaState, idx: number): string {
  return to_jsstring(lua.lua_typename(L, lua.lua_type(L, idx)));
}

function encodeError(L: LuaState, idx: number, reason: string): never {
  return lauxlib.luaL_error(L, `Cannot serialise ${typeName(L, idx)}: ${reason}`);
}

function encodeNumber(L: LuaState, cfg: JsonConfig, out: Out, idx: number): void {
  const n = lua.lua_tonumber(L, idx);
  const invalid = !Number.isFinite(n);
  if (cfg.encodeInvalidNumbers === 0) {
    if (invalid) encodeError(L, idx, "must not be NaN or Inf");
  } else if (cfg.encodeInvalidNumbers === 1) {
    if (Number.isNaN(n)) return out.ascii("nan");
  } else if (invalid) {
    return out.ascii("null");
  }
  out.ascii(formatG(n, cfg.precision));
}

/** lua_array_length(): the array size if every key is a positive integer, else -1. */
function arrayLength(L: LuaState, cfg: JsonConfig): number {
  let max = 0;
  let items = 0;
  lua.lua_pushnil(L);
  while (lua.lua_next(L, -2)) {
    const k = lua.lua_type(L, -2) === lua.LUA_TNUMBER ? lua.lua_tonumber(L, -2) : 0;
    if (k !== 0 && Math.floor(k) === k && k >= 1) {
      if (k > max) max = k;
      items++;
      lua.lua_pop(L, 1);
      continue;
    }
    lua.lua_pop(L, 2);
    return -1;
  }
  if (cfg.sparseRatio > 0 && max > items * cfg.sparseRatio && max > cfg.sparseSafe) {
    if (!cfg.sparseConvert) encodeError(L, -1, "excessively sparse array");
    return -1;
  }
  return max;
}

function encodeValue(L: LuaState, cfg: JsonConfig, out: Out, depth: number): void {
  switch (lua.lua_type(L, -1)) {
    case lua.LUA_TSTRING:
      return out.string(lua.lua_tolstring(L, -1)!);
    case lua.LUA_TNUMBER:
      return encodeNumber(L, cfg, out, -1);
    case lua.LUA_TBOOLEAN:
      return out.ascii(lua.lua_toboolean(L, -1) ? "true" : "false");
    case lua.LUA_TNIL:
      return out.ascii("null");
    case lua.LUA_TLIGHTUSERDATA:
      if (lua.lua_touserdata(L, -1) === null) return out.ascii("null");
      return encodeError(L, -1, "type not supported");
    case lua.LUA_TTABLE: {
      depth++;
      if (depth > cfg.encodeMaxDepth || !lua.lua_checkstack(L, 3)) {
        lauxlib.luaL_error(L, `Cannot serialise, excessive nesting (${depth})`);
      }
      const len = arrayLength(L, cfg);
      if (len > 0) {
        out.byte(0x5b);
        for (let i = 1; i <= len; i++) {
          if (i > 1) out.byte(0x2c);
          lua.lua_rawgeti(L, -1, i);
          encodeValue(L, cfg, out, depth);
          lua.lua_pop(L, 1);
        }
        out.byte(0x5d);
        return;
      }
      out.byte(0x7b);
      let comma = false;
      lua.lua_pushnil(L);
      while (lua.lua_next(L, -2)) {
        if (comma) out.byte(0x2c);
        comma = true;
        const kt = lua.lua_type(L, -2);
        if (kt === lua.LUA_TNUMBER) {
          out.byte(0x22);
          encodeNumber(L, cfg, out, -2);
          out.ascii('":');
        } else if (kt === lua.LUA_TSTRING) {
          out.string(lua.lua_tolstring(L, -2)!);
          out.byte(0x3a);
        } else {
          encodeError(L, -2, "table key must be a number or string");
        }
        encodeValue(L, cfg, out, depth);
        lua.lua_pop(L, 1);
      }
      out.byte(0x7d);
      return;
    }
    default:
      return encodeError(L, -1, "type not supported");
  }
}

// ---- decoding ----------------------------------------------------------------------------

const enum Tok {
  ObjBegin,
  ObjEnd,
  ArrBegin,
  ArrEnd,
  String,
  Number,
  Boolean,
  Null,
  Colon,
  Comma,
  End,
  Error,
}

const TOKEN_NAMES = ["T_OBJ_BEGIN", "T_OBJ_END", "T_ARR_BEGIN", "T_ARR_END", "T_STRING", "T_NUMBER", "T_BOOLEAN", "T_NULL", "T_COLON", "T_COMMA", "T_END", "T_ERROR"];

const SINGLE_CHAR_TOKENS: Record<number, Tok> = { 0x7b: Tok.ObjBegin, 0x7d: Tok.ObjEnd, 0x5b: Tok.ArrBegin, 0x5d: Tok.ArrEnd, 0x2c: Tok.Comma, 0x3a: Tok.Colon };

const ESCAPE_CHARS: Record<number, number> = { 0x22: 0x22, 0x5c: 0x5c, 0x2f: 0x2f, 0x62: 8, 0x74: 9, 0x6e: 10, 0x66: 12, 0x72: 13 };

class Parser {
  pos = 0;
  depth = 0;
  type = Tok.End;
  /** Where the current token starts (0-based), for error messages. */
  index = 0;
  str: Uint8Array = new Uint8Array(0);
  num = 0;
  bool = false;
  error = "";

  constructor(readonly L: LuaState, readonly cfg: JsonConfig, readonly data: Uint8Array) {}

  private at(i: number): number {
    return i < this.data.length ? this.data[i] : 0;
  }

  private fail(what: string): void {
    this.type = Tok.Error;
    this.index = this.pos;
    this.error = what;
  }

  /** Read the next token into type (and str / num / bool); returns its type. */
  next(): Tok {
    this.scan();
    return this.type;
  }

  private scan(): void {
    let ch = this.at(this.pos);
    while (ch === 0x20 || ch === 9 || ch === 10 || ch === 13) ch = this.at(++this.pos);
    this.index = this.pos;
    if (ch === 0) {
      this.type = Tok.End;
      return;
    }
    const single = SINGLE_CHAR_TOKENS[ch];
    if (single !== undefined) {
      this.type = single;
      this.pos++;
      return;
    }
    if (ch === 0x22) return this.string();
    if (ch === 0x2d || (ch >= 0x30 && ch <= 0x39)) {
      if (!this.cfg.decodeInvalidNumbers && this.invalidNumber()) return this.fail("invalid number");
      return this.number();
    }
    if (this.startsWith("true")) {
      this.type = Tok.Boolean;
      this.bool = true;
      this.pos += 4;
      return;
    }
    if (this.startsWith("false")) {
      this.type = Tok.Boolean;
      this.bool = false;
      this.pos += 5;
      return;
    }
    if (this.startsWith("null")) {
      this.type = Tok.Null;
      this.pos += 4;
      return;
    }
    if (this.cfg.decodeInvalidNumbers && (ch === 0x2b || ch === 0x69 || ch === 0x49 || ch === 0x6e || ch === 0x4e) && this.invalidNumber()) {
      return this.number();
    }
    this.fail("invalid token");
  }

  private startsWith(word: string): boolean {
    for (let i = 0; i < word.length; i++) if (this.at(this.pos + i) !== word.charCodeAt(i)) return false;
    return true;
  }

  /** json_is_invalid_number(): text strtod accepts but JSON does not (+1, 0x1, 01, inf, nan). */
  private invalidNumber(): boolean {
    let p = this.pos;
    if (this.at(p) === 0x2b) return true;
    if (this.at(p) === 0x2d) p++;
    const c = this.at(p);
    if (c === 0x30) {
      const c2 = this.at(p + 1);
      return (c2 | 0x20) === 0x78 || (c2 >= 0x30 && c2 <= 0x39);
    }
    if (c <= 0x39) return false;
    const word = String.fromCharCode(c, this.at(p + 1), this.at(p + 2)).toLowerCase();
    return word === "inf" || word === "nan";
  }

  /** strtod() on the longest numeric prefix. */
  private number(): void {
    const rest = new TextDecoder("latin1").decode(this.data.subarray(this.pos, this.pos + 400));
    const m = /^[+-]?(?:0[xX][0-9a-fA-F]+|inf(?:inity)?|nan|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)/i.exec(rest);
    if (m === null) return this.fail("invalid number");
    const t = m[0].toLowerCase();
    const sign = t.startsWith("-") ? -1 : 1;
    const body = t.replace(/^[+-]/, "");
    if (body.startsWith("inf")) this.num = sign * Infinity;
    else if (body === "nan") this.num = NaN;
    else if (body.startsWith("0x")) this.num = sign * Number.parseInt(body.slice(2), 16);
    else this.num = sign * Number(body);
    this.type = Tok.Number;
    this.pos += m[0].length;
  }

  private string(): void {
    this.pos++;
    const out: number[] = [];
    for (;;) {
      if (this.pos >= this.data.length) return this.fail("unexpected end of string");
      let ch = this.data[this.pos];
      if (ch === 0x22) break;
      if (ch === 0x5c) {
        const esc = this.at(this.pos + 1);
        if (esc === 0x75) {
          if (!this.unicodeEscape(out)) return this.fail("invalid unicode escape code");
          continue;
        }
        const mapped = ESCAPE_CHARS[esc];
        if (mapped === undefined) return this.fail("invalid escape code");
        ch = mapped;
        this.pos++;
      }
      out.push(ch);
      this.pos++;
    }
    this.pos++;
    this.type = Tok.String;
    this.str = Uint8Array.from(out);
  }

  private hex4(at: number): number {
    let v = 0;
    for (let i = 0; i < 4; i++) {
      const c = this.at(at + i);
      const d = c >= 0x30 && c <= 0x39 ? c - 0x30 : (c | 0x20) >= 0x61 && (c | 0x20) <= 0x66 ? (c | 0x20) - 0x61 + 10 : -1;
      if (d < 0) return -1;
      v = (v << 4) | d;
    }
    return v;
  }

  private unicodeEscape(out: number[]): boolean {
    let cp = this.hex4(this.pos + 2);
    if (cp < 0) return false;
    let len = 6;
    if ((cp & 0xf800) === 0xd800) {
      if (cp & 0x400) return false;
      if (this.at(this.pos + 6) !== 0x5c || this.at(this.pos + 7) !== 0x75) return false;
      const low = this.hex4(this.pos + 8);
      if (low < 0 || (low & 0xfc00) !== 0xdc00) return false;
      cp = (((cp & 0x3ff) << 10) | (low & 0x3ff)) + 0x10000;
      len = 12;
    }
    out.push(...enc.encode(String.fromCodePoint(cp)));
    this.pos += len;
    return true;
  }

  throwError(expected: string): never {
    const found = this.type === Tok.Error ? this.error : TOKEN_NAMES[this.type];
    return lauxlib.luaL_error(this.L, `Expected ${expected} but found ${found} at character ${this.index + 1}`);
  }

  private descend(slots: number): void {
    this.depth++;
    if (this.depth <= this.cfg.decodeMaxDepth && lua.lua_checkstack(this.L, slots)) return;
    lauxlib.luaL_error(this.L, `Found too many nested data structures (${this.depth}) at character ${this.pos}`);
  }

  value(): void {
    const L = this.L;
    switch (this.type) {
      case Tok.String:
        return pushBytes(L, this.str);
      case Tok.Number:
        return lua.lua_pushnumber(L, this.num);
      case Tok.Boolean:
        return lua.lua_pushboolean(L, this.bool);
      case Tok.Null:
        return lua.lua_pushlightuserdata(L, null);
      case Tok.ObjBegin:
        return this.object();
      case Tok.ArrBegin:
        return this.array();
      default:
        this.throwError("value");
    }
  }

  private object(): void {
    const L = this.L;
    this.descend(3);
    lua.lua_newtable(L);
    if (this.next() === Tok.ObjEnd) {
      this.depth--;
      return;
    }
    for (;;) {
      if (this.type !== Tok.String) this.throwError("object key string");
      pushBytes(L, this.str);
      if (this.next() !== Tok.Colon) this.throwError("colon");
      this.next();
      this.value();
      lua.lua_rawset(L, -3);
      const t = this.next();
      if (t === Tok.ObjEnd) {
        this.depth--;
        return;
      }
      if (t !== Tok.Comma) this.throwError("comma or object end");
      this.next();
    }
  }

  private array(): void {
    const L = this.L;
    this.descend(2);
    lua.lua_newtable(L);
    if (this.next() === Tok.ArrEnd) {
      this.depth--;
      return;
    }
    for (let i = 1; ; i++) {
      this.value();
      lua.lua_rawseti(L, -2, i);
      const t = this.next();
      if (t === Tok.ArrEnd) {
        this.depth--;
        return;
      }
      if (t !== Tok.Comma) this.throwError("comma or array end");
      this.next();
    }
  }
}

// ---- settings ------------------------------------------------------------------------------

function argInit(L: LuaState, args: number): void {
  if (lua.lua_gettop(L) > args) lauxlib.luaL_argerror(L, args + 1, "found too many arguments");
  while (lua.lua_gettop(L) < args) lua.lua_pushnil(L);
}

function integerOption(L: LuaState, idx: number, current: number, min: number, max: number): number {
  let v = current;
  if (lua.lua_type(L, idx) !== lua.LUA_TNIL) {
    v = lauxlib.luaL_checkinteger(L, idx);
    if (v < min || v > max) lauxlib.luaL_argerror(L, 1, `expected integer between ${min} and ${max}`);
  }
  lua.lua_pushinteger(L, v);
  return v;
}

/** json_enum_option(): true/false or one of the named options; pushes the resulting value. */
function enumOption(L: LuaState, idx: number, current: number, options: string[]): number {
  let v = current;
  if (lua.lua_type(L, idx) !== lua.LUA_TNIL) {
    if (lua.lua_type(L, idx) === lua.LUA_TBOOLEAN) v = lua.lua_toboolean(L, idx) ? 1 : 0;
    else {
      const name = new TextDecoder().decode(lauxlib.luaL_checklstring(L, idx));
      v = options.indexOf(name);
      if (v < 0) lauxlib.luaL_argerror(L, idx, `invalid option '${name}'`);
    }
  }
  if (v === 0 || v === 1) lua.lua_pushboolean(L, v === 1);
  else lua.lua_pushstring(L, options[v]);
  return v;
}

const ON_OFF = ["off", "on"];

function newCjson(L: LuaState): number {
  const cfg: JsonConfig = {
    sparseConvert: false,
    sparseRatio: 2,
    sparseSafe: 10,
    encodeMaxDepth: 1000,
    decodeMaxDepth: 1000,
    encodeInvalidNumbers: 0,
    decodeInvalidNumbers: false,
    keepBuffer: true,
    precision: 14,
  };
  lua.lua_newtable(L);
  setFunctions(L, {
    encode(L) {
      if (lua.lua_gettop(L) !== 1) lauxlib.luaL_argerror(L, 1, "expected 1 argument");
      const out = new Out();
      encodeValue(L, cfg, out, 0);
      pushBytes(L, out.buf.subarray(0, out.len));
      return 1;
    },
    decode(L) {
      if (lua.lua_gettop(L) !== 1) lauxlib.luaL_argerror(L, 1, "expected 1 argument");
      const data = lauxlib.luaL_checklstring(L, 1);
      if (data.length >= 2 && (data[0] === 0 || data[1] === 0)) lauxlib.luaL_error(L, "JSON parser does not support UTF-16 or UTF-32");
      const p = new Parser(L, cfg, data);
      p.next();
      p.value();
      p.next();
      if (p.type !== Tok.End) p.throwError("the end");
      return 1;
    },
    encode_sparse_array(L) {
      argInit(L, 3);
      cfg.sparseConvert = enumOption(L, 1, cfg.sparseConvert ? 1 : 0, ON_OFF) === 1;
      cfg.sparseRatio = integerOption(L, 2, cfg.sparseRatio, 0, INT_MAX);
      cfg.sparseSafe = integerOption(L, 3, cfg.sparseSafe, 0, INT_MAX);
      return 3;
    },
    encode_max_depth(L) {
      argInit(L, 1);
      cfg.encodeMaxDepth = integerOption(L, 1, cfg.encodeMaxDepth, 1, INT_MAX);
      return 1;
    },
    decode_max_depth(L) {
      argInit(L, 1);
      cfg.decodeMaxDepth = integerOption(L, 1, cfg.decodeMaxDepth, 1, INT_MAX);
      return 1;
    },
    encode_number_precision(L) {
      argInit(L, 1);
      cfg.precision = integerOption(L, 1, cfg.precision, 1, 14);
      return 1;
    },
    encode_keep_buffer(L) {
      argInit(L, 1);
      cfg.keepBuffer = enumOption(L, 1, cfg.keepBuffer ? 1 : 0, ON_OFF) === 1;
      return 1;
    },
    encode_invalid_numbers(L) {
      argInit(L, 1);
      cfg.encodeInvalidNumbers = enumOption(L, 1, cfg.encodeInvalidNumbers, ["off", "on", "null"]);
      return 1;
    },
    decode_invalid_numbers(L) {
      argInit(L, 1);
      cfg.decodeInvalidNumbers = enumOption(L, 1, cfg.decodeInvalidNumbers ? 1 : 0, ON_OFF) === 1;
      return 1;
    },
    new: newCjson,
  });
  lua.lua_pushlightuserdata(L, null);
  lua.lua_setfield(L, -2, "null");
  lua.lua_pushstring(L, "cjson");
  lua.lua_setfield(L, -2, "_NAME");
  lua.lua_pushstring(L, "2.1.0");
  lua.lua_setfield(L, -2, "_VERSION");
  return 1;
}

export const openCjson = newCjson;
