// Geohash math for the GEO commands, ported from Redis's geohash.c and geohash_helper.c so
// that scores, search areas, distances and printed numbers are bit-for-bit Redis's.
//
// A position is a 52-bit interleaved geohash (step 26: 26 bits of latitude in the even bit
// positions, 26 of longitude in the odd ones) stored as the sorted set score. Hash bits of
// a search area may reach 54 bits, so they are bigints; decoding a stored score, the hot
// path of a search, stays on 32-bit number halves.

export const GEO_STEP_MAX = 26;
export const GEO_LAT_MIN = -85.05112878;
export const GEO_LAT_MAX = 85.05112878;
export const GEO_LONG_MIN = -180;
export const GEO_LONG_MAX = 180;

const D_R = Math.PI / 180.0;
/** Earth's quadratic mean radius for WGS-84. */
const EARTH_RADIUS_IN_METERS = 6372797.560856;
const MERCATOR_MAX = 20037726.37;

const TWO32 = 4294967296;
const TWO52 = 2 ** 52;

export interface GeoHashBits {
  bits: bigint;
  step: number;
}

export interface GeoHashArea {
  hash: GeoHashBits;
  lonMin: number;
  lonMax: number;
  latMin: number;
  latMax: number;
}

interface Range {
  min: number;
  max: number;
}

const LONG_RANGE: Range = { min: GEO_LONG_MIN, max: GEO_LONG_MAX };
const LAT_RANGE: Range = { min: GEO_LAT_MIN, max: GEO_LAT_MAX };

// ---- bit interleaving -------------------------------------------------------------------

/** The low 16 bits of v spread to the even bit positions of a 32-bit word. */
function spread16(v: number): number {
  v &= 0xffff;
  v = (v | (v << 8)) & 0x00ff00ff;
  v = (v | (v << 4)) & 0x0f0f0f0f;
  v = (v | (v << 2)) & 0x33333333;
  v = (v | (v << 1)) & 0x55555555;
  return v >>> 0;
}

/** The even bits of a 32-bit word packed into 16 bits. */
function compact16(v: number): number {
  v &= 0x55555555;
  v = (v | (v >>> 1)) & 0x33333333;
  v = (v | (v >>> 2)) & 0x0f0f0f0f;
  v = (v | (v >>> 4)) & 0x00ff00ff;
  v = (v | (v >>> 8)) & 0x0000ffff;
  return v;
}

/** interleave64(): bits of x in the even positions, bits of y in the odd ones. */
function interleave64(x: number, y: number): bigint {
  const lo = (spread16(x) | (spread16(y) << 1)) >>> 0;
  const hi = (spread16(x >>> 16) | (spread16(y >>> 16) << 1)) >>> 0;
  return (BigInt(hi) << 32n) | BigInt(lo);
}

// ---- encode / decode --------------------------------------------------------------------

/** geohashEncode(); null when the point is outside the supported area. */
function encode(lon: Range, lat: Range, longitude: number, latitude: number, step: number): GeoHashBits | null {
  if (longitude > GEO_LONG_MAX || longitude < GEO_LONG_MIN || latitude > GEO_LAT_MAX || latitude < GEO_LAT_MIN) return null;
  if (latitude < lat.min || latitude > lat.max || longitude < lon.min || longitude > lon.max) return null;
  let latOffset = (latitude - lat.min) / (lat.max - lat.min);
  let longOffset = (longitude - lon.min) / (lon.max - lon.min);
  latOffset *= 2 ** step;
  longOffset *= 2 ** step;
  // C converts the doubles to uint32_t by truncation.
  return { bits: interleave64(Math.trunc(latOffset) >>> 0, Math.trunc(longOffset) >>> 0), step };
}

/** geohashEncodeWGS84(). */
export function encodeWGS84(longitude: number, latitude: number, step: number): GeoHashBits | null {
  return encode(LONG_RANGE, LAT_RANGE, longitude, latitude, step);
}

/** geohashAlign52Bits(): the hash as a 52-bit score prefix (uint64 arithmetic). */
export function align52(hash: GeoHashBits): bigint {
  return (hash.bits << BigInt(52 - hash.step * 2)) & 0xffffffffffffffffn;
}

/** geohashDecode() over the two uint32 halves (latitude bits, longitude bits). */
function decodeParts(ilato: number, ilono: number, step: number, lon: Range, lat: Range): GeoHashArea {
  const latScale = lat.max - lat.min;
  const longScale = lon.max - lon.min;
  const div = 2 ** step;
  return {
    hash: { bits: 0n, step },
    latMin: lat.min + ((ilato * 1.0) / div) * latScale,
    latMax: lat.min + ((((ilato + 1) >>> 0) * 1.0) / div) * latScale,
    lonMin: lon.min + ((ilono * 1.0) / div) * longScale,
    lonMax: lon.min + ((((ilono + 1) >>> 0) * 1.0) / div) * longScale,
  };
}

function deinterleaveBig(bits: bigint): [number, number] {
  const lo = Number(bits & 0xffffffffn);
  const hi = Number((bits >> 32n) & 0xffffffffn);
  return deinterleaveWords(lo, hi);
}

/** deinterleave64() of hi:lo: [even bits, odd bits]. */
function deinterleaveWords(lo: number, hi: number): [number, number] {
  const x = (compact16(lo) | (compact16(hi) << 16)) >>> 0;
  const y = (compact16(lo >>> 1) | (compact16(hi >>> 1) << 16)) >>> 0;
  return [x, y];
}

/** geohashDecode(). */
function decode(hash: GeoHashBits): GeoHashArea {
  const [ilato, ilono] = deinterleaveBig(hash.bits);
  const area = decodeParts(ilato, ilono, hash.step, LONG_RANGE, LAT_RANGE);
  area.hash = hash;
  return area;
}

/** The uint64 value C's (uint64_t) cast gives a double on x86-64, as hi:lo words. */
function scoreWords(score: number): [number, number] {
  if (score >= 0 && score < TWO52) {
    const v = Math.trunc(score);
    const hi = Math.floor(v / TWO32);
    return [v - hi * TWO32, hi];
  }
  let u: bigint;
  if (Number.isNaN(score) || score >= 2 ** 64) u = 0n;
  else if (score <= -(2 ** 63)) u = 1n << 63n;
  else if (score < 0) u = (1n << 64n) + BigInt(Math.trunc(score));
  else u = BigInt(Math.trunc(score));
  return [Number(u & 0xffffffffn), Number(u >> 32n)];
}

/** decodeGeohash(): the [longitude, latitude] center of the cell a score stands for. */
export function decodeScore(score: number, xy: number[]): void {
  const [lo, hi] = scoreWords(score);
  const [ilato, ilono] = deinterleaveWords(lo, hi);
  const area = decodeParts(ilato, ilono, GEO_STEP_MAX, LONG_RANGE, LAT_RANGE);
  let x = (area.lonMin + area.lonMax) / 2;
  if (x > GEO_LONG_MAX) x = GEO_LONG_MAX;
  if (x < GEO_LONG_MIN) x = GEO_LONG_MIN;
  let y = (area.latMin + area.latMax) / 2;
  if (y > GEO_LAT_MAX) y = GEO_LAT_MAX;
  if (y < GEO_LAT_MIN) y = GEO_LAT_MIN;
  xy[0] = x;
  xy[1] = y;
}

const GEO_ALPHABET = "0123456789bcdefghjkmnpqrstuvwxyz";

/**
 * The 11-character standard geohash of a score: decode with Redis's latitude limits, then
 * re-encode with the standard ±90 range (the last character stands for missing bits).
 */
export function geohashString(score: number): string {
  const xy = [0, 0];
  decodeScore(score, xy);
  const hash = encode({ min: -180, max: 180 }, { min: -90, max: 90 }, xy[0], xy[1], 26);
  const bits = hash === null ? 0n : hash.bits;
  let s = "";
  for (let i = 0; i < 11; i++) {
    const idx = i === 10 ? 0 : Number((bits >> BigInt(52 - (i + 1) * 5)) & 0x1fn);
    s += GEO_ALPHABET[idx];
  }
  return s;
}

// ---- neighbors and search areas ---------------------------------------------------------

const EVEN = 0xaaaaaaaaaaaaaaaan;
const ODD = 0x5555555555555555n;
const U64 = 0xffffffffffffffffn;

function moveX(hash: GeoHashBits, d: number): GeoHashBits {
  if (d === 0) return hash;
  let x = hash.bits & EVEN;
  const y = hash.bits & ODD;
  const zz = ODD >> BigInt(64 - hash.step * 2);
  if (d > 0) x = (x + (zz + 1n)) & U64;
  else {
    x = x | zz;
    x = (x - (zz + 1n)) & U64;
  }
  x &= EVEN >> BigInt(64 - hash.step * 2);
  return { bits: x | y, step: hash.step };
}

function moveY(hash: GeoHashBits, d: number): GeoHashBits {
  if (d === 0) return hash;
  const x = hash.bits & EVEN;
  let y = hash.bits & ODD;
  const zz = EVEN >> BigInt(64 - hash.step * 2);
  if (d > 0) y = (y + (zz + 1n)) & U64;
  else {
    y = y | zz;
    y = (y - (zz + 1n)) & U64;
  }
  y &= ODD >> BigInt(64 - hash.step * 2);
  return { bits: x | y, step: hash.step };
}

function neighbor(hash: GeoHashBits, dx: number, dy: number): GeoHashBits {
  return moveY(moveX(hash, dx), dy);
}

/** geohashEstimateStepsByRadius(). */
function estimateSteps(rangeMeters: number, lat: number): number {
  if (rangeMeters === 0) return 26;
  let step = 1;
  while (rangeMeters < MERCATOR_MAX) {
    rangeMeters *= 2;
    step++;
  }
  step -= 2;
  if (lat > 66 || lat < -66) {
    step--;
    if (lat > 80 || lat < -80) step--;
  }
  if (step < 1) step = 1;
  if (step > 26) step = 26;
  return step;
}

/** GeoShape: a circle (radius) or an axis-aligned box (width, height), in `conversion` units. */
export interface GeoShape {
  box: boolean;
  lon: number;
  lat: number;
  radius: number;
  width: number;
  height: number;
  /** Meters per unit of the distances above. */
  conversion: number;
}

/** geohashBoundingBox(): [min lon, min lat, max lon, max lat]. */
function boundingBox(shape: GeoShape): number[] {
  const { lon, lat } = shape;
  const height = shape.conversion * (shape.box ? shape.height / 2 : shape.radius);
  const width = shape.conversion * (shape.box ? shape.width / 2 : shape.radius);
  const latDelta = height / EARTH_RADIUS_IN_METERS / D_R;
  const longDeltaTop = width / EARTH_RADIUS_IN_METERS / Math.cos((lat + latDelta) * D_R) / D_R;
  const longDeltaBottom = width / EARTH_RADIUS_IN_METERS / Math.cos((lat - latDelta) * D_R) / D_R;
  const southern = lat < 0;
  return [
    southern ? lon - longDeltaBottom : lon - longDeltaTop,
    lat - latDelta,
    southern ? lon + longDeltaBottom : lon + longDeltaTop,
    lat + latDelta,
  ];
}

/**
 * geohashCalculateAreasByShapeWGS84(): the center cell and its 8 neighbors covering the
 * shape, in Redis's order (center, N, S, E, W, NE, NW, SE, SW); unneeded cells are null.
 */
export function searchAreas(shape: GeoShape): (GeoHashBits | null)[] {
  const [minLon, minLat, maxLon, maxLat] = boundingBox(shape);
  const radiusMeters =
    (shape.box ? Math.sqrt((shape.width / 2) * (shape.width / 2) + (shape.height / 2) * (shape.height / 2)) : shape.radius) * shape.conversion;
  let steps = estimateSteps(radiusMeters, shape.lat);
  let hash = encodeWGS84(shape.lon, shape.lat, steps)!;
  let area = decode(hash);

  // The estimated step may be too coarse near the edge of the covered area.
  const north = decode(neighbor(hash, 0, 1));
  const south = decode(neighbor(hash, 0, -1));
  const east = decode(neighbor(hash, 1, 0));
  const west = decode(neighbor(hash, -1, 0));
  const decrease = north.latMax < maxLat || south.latMin > minLat || east.lonMax < maxLon || west.lonMin > minLon;
  if (steps > 1 && decrease) {
    steps--;
    hash = encodeWGS84(shape.lon, shape.lat, steps)!;
    area = decode(hash);
  }

  const cells: (GeoHashBits | null)[] = [
    hash,
    neighbor(hash, 0, 1),
    neighbor(hash, 0, -1),
    neighbor(hash, 1, 0),
    neighbor(hash, -1, 0),
    neighbor(hash, 1, 1),
    neighbor(hash, -1, 1),
    neighbor(hash, 1, -1),
    neighbor(hash, -1, -1),
  ];
  if (steps >= 2) {
    const N = 1, S = 2, E = 3, W = 4, NE = 5, NW = 6, SE = 7, SW = 8;
    if (area.latMin < minLat) cells[S] = cells[SW] = cells[SE] = null;
    if (area.latMax > maxLat) cells[N] = cells[NE] = cells[NW] = null;
    if (area.lonMin < minLon) cells[W] = cells[SW] = cells[NW] = null;
    if (area.lonMax > maxLon) cells[E] = cells[SE] = cells[NE] = null;
  }
  return cells;
}

/**
 * scoresOfGeoHashBox(): the score interval [min, max) holding every point of a cell.
 * Both ends are below 2^54, so they convert to doubles as C's (double) cast would.
 */
export function cellScores(hash: GeoHashBits): [number, number] {
  const min = align52(hash);
  const max = align52({ bits: hash.bits + 1n, step: hash.step });
  return [Number(min), Number(max)];
}

// ---- distances ----------------------------------------------------------------------------

/** geohashGetLatDistance(). */
function latDistance(lat1d: number, lat2d: number): number {
  return EARTH_RADIUS_IN_METERS * Math.abs(lat2d * D_R - lat1d * D_R);
}

/** geohashGetDistance(): haversine distance in meters. */
export function distance(lon1d: number, lat1d: number, lon2d: number, lat2d: number): number {
  const lon1r = lon1d * D_R;
  const lon2r = lon2d * D_R;
  const v = Math.sin((lon2r - lon1r) / 2);
  if (v === 0.0) return latDistance(lat1d, lat2d);
  const lat1r = lat1d * D_R;
  const lat2r = lat2d * D_R;
  const u = Math.sin((lat2r - lat1r) / 2);
  const a = u * u + Math.cos(lat1r) * Math.cos(lat2r) * v * v;
  return 2.0 * EARTH_RADIUS_IN_METERS * Math.asin(Math.sqrt(a));
}

/**
 * geoWithinShape() for a decoded point: its distance from the shape's center in meters,
 * or -1 when it lies outside.
 */
export function distanceInShape(shape: GeoShape, lon: number, lat: number): number {
  if (!shape.box) {
    const d = distance(shape.lon, shape.lat, lon, lat);
    return d > shape.radius * shape.conversion ? -1 : d;
  }
  const widthM = shape.width * shape.conversion;
  const heightM = shape.height * shape.conversion;
  if (latDistance(shape.lat, lat) > heightM / 2) return -1;
  if (distance(lon, lat, shape.lon, lat) > widthM / 2) return -1;
  return distance(shape.lon, shape.lat, lon, lat);
}

// ---- number formatting --------------------------------------------------------------------

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** A finite double as mantissa * 2^exp exactly. */
function exactParts(d: number): [bigint, number] {
  f64[0] = d;
  const lo = u32[0];
  const hi = u32[1];
  const biased = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (biased === 0) return [mant, -1074];
  mant |= 1n << 52n;
  return [mant, biased - 1075];
}

/** C's "%.<digits>f" of a double (exact value, ties to even), e.g. "%f" with 6 digits. */
export function formatFixed(d: number, digits: number): string {
  if (d === Infinity) return "inf";
  if (d === -Infinity) return "-inf";
  if (Number.isNaN(d)) return "nan";
  const neg = d < 0 || Object.is(d, -0);
  const [m, e] = exactParts(Math.abs(d));
  const scale = 10n ** BigInt(digits);
  let q: bigint;
  if (e >= 0) q = (m << BigInt(e)) * scale;
  else {
    const n = m * scale;
    const shift = BigInt(-e);
    q = n >> shift;
    const twice = (n - (q << shift)) << 1n;
    const unit = 1n << shift;
    if (twice > unit || (twice === unit && (q & 1n) === 1n)) q += 1n;
  }
  let s = q.toString();
  if (digits > 0) {
    s = s.padStart(digits + 1, "0");
    s = s.slice(0, s.length - digits) + "." + s.slice(s.length - digits);
  }
  return (neg ? "-" : "") + s;
}

/** addReplyHumanLongDouble()'s text: "%.17Lf" without trailing zeros, "-0" as "0". */
export function formatHuman(d: number): string {
  let s = formatFixed(d, 17);
  if (s.includes(".")) s = s.replace(/0+$/, "").replace(/\.$/, "");
  return s === "-0" ? "0" : s;
}

/** fixedpoint_d2string(d, 4): distances with four decimals, rounded by llrint(). */
export function formatDistance(d: number): string {
  if (d === 0) return "0.0000";
  const x = d * 10000;
  let v = Math.round(x);
  if (v - x === 0.5 && v % 2 !== 0) v -= 1;
  const neg = v < 0;
  if (neg) v = -v;
  const int = Math.floor(v / 10000);
  const frac = String(v - int * 10000).padStart(4, "0");
  return (neg ? "-" : "") + int + "." + frac;
}
