import { latin1 } from "./bytes.ts";

// x87 long double arithmetic for INCRBYFLOAT and HINCRBYFLOAT.
//
// Redis parses both operands with strtold, adds them as 80-bit long doubles (64-bit mantissa)
// and prints the sum with "%.17Lf". Doubles would print 1 - 1.1 as -0.10000000000000009 where
// Redis prints -0.1, so the arithmetic is reproduced exactly on BigInts: a value is
// sign * m * 2^e with m below 2^64, rounded to nearest-even like the FPU.

export interface LongDouble {
  neg: boolean;
  m: bigint;
  e: number;
}

const LD_MANT_BITS = 64;
/** Largest binary exponent of a finite long double (values below 2^16384). */
const LD_MAX_EXP = 16384;
/** Below 2^-16446 strtold underflows to zero (rejected by Redis's string2ld). */
const LD_MIN_EXP = -16446;
const MAX_LONG_DOUBLE_CHARS = 5 * 1024;

function bitLength(n: bigint): number {
  if (n === 0n) return 0;
  const hex = n.toString(16);
  return (hex.length - 1) * 4 + (32 - Math.clz32(parseInt(hex[0], 16)));
}

/** Round num * 2^e to a 64-bit mantissa, ties to even. */
function roundLd(neg: boolean, num: bigint, e: number): LongDouble {
  const len = bitLength(num);
  if (len <= LD_MANT_BITS) return { neg, m: num, e };
  const shift = len - LD_MANT_BITS;
  let m = num >> BigInt(shift);
  const rest = num & ((1n << BigInt(shift)) - 1n);
  const half = 1n << BigInt(shift - 1);
  if (rest > half || (rest === half && (m & 1n) === 1n)) m += 1n;
  let ne = e + shift;
  if (m >> BigInt(LD_MANT_BITS) !== 0n) {
    m >>= 1n;
    ne++;
  }
  return { neg, m, e: ne };
}

/** The exponent of the value's leading bit plus one: m * 2^e < 2^magnitude. */
function magnitude(v: LongDouble): number {
  return bitLength(v.m) + v.e;
}

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
const HEXFLOAT = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?$/;
const INFINITY = /^[+-]?inf(inity)?$/i;

/**
 * string2ld: the whole argument must be a number strtold accepts (decimal or hex float,
 * no leading space), neither NaN nor out of range. "inf" parses (and INCRBYFLOAT then
 * refuses the infinite result). Returns null when Redis says "not a valid float".
 */
export function parseLongDouble(b: Uint8Array): LongDouble | "inf" | null {
  if (b.length === 0 || b.length >= MAX_LONG_DOUBLE_CHARS) return null;
  const s = latin1(b);
  if (INFINITY.test(s)) return "inf";
  let digits: string;
  let exp10 = 0;
  let exp2 = 0;
  let radix = 10;
  let m = DECIMAL.exec(s);
  if (m !== null && (m[2] !== "" || (m[3] ?? "") !== "")) {
    const frac = m[3] ?? "";
    digits = m[2] + frac;
    exp10 = (m[4] === undefined ? 0 : Number(m[4])) - frac.length;
  } else if ((m = HEXFLOAT.exec(s)) !== null && (m[2] !== "" || (m[3] ?? "") !== "")) {
    const frac = m[3] ?? "";
    digits = m[2] + frac;
    exp2 = (m[4] === undefined ? 0 : Number(m[4])) - 4 * frac.length;
    radix = 16;
  } else {
    return null;
  }
  const neg = m[1] === "-";
  const n = BigInt(radix === 16 ? "0x" + digits : digits);
  if (n === 0n) return { neg, m: 0n, e: 0 };
  // Exponents this far out are beyond any long double whatever the digits are.
  if (Math.abs(exp10) > 20000 || Math.abs(exp2) > 70000) return null;
  let v: LongDouble;
  if (exp10 >= 0) {
    v = roundLd(neg, n * 10n ** BigInt(exp10), exp2);
  } else {
    // n / 10^k: scale by 2^s so the quotient keeps 66+ bits; a set sticky bit stands for
    // the discarded remainder so the final rounding sees it.
    const q = 10n ** BigInt(-exp10);
    const s2 = Math.max(0, LD_MANT_BITS + 2 + bitLength(q) - bitLength(n));
    const scaled = n << BigInt(s2);
    let quo = scaled / q;
    let e = -s2;
    if (scaled % q !== 0n) {
      quo = (quo << 1n) | 1n;
      e--;
    }
    v = roundLd(neg, quo, e);
  }
  const mag = magnitude(v);
  if (mag > LD_MAX_EXP || mag < LD_MIN_EXP) return null;
  return v;
}

export const LD_ZERO: LongDouble = { neg: false, m: 0n, e: 0 };

/** a + b, or null when the sum overflows to infinity. */
export function addLongDouble(a: LongDouble, b: LongDouble): LongDouble | null {
  const e = Math.min(a.e, b.e);
  const x = a.m << BigInt(a.e - e);
  const y = b.m << BigInt(b.e - e);
  const sum = (a.neg ? -x : x) + (b.neg ? -y : y);
  if (sum === 0n) return { neg: a.neg && b.neg, m: 0n, e: 0 };
  const v = sum < 0n ? roundLd(true, -sum, e) : roundLd(false, sum, e);
  return magnitude(v) > LD_MAX_EXP ? null : v;
}

/** ld2string(LD_STR_HUMAN): "%.17Lf" with trailing zeros (and a bare point) removed, "-0" as "0". */
export function formatLongDouble(v: LongDouble): string {
  const SCALE = 10n ** 17n;
  let q: bigint;
  if (v.e >= 0) {
    q = (v.m << BigInt(v.e)) * SCALE;
  } else {
    const num = v.m * SCALE;
    const shift = BigInt(-v.e);
    q = num >> shift;
    const rest = num - (q << shift);
    const half = 1n << (shift - 1n);
    if (rest > half || (rest === half && (q & 1n) === 1n)) q += 1n;
  }
  const digits = q.toString().padStart(18, "0");
  const int = digits.slice(0, -17);
  const frac = digits.slice(-17).replace(/0+$/, "");
  const text = frac === "" ? int : int + "." + frac;
  return v.neg && text !== "0" ? "-" + text : text;
}

