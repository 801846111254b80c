// GEO commands (Redis 7.0 geo.c) on top of sorted sets: a member's score is its 52-bit
// geohash (src/types/geohash.ts). GEOADD runs ZADD; searches scan the score ranges of the
// 9 geohash cells covering the shape and keep the points inside it.

import { register } from "./table.ts";
import type { Client } from "../server/client.ts";
import type { ReplyWriter } from "../resp/writer.ts";
import { deleteStore, readZset, storeZset, zadd, zsetLimits } from "./zsets.ts";
import { ZSet, memberOf, parseScore, replyMember, type ZLimits } from "../types/zset.ts";
import {
  GEO_LAT_MAX,
  GEO_LAT_MIN,
  GEO_LONG_MAX,
  GEO_LONG_MIN,
  GEO_STEP_MAX,
  align52,
  cellScores,
  decodeScore,
  distance,
  distanceInShape,
  encodeWGS84,
  formatDistance,
  formatFixed,
  formatHuman,
  geohashString,
  searchAreas,
  type GeoShape,
} from "../types/geohash.ts";
import { bytes, is, lower, parseInt64, str } from "../util/bytes.ts";
import { NOT_FLOAT, NOT_INTEGER, SYNTAX } from "../server/errors.ts";

const ZADD = bytes("zadd");
const UNKNOWN_MEMBER = "ERR could not decode requested zset member";

// ---- argument helpers ---------------------------------------------------------------------

/** extractLongLatOrReply(): [longitude, latitude] or null after the error. */
function longLatArg(c: Client, lonArg: Uint8Array, latArg: Uint8Array): [number, number] | null {
  const lon = parseScore(lonArg);
  if (lon === null) {
    c.out.error(NOT_FLOAT);
    return null;
  }
  const lat = parseScore(latArg);
  if (lat === null) {
    c.out.error(NOT_FLOAT);
    return null;
  }
  if (lon < GEO_LONG_MIN || lon > GEO_LONG_MAX || lat < GEO_LAT_MIN || lat > GEO_LAT_MAX) {
    c.out.error(`ERR invalid longitude,latitude pair ${formatFixed(lon, 6)},${formatFixed(lat, 6)}`);
    return null;
  }
  return [lon, lat];
}

/** extractUnitOrReply(): meters per unit, or -1 after the error. */
function unitArg(c: Client, b: Uint8Array): number {
  if (is(b, "m")) return 1;
  if (is(b, "km")) return 1000;
  if (is(b, "ft")) return 0.3048;
  if (is(b, "mi")) return 1609.34;
  c.out.error("ERR unsupported unit provided. please use M, KM, FT, MI");
  return -1;
}

/** extractDistanceOrReply() into shape.radius and shape.conversion. */
function radiusArg(c: Client, shape: GeoShape, value: Uint8Array, unit: Uint8Array): boolean {
  const d = parseScore(value);
  if (d === null) {
    c.out.error("ERR need numeric radius");
    return false;
  }
  if (d < 0) {
    c.out.error("ERR radius cannot be negative");
    return false;
  }
  const conversion = unitArg(c, unit);
  if (conversion < 0) return false;
  shape.box = false;
  shape.radius = d;
  shape.conversion = conversion;
  return true;
}

/** extractBoxOrReply() into shape.width/height and shape.conversion. */
function boxArg(c: Client, shape: GeoShape, w: Uint8Array, h: Uint8Array, unit: Uint8Array): boolean {
  const width = parseScore(w);
  if (width === null) {
    c.out.error("ERR need numeric width");
    return false;
  }
  const height = parseScore(h);
  if (height === null) {
    c.out.error("ERR need numeric height");
    return false;
  }
  if (height < 0 || width < 0) {
    c.out.error("ERR height or width cannot be negative");
    return false;
  }
  const conversion = unitArg(c, unit);
  if (conversion < 0) return false;
  shape.box = true;
  shape.width = width;
  shape.height = height;
  shape.conversion = conversion;
  return true;
}

/** longLatFromMember(): the decoded position of a member into shape's center. */
function centerFromMember(z: ZSet, member: Uint8Array, shape: GeoShape): boolean {
  const score = z.score(memberOf(member));
  if (score === undefined) return false;
  const xy = [0, 0];
  decodeScore(score, xy);
  shape.lon = xy[0];
  shape.lat = xy[1];
  return true;
}

/** addReplyHumanLongDouble(): a bulk string in RESP2, a double in RESP3. */
function replyCoord(out: ReplyWriter, d: number): void {
  const s = formatHuman(d);
  if (out.proto === 3) out.raw(bytes("," + s + "\r\n"));
  else out.bulkStr(s);
}

// ---- GEOADD ---------------------------------------------------------------------------------

function geoadd(c: Client, argv: Uint8Array[]): void {
  let xx = false;
  let nx = false;
  let longIdx = 2;
  for (; longIdx < argv.length; longIdx++) {
    const opt = argv[longIdx];
    if (is(opt, "nx")) nx = true;
    else if (is(opt, "xx")) xx = true;
    else if (!is(opt, "ch")) break;
  }
  if ((argv.length - longIdx) % 3 !== 0 || (xx && nx)) return c.out.error(SYNTAX);
  // ZADD key [options] score member ..., the score being the 52-bit geohash.
  const zargv: Uint8Array[] = [ZADD];
  for (let i = 1; i < longIdx; i++) zargv.push(argv[i]);
  for (let i = longIdx; i < argv.length; i += 3) {
    const xy = longLatArg(c, argv[i], argv[i + 1]);
    if (xy === null) return;
    const hash = encodeWGS84(xy[0], xy[1], GEO_STEP_MAX)!;
    zargv.push(bytes(align52(hash).toString()), argv[i + 2]);
  }
  c.rewrite(zargv);
  zadd(c, zargv);
}

// ---- searches ---------------------------------------------------------------------------------

const RADIUS_COORDS = 1;
const RADIUS_MEMBER = 2;
const RADIUS_NOSTORE = 4;
const GEOSEARCH = 8;
const GEOSEARCHSTORE = 16;

const SORT_NONE = 0;
const SORT_ASC = 1;
const SORT_DESC = 2;

interface GeoPoint {
  member: string;
  lon: number;
  lat: number;
  dist: number;
  score: number;
}

/**
 * geoGetPointsInRange(): points of the score interval [min, max) inside the shape,
 * stopping once `limit` points are gathered (0 = no limit).
 */
function pointsInRange(z: ZSet, min: number, max: number, shape: GeoShape, found: GeoPoint[], limit: number): void {
  const first = z.firstInRange({ min, max, minex: false, maxex: true });
  if (first < 0) return;
  const xy = [0, 0];
  z.walk(first, false, (member, score) => {
    if (score >= max) return false;
    decodeScore(score, xy);
    const dist = distanceInShape(shape, xy[0], xy[1]);
    if (dist >= 0) found.push({ member, lon: xy[0], lat: xy[1], dist, score });
    return !(found.length > 0 && limit > 0 && found.length >= limit);
  });
}

/** membersOfAllNeighbors(): search the center cell and its neighbors. */
function pointsInShape(z: ZSet, shape: GeoShape, limit: number): GeoPoint[] {
  const cells = searchAreas(shape);
  const found: GeoPoint[] = [];
  let last = 0;
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i];
    if (cell === null) continue;
    // With huge radii neighbors can repeat: skip a cell equal to the one just searched.
    const prev = cells[last];
    if (last !== 0 && prev !== null && prev.bits === cell.bits && prev.step === cell.step) continue;
    if (found.length > 0 && limit > 0 && found.length >= limit) break;
    const [min, max] = cellScores(cell);
    pointsInRange(z, min, max, shape, found, limit);
    last = i;
  }
  return found;
}

/**
 * georadiusGeneric(): GEORADIUS[BYMEMBER][_RO], GEOSEARCH and GEOSEARCHSTORE. The source
 * key is argv[srcIdx].
 */
function georadiusGeneric(c: Client, argv: Uint8Array[], srcIdx: number, flags: number): void {
  let storeKey: Uint8Array | null = null;
  let storeDist = false;
  const z = readZset(c, argv[srcIdx]);
  if (z === undefined) return;

  const shape: GeoShape = { box: false, lon: 0, lat: 0, radius: 0, width: 0, height: 0, conversion: 1 };
  let baseArgs: number;
  if (flags & RADIUS_COORDS) {
    baseArgs = 6;
    const xy = longLatArg(c, argv[2], argv[3]);
    if (xy === null) return;
    [shape.lon, shape.lat] = xy;
    if (!radiusArg(c, shape, argv[4], argv[5])) return;
  } else if (flags & RADIUS_MEMBER) {
    baseArgs = 5;
    // Without a source key the arguments are still parsed, to pick the right reply.
    if (z !== null) {
      if (!centerFromMember(z, argv[2], shape)) return c.out.error(UNKNOWN_MEMBER);
      if (!radiusArg(c, shape, argv[3], argv[4])) return;
    }
  } else {
    baseArgs = 2;
    if (flags & GEOSEARCHSTORE) {
      baseArgs = 3;
      storeKey = argv[1];
    }
  }

  let withDist = false;
  let withHash = false;
  let withCoords = false;
  let fromMember = false;
  let fromLonLat = false;
  let byRadius = false;
  let byBox = false;
  let sort = SORT_NONE;
  let any = false;
  let count = 0;
  const remaining = argv.length - baseArgs;
  for (let i = 0; i < remaining; i++) {
    const arg = argv[baseArgs + i];
    const left = remaining - i - 1;
    if (is(arg, "withdist")) withDist = true;
    else if (is(arg, "withhash")) withHash = true;
    else if (is(arg, "withcoord")) withCoords = true;
    else if (is(arg, "any")) any = true;
    else if (is(arg, "asc")) sort = SORT_ASC;
    else if (is(arg, "desc")) sort = SORT_DESC;
    else if (is(arg, "count") && left >= 1) {
      const v = parseInt64(argv[baseArgs + i + 1]);
      if (v === null) return c.out.error(NOT_INTEGER);
      if (v <= 0) return c.out.error("ERR COUNT must be > 0");
      count = Number(v);
      i++;
    } else if ((is(arg, "store") || is(arg, "storedist")) && left >= 1 && !(flags & RADIUS_NOSTORE) && !(flags & GEOSEARCH)) {
      storeKey = argv[baseArgs + i + 1];
      storeDist = is(arg, "storedist");
      i++;
    } else if (is(arg, "storedist") && flags & GEOSEARCH && flags & GEOSEARCHSTORE) {
      storeDist = true;
    } else if (is(arg, "frommember") && left >= 1 && flags & GEOSEARCH && !fromLonLat) {
      if (z !== null && !centerFromMember(z, argv[baseArgs + i + 1], shape)) return c.out.error(UNKNOWN_MEMBER);
      fromMember = true;
      i++;
    } else if (is(arg, "fromlonlat") && left >= 2 && flags & GEOSEARCH && !fromMember) {
      const xy = longLatArg(c, argv[baseArgs + i + 1], argv[baseArgs + i + 2]);
      if (xy === null) return;
      [shape.lon, shape.lat] = xy;
      fromLonLat = true;
      i += 2;
    } else if (is(arg, "byradius") && left >= 2 && flags & GEOSEARCH && !byBox) {
      if (!radiusArg(c, shape, argv[baseArgs + i + 1], argv[baseArgs + i + 2])) return;
      byRadius = true;
      i += 2;
    } else if (is(arg, "bybox") && left >= 3 && flags & GEOSEARCH && !byRadius) {
      if (!boxArg(c, shape, argv[baseArgs + i + 1], argv[baseArgs + i + 2], argv[baseArgs + i + 3])) return;
      byBox = true;
      i += 3;
    } else {
      return c.out.error(SYNTAX);
    }
  }

  if (storeKey !== null && (withDist || withHash || withCoords)) {
    const what = flags & GEOSEARCHSTORE ? "GEOSEARCHSTORE" : "STORE option in GEORADIUS";
    return c.out.error(`ERR ${what} is not compatible with WITHDIST, WITHHASH and WITHCOORD options`);
  }
  if (flags & GEOSEARCH && !(fromMember || fromLonLat)) {
    return c.out.error(`ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for ${str(argv[0])}`);
  }
  if (flags & GEOSEARCH && !(byRadius || byBox)) {
    return c.out.error(`ERR exactly one of BYRADIUS and BYBOX can be specified for ${str(argv[0])}`);
  }
  if (any && count === 0) return c.out.error("ERR the ANY argument requires COUNT argument");

  if (z === null) {
    if (storeKey === null) return c.out.array(0);
    deleteStore(c, storeKey);
    return c.out.int(0);
  }

  // COUNT needs the nearest points, so it implies ASC unless ANY asked for any of them.
  if (count !== 0 && sort === SORT_NONE && !any) sort = SORT_ASC;

  const found = pointsInShape(z, shape, any ? count : 0);
  if (found.length === 0 && storeKey === null) return c.out.array(0);
  if (sort === SORT_ASC) found.sort((a, b) => (a.dist > b.dist ? 1 : a.dist < b.dist ? -1 : 0));
  else if (sort === SORT_DESC) found.sort((a, b) => (a.dist < b.dist ? 1 : a.dist > b.dist ? -1 : 0));
  const returned = count === 0 || found.length < count ? found.length : count;

  if (storeKey === null) {
    const options = (withDist ? 1 : 0) + (withHash ? 1 : 0) + (withCoords ? 1 : 0);
    const out = c.out;
    out.array(returned);
    for (let i = 0; i < returned; i++) {
      const p = found[i];
      if (options > 0) out.array(options + 1);
      replyMember(out, p.member);
      if (withDist) out.bulkStr(formatDistance(p.dist / shape.conversion));
      if (withHash) out.int(Math.trunc(p.score));
      if (withCoords) {
        out.array(2);
        replyCoord(out, p.lon);
        replyCoord(out, p.lat);
      }
    }
    return;
  }

  if (returned > 0) {
    const members: string[] = [];
    const scores: number[] = [];
    for (let i = 0; i < returned; i++) {
      const p = found[i];
      members.push(p.member);
      scores.push(storeDist ? p.dist / shape.conversion : p.score);
    }
    const limits: ZLimits = zsetLimits(c);
    storeZset(c, storeKey, ZSet.fromPairs(members, scores, limits), flags & GEOSEARCH ? "geosearchstore" : "georadiusstore");
    c.shard.dirty += returned - 1;
  } else {
    deleteStore(c, storeKey);
  }
  c.out.int(returned);
}

// ---- GEOHASH / GEOPOS / GEODIST -------------------------------------------------------------------

function geohash(c: Client, argv: Uint8Array[]): void {
  const z = readZset(c, argv[1]);
  if (z === undefined) return;
  c.out.array(argv.length - 2);
  for (let j = 2; j < argv.length; j++) {
    const score = z === null ? undefined : z.score(memberOf(argv[j]));
    if (score === undefined) c.out.nil();
    else c.out.bulkStr(geohashString(score));
  }
}

function geopos(c: Client, argv: Uint8Array[]): void {
  const z = readZset(c, argv[1]);
  if (z === undefined) return;
  const out = c.out;
  out.array(argv.length - 2);
  const xy = [0, 0];
  for (let j = 2; j < argv.length; j++) {
    const score = z === null ? undefined : z.score(memberOf(argv[j]));
    if (score === undefined) {
      out.nilArray();
      continue;
    }
    decodeScore(score, xy);
    out.array(2);
    replyCoord(out, xy[0]);
    replyCoord(out, xy[1]);
  }
}

function geodist(c: Client, argv: Uint8Array[]): void {
  let toMeters = 1;
  if (argv.length === 5) {
    toMeters = unitArg(c, argv[4]);
    if (toMeters < 0) return;
  } else if (argv.length > 5) {
    return c.out.error(SYNTAX);
  }
  const z = readZset(c, argv[1]);
  if (z === undefined) return;
  if (z === null) return c.out.nil();
  const s1 = z.score(memberOf(argv[2]));
  const s2 = z.score(memberOf(argv[3]));
  if (s1 === undefined || s2 === undefined) return c.out.nil();
  const a = [0, 0];
  const b = [0, 0];
  decodeScore(s1, a);
  decodeScore(s2, b);
  c.out.bulkStr(formatDistance(distance(a[0], a[1], b[0], b[1]) / toMeters));
}

// ---- key positions ------------------------------------------------------------------------------

/** georadiusGetKeys(): the source key, then the last STORE/STOREDIST key. */
function georadiusKeys(argv: Uint8Array[]): number[] {
  let stored = -1;
  for (let i = 5; i < argv.length; i++) {
    const a = lower(argv[i]);
    if ((a === "store" || a === "storedist") && i + 1 < argv.length) {
      stored = i + 1;
      i++;
    }
  }
  return stored === -1 ? [1] : [1, stored];
}

// ---- registration -------------------------------------------------------------------------------

const RADIUS_COMPLEXITY =
  "O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index.";
const SEARCH_COMPLEXITY =
  "O(N+log(M)) where N is the number of elements in the grid-aligned bounding box area around the shape provided as the filter and M is the number of items inside the shape";

register(
  { name: "geoadd", arity: -5, flags: ["write", "denyoom"], keys: [1, 1, 1], group: "geo", since: "3.2.0", summary: "Add one or more geospatial items in the geospatial index represented using a sorted set", complexity: "O(log(N)) for each item added, where N is the number of elements in the sorted set.", handler: geoadd },
  { name: "geopos", arity: -2, flags: ["readonly"], keys: [1, 1, 1], group: "geo", since: "3.2.0", summary: "Returns longitude and latitude of members of a geospatial index", complexity: "O(N) where N is the number of members requested.", handler: geopos },
  { name: "geodist", arity: -4, flags: ["readonly"], keys: [1, 1, 1], group: "geo", since: "3.2.0", summary: "Returns the distance between two members of a geospatial index", complexity: "O(log(N))", handler: geodist },
  { name: "geohash", arity: -2, flags: ["readonly"], keys: [1, 1, 1], group: "geo", since: "3.2.0", summary: "Returns members of a geospatial index as standard geohash strings", complexity: "O(log(N)) for each member requested, where N is the number of elements in the sorted set.", handler: geohash },
  { name: "geosearch", arity: -7, flags: ["readonly"], keys: [1, 1, 1], group: "geo", since: "6.2.0", summary: "Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle.", complexity: SEARCH_COMPLEXITY, handler: (c, argv) => georadiusGeneric(c, argv, 1, GEOSEARCH) },
  { name: "geosearchstore", arity: -8, flags: ["write", "denyoom"], keys: [1, 2, 1], group: "geo", since: "6.2.0", summary: "Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle, and store the result in another key.", complexity: SEARCH_COMPLEXITY, handler: (c, argv) => georadiusGeneric(c, argv, 2, GEOSEARCH | GEOSEARCHSTORE) },
  { name: "georadius", arity: -6, flags: ["write", "denyoom"], keys: [1, 1, 1], getKeys: georadiusKeys, group: "geo", since: "3.2.0", summary: "Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a point", complexity: RADIUS_COMPLEXITY, handler: (c, argv) => georadiusGeneric(c, argv, 1, RADIUS_COORDS) },
  { name: "georadius_ro", arity: -6, flags: ["readonly"], keys: [1, 1, 1], group: "geo", since: "3.2.10", summary: "A read-only variant for GEORADIUS", complexity: RADIUS_COMPLEXITY, handler: (c, argv) => georadiusGeneric(c, argv, 1, RADIUS_COORDS | RADIUS_NOSTORE) },
  { name: "georadiusbymember", arity: -5, flags: ["write", "denyoom"], keys: [1, 1, 1], getKeys: georadiusKeys, group: "geo", since: "3.2.0", summary: "Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a member", complexity: RADIUS_COMPLEXITY, handler: (c, argv) => georadiusGeneric(c, argv, 1, RADIUS_MEMBER) },
  { name: "georadiusbymember_ro", arity: -5, flags: ["readonly"], keys: [1, 1, 1], group: "geo", since: "3.2.10", summary: "A read-only variant for GEORADIUSBYMEMBER", complexity: RADIUS_COMPLEXITY, handler: (c, argv) => georadiusGeneric(c, argv, 1, RADIUS_MEMBER | RADIUS_NOSTORE) },
);
