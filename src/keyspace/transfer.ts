// RENAME, RENAMENX and COPY when source and destination live on different shard workers.
// Runs under Mesh.exclusive(), so reading the source and writing the destination is one
// atomic step for every other client. Values travel as ordinary commands on each side.

import { bytes, is, parseSafeInt } from "../util/bytes.ts";
import { ReplyError } from "../resp/reply.ts";
import type { Client } from "../server/client.ts";
import type { Router } from "../server/router.ts";
import { BAD_DB, NO_SUCH_KEY, NOT_INTEGER, SYNTAX } from "../server/errors.ts";

const TYPE = bytes("TYPE");
const GET = bytes("GET");
const PTTL = bytes("PTTL");
const SET = bytes("SET");
const PX = bytes("PX");
const DEL = bytes("DEL");
const EXISTS = bytes("EXISTS");

export function moveValue(r: Router, c: Client, name: string, argv: Uint8Array[]): void {
  const src = argv[1];
  const dst = argv[2];
  let replace = name === "rename";
  let targetDb = c.dbIndex;
  if (name === "copy") {
    for (let i = 3; i < argv.length; i++) {
      if (is(argv[i], "replace")) replace = true;
      else if (is(argv[i], "db") && i + 1 < argv.length) {
        const n = parseSafeInt(argv[++i]);
        if (n === null) return c.out.error(NOT_INTEGER);
        if (n < 0 || n >= c.shard.dbs.length) return c.out.error(BAD_DB);
        targetDb = n;
      } else return c.out.error(SYNTAX);
    }
  }
  const from = r.ownerOf(src);
  const to = r.ownerOf(dst);
  const type = r.runValue(from, c, [TYPE, src]);
  if (type === "none") return name === "copy" ? c.out.int(0) : c.out.error(NO_SUCH_KEY);
  if (type !== "string") {
    return c.out.error(`ERR ${name.toUpperCase()} of a ${String(type)} between keys on different shard workers is not supported; put both keys in one slot with a {hash tag}`);
  }
  const value = r.runValue(from, c, [GET, src]) as Uint8Array;
  const ttl = r.runValue(from, c, [PTTL, src]) as number;
  const homeDb = c.dbIndex;
  c.select(targetDb);
  try {
    if (!replace && (r.runValue(to, c, [EXISTS, dst]) as number) > 0) return c.out.int(0);
    const set = ttl > 0 ? [SET, dst, value, PX, bytes(String(ttl))] : [SET, dst, value];
    const v = r.runValue(to, c, set);
    if (v instanceof ReplyError) return c.out.error(v.message);
  } finally {
    c.select(homeDb);
  }
  if (name !== "copy") r.runOn(from, c, [DEL, src]);
  if (name === "rename") c.out.ok();
  else c.out.int(1);
}
