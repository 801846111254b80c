// Byte helpers. Redis strings are binary-safe, so keys and values travel as Uint8Array;
// these helpers convert at the edges (numbers, error messages, config) without UTF-16 detours.

const encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();

export const EMPTY = new Uint8Array(0);

/** UTF-8 encode a JS string. */
export function bytes(s: string): Uint8Array {
  return encoder.encode(s);
}

/** Decode bytes as UTF-8 text (for names, config values, error messages). */
export function str(b: Uint8Array): string {
  return utf8Decoder.decode(b);
}

/**
 * Decode bytes one char per byte; round-trips arbitrary bytes through a JS string.
 * (TextDecoder's "latin1" label is windows-1252, which remaps 0x80-0x9f.)
 */
export function latin1(b: Uint8Array): string {
  const n = b.length;
  if (n < 64) {
    let s = "";
    for (let i = 0; i < n; i++) s += String.fromCharCode(b[i]);
    return s;
  }
  let s = "";
  for (let i = 0; i < n; i += 8192) s += String.fromCharCode.apply(null, b.subarray(i, Math.min(n, i + 8192)) as unknown as number[]);
  return s;
}

/** Inverse of latin1(). */
export function fromLatin1(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

export function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** memcmp-style ordering, as Redis compares sds strings. */
export function compare(a: Uint8Array, b: Uint8Array): number {
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    const d = a[i] - b[i];
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** Case-insensitive comparison of an argument with a lower-case ASCII word. */
export function is(arg: Uint8Array, lowerWord: string): boolean {
  if (arg.length !== lowerWord.length) return false;
  for (let i = 0; i < arg.length; i++) {
    let c = arg[i];
    if (c >= 65 && c <= 90) c |= 0x20;
    if (c !== lowerWord.charCodeAt(i)) return false;
  }
  return true;
}

/** Lower-cased ASCII string of an argument (command names, options). */
export function lower(arg: Uint8Array): string {
  let s = "";
  for (let i = 0; i < arg.length; i++) {
    let c = arg[i];
    if (c >= 65 && c <= 90) c |= 0x20;
    s += String.fromCharCode(c);
  }
  return s;
}

export function concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
export const INT64_MAX = 9223372036854775807n;
export const INT64_MIN = -9223372036854775808n;

/**
 * Parse a strict Redis integer (string2ll): optional '-', no '+', no leading zeros,
 * no spaces, fits in int64. Returns null when the bytes are not such an integer.
 * Small values come back as number, values beyond 2^53 as bigint.
 */
export function parseInt64(b: Uint8Array): number | bigint | null {
  const n = b.length;
  if (n === 0 || n > 20) return null;
  let i = 0;
  let neg = false;
  if (b[0] === 45) {
    neg = true;
    i = 1;
    if (n === 1) return null;
  }
  if (b[i] === 48) return n === i + 1 && !neg ? 0 : null;
  if (n - i > 15) {
    let v = 0n;
    for (; i < n; i++) {
      const c = b[i] - 48;
      if (c < 0 || c > 9) return null;
      v = v * 10n + BigInt(c);
    }
    if (neg) v = -v;
    if (v > INT64_MAX || v < INT64_MIN) return null;
    if (v <= MAX_SAFE && v >= -MAX_SAFE) return Number(v);
    return v;
  }
  let v = 0;
  for (; i < n; i++) {
    const c = b[i] - 48;
    if (c < 0 || c > 9) return null;
    v = v * 10 + c;
  }
  return neg ? -v : v;
}

/** parseInt64 restricted to JS safe integers (lengths, counts, indexes, ms timestamps). */
export function parseSafeInt(b: Uint8Array): number | null {
  const v = parseInt64(b);
  return typeof v === "number" ? v : null;
}

/** Whether a value is stored by Redis with the "int" encoding. */
export function isIntEncodable(b: Uint8Array): boolean {
  return b.length <= 20 && parseInt64(b) !== null;
}

/**
 * Parse a Redis float argument (strtold semantics as Redis uses them): accepts
 * "inf", "-inf", "+inf", decimals and exponents; rejects spaces, empty strings and NaN.
 */
export function parseDouble(b: Uint8Array): number | null {
  const n = b.length;
  if (n === 0 || n > 5000) return null;
  if (b[0] === 32 || b[n - 1] === 32 || b[0] === 9) return null;
  const s = latin1(b);
  const l = s.toLowerCase();
  if (l === "inf" || l === "+inf" || l === "infinity" || l === "+infinity") return Infinity;
  if (l === "-inf" || l === "-infinity") return -Infinity;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s)) {
    if (/^[+-]?0x[0-9a-f]+$/i.test(s)) return Number.parseInt(s, 16);
    return null;
  }
  const v = Number(s);
  return Number.isNaN(v) ? null : v;
}

/** C's "%.17g" as Redis prints doubles: 17 significant digits, exponent form below 1e-4 and from 1e17. */
export function formatDouble(d: number): string {
  if (d === Infinity) return "inf";
  if (d === -Infinity) return "-inf";
  if (Number.isNaN(d)) return "nan";
  if (d === 0) return Object.is(d, -0) ? "-0" : "0";
  // JS rounds halfway cases away from zero where printf rounds to even: a '5' in the 18th
  // digit may be such a tie, so those values take the exact path.
  const wide = d.toExponential(17);
  if (wide.charCodeAt(wide.indexOf("e") - 1) === 53) return exactG17(d);
  const e = d.toExponential(16);
  const at = e.indexOf("e");
  const neg = d < 0;
  return shapeG(e.slice(neg ? 1 : 0, at).replace(".", ""), Number(e.slice(at + 1)), neg);
}

/** %g layout of 17 significant digits whose first digit has decimal exponent exp. */
function shapeG(digits: string, exp: number, neg: boolean): string {
  let s: string;
  if (exp < -4 || exp >= 17) {
    s = (digits[0] + "." + digits.slice(1)).replace(/0+$/, "").replace(/\.$/, "");
    const ax = Math.abs(exp);
    s += "e" + (exp < 0 ? "-" : "+") + (ax < 10 ? "0" : "") + ax;
  } else {
    s = exp >= 0 ? digits.slice(0, exp + 1) + "." + digits.slice(exp + 1) : "0." + "0".repeat(-exp - 1) + digits;
    s = s.replace(/0+$/, "").replace(/\.$/, "");
  }
  return neg ? "-" + s : s;
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** %.17g from the exact binary value, ties to even. */
function exactG17(d: number): string {
  f64[0] = Math.abs(d);
  const biased = (u32[1] >>> 20) & 0x7ff;
  let m = (BigInt(u32[1] & 0xfffff) << 32n) | BigInt(u32[0]);
  let k = -1074;
  if (biased !== 0) {
    m |= 1n << 52n;
    k = biased - 1075;
  }
  // value = int(all) * 10^p exactly.
  const all = (k >= 0 ? m << BigInt(k) : m * 5n ** BigInt(-k)).toString();
  const p = k >= 0 ? 0 : k;
  let exp = all.length - 1 + p;
  let head = all.slice(0, 17).padEnd(17, "0");
  const rest = all.slice(17);
  if (rest.length > 0) {
    const first = rest.charCodeAt(0);
    const tail = /[1-9]/.test(rest.slice(1));
    const up = first > 53 || (first === 53 && (tail || (head.charCodeAt(16) & 1) === 1));
    if (up) {
      head = (BigInt(head) + 1n).toString();
      if (head.length > 17) {
        head = head.slice(0, 17);
        exp++;
      }
    }
  }
  return shapeG(head, exp, d < 0);
}


/** Turn JS toPrecision output into C's %g shape: no trailing zeros, e+NN exponents. */
function trimG(s: string): string {
  let mant = s;
  let exp = "";
  const e = s.indexOf("e");
  if (e >= 0) {
    mant = s.slice(0, e);
    const x = Number(s.slice(e + 1));
    exp = "e" + (x < 0 ? "-" : "+") + (Math.abs(x) < 10 ? "0" : "") + Math.abs(x);
  }
  if (mant.indexOf(".") >= 0) mant = mant.replace(/0+$/, "").replace(/\.$/, "");
  return mant + exp;
}

/**
 * Glob-style pattern matching on bytes: a port of Redis's stringmatchlen(), including its
 * early exit that keeps patterns like "a*a*a*...b" linear instead of exponential.
 */
export function globMatch(pattern: Uint8Array, s: Uint8Array, nocase = false): boolean {
  skipLongerMatches = false;
  return matchAt(pattern, 0, s, 0, nocase);
}

/**
 * Set once the rest of a pattern after a '*' matched nowhere in the rest of the string:
 * no earlier '*' can then succeed by consuming more, so every level gives up.
 */
let skipLongerMatches = false;

function fold(c: number, nocase: boolean): number {
  return nocase && c >= 65 && c <= 90 ? c | 0x20 : c;
}

function matchAt(p: Uint8Array, pi: number, s: Uint8Array, si: number, nocase: boolean): boolean {
  const plen = p.length;
  const slen = s.length;
  while (pi < plen && si < slen) {
    const c = p[pi];
    if (c === 42 /* * */) {
      while (pi + 1 < plen && p[pi + 1] === 42) pi++;
      if (pi + 1 === plen) return true;
      for (; si < slen; si++) {
        if (matchAt(p, pi + 1, s, si, nocase)) return true;
        if (skipLongerMatches) return false;
      }
      skipLongerMatches = true;
      return false;
    } else if (c === 63 /* ? */) {
      si++;
    } else if (c === 91 /* [ */) {
      pi++;
      const not = pi < plen && p[pi] === 94; /* ^ */
      if (not) pi++;
      let matched = false;
      for (;;) {
        if (pi + 1 < plen && p[pi] === 92 /* \ */) {
          pi++;
          if (p[pi] === s[si]) matched = true;
        } else if (pi < plen && p[pi] === 93 /* ] */) {
          break;
        } else if (pi >= plen) {
          pi--;
          break;
        } else if (pi + 2 < plen && p[pi + 1] === 45 /* - */) {
          let start = fold(p[pi], nocase);
          let end = fold(p[pi + 2], nocase);
          const x = fold(s[si], nocase);
          if (start > end) [start, end] = [end, start];
          pi += 2;
          if (x >= start && x <= end) matched = true;
        } else if (fold(p[pi], nocase) === fold(s[si], nocase)) {
          matched = true;
        }
        pi++;
      }
      if (not) matched = !matched;
      if (!matched) return false;
      si++;
    } else {
      if (c === 92 /* \ */ && pi + 1 < plen) pi++;
      if (fold(p[pi], nocase) !== fold(s[si], nocase)) return false;
      si++;
    }
    pi++;
    if (si === slen) {
      while (pi < plen && p[pi] === 42) pi++;
      break;
    }
  }
  return pi === plen && si === slen;
}
