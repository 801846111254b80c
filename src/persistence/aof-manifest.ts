// Redis 7's multi-part AOF layout: `appenddirname` holds a base file (RDB or AOF format), the
// incremental files written since, and a manifest listing them:
//
//   file appendonly.aof.1.base.rdb seq 1 type b
//   file appendonly.aof.1.incr.aof seq 1 type i
//
// Names needing quotes are written as sdscatrepr() does and read back with sdssplitargs.

import { existsSync, readFileSync, writeFileSync, openSync, fsyncSync, closeSync, renameSync } from "node:fs";
import { join } from "node:path";
import { splitArgs } from "../resp/parser.ts";
import { fsyncDir } from "./rdb-file.ts";

export type AofFileType = "b" | "h" | "i";

export interface AofInfo {
  name: string;
  seq: number;
  type: AofFileType;
}

export class ManifestError extends Error {}

const MAX_LINE = 1024;

function needsRepr(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 32 || c >= 127 || c === 34 || c === 39 || c === 92) return true;
  }
  return s.length === 0;
}

/** sdscatrepr() of a file name. */
function repr(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 92 || c === 34) out += "\\" + s[i];
    else if (c === 10) out += "\\n";
    else if (c === 13) out += "\\r";
    else if (c === 9) out += "\\t";
    else if (c === 7) out += "\\a";
    else if (c === 8) out += "\\b";
    else if (c < 32 || c >= 127) out += "\\x" + c.toString(16).padStart(2, "0");
    else out += s[i];
  }
  return out + '"';
}

export class Manifest {
  base: AofInfo | null = null;
  incrs: AofInfo[] = [];
  history: AofInfo[] = [];
  baseSeq = 0;
  incrSeq = 0;

  static parse(text: string): Manifest {
    const m = new Manifest();
    let maxIncr = 0;
    const lines = text.split("\n");
    if (lines[lines.length - 1] === "") lines.pop();
    if (lines.length === 0) throw new ManifestError("Found an empty AOF manifest");
    for (const line of lines) {
      if (line.length > MAX_LINE) throw new ManifestError("The AOF manifest file contains too long line");
      if (line.startsWith("#")) continue;
      const args = splitArgs(new TextEncoder().encode(line));
      if (args === null || args.length < 6 || args.length % 2 !== 0) throw new ManifestError("Invalid AOF manifest file format");
      let name: string | null = null;
      let seq = -1;
      let type: string | null = null;
      for (let i = 0; i < args.length; i += 2) {
        const k = new TextDecoder().decode(args[i]);
        const v = new TextDecoder().decode(args[i + 1]);
        if (k === "file") name = v;
        else if (k === "seq") seq = /^[0-9]+$/.test(v) ? Number(v) : -1;
        else if (k === "type") type = v;
      }
      if (name === null || seq < 0 || (type !== "b" && type !== "h" && type !== "i")) throw new ManifestError("Invalid AOF manifest file format");
      const info: AofInfo = { name, seq, type };
      if (type === "b") {
        if (m.base !== null) throw new ManifestError("Found duplicate base file information");
        m.base = info;
        m.baseSeq = seq;
      } else if (type === "h") {
        m.history.push(info);
      } else {
        if (seq <= maxIncr) throw new ManifestError("Found a non-monotonic sequence number");
        m.incrs.push(info);
        m.incrSeq = seq;
        maxIncr = seq;
      }
    }
    return m;
  }

  format(): string {
    const line = (i: AofInfo) => `file ${needsRepr(i.name) ? repr(i.name) : i.name} seq ${i.seq} type ${i.type}\n`;
    let s = "";
    if (this.base !== null) s += line(this.base);
    for (const h of this.history) s += line(h);
    for (const i of this.incrs) s += line(i);
    return s;
  }

  clone(): Manifest {
    const m = new Manifest();
    m.base = this.base === null ? null : { ...this.base };
    m.incrs = this.incrs.map((i) => ({ ...i }));
    m.history = this.history.map((i) => ({ ...i }));
    m.baseSeq = this.baseSeq;
    m.incrSeq = this.incrSeq;
    return m;
  }

  /** A new base name (the old base becomes history). */
  newBase(prefix: string, rdb: boolean): AofInfo {
    if (this.base !== null) this.history.push({ ...this.base, type: "h" });
    this.baseSeq++;
    this.base = { name: `${prefix}.${this.baseSeq}.base.${rdb ? "rdb" : "aof"}`, seq: this.baseSeq, type: "b" };
    return this.base;
  }

  /** A new incremental file, appended to the list. */
  newIncr(prefix: string): AofInfo {
    this.incrSeq++;
    const info: AofInfo = { name: `${prefix}.${this.incrSeq}.incr.aof`, seq: this.incrSeq, type: "i" };
    this.incrs.push(info);
    return info;
  }

  /** After a rewrite: every incremental file but the `keep` newest ones become history. */
  retireIncrs(keep: number): void {
    const n = this.incrs.length - keep;
    for (let i = 0; i < n; i++) this.history.push({ ...this.incrs[i], type: "h" });
    this.incrs = this.incrs.slice(n);
  }
}

function manifestName(prefix: string): string {
  return `${prefix}.manifest`;
}

export function readManifest(aofDir: string, prefix: string): Manifest | null {
  const path = join(aofDir, manifestName(prefix));
  if (!existsSync(path)) return null;
  return Manifest.parse(readFileSync(path, "latin1"));
}

/** Write the manifest atomically (temp file, fsync, rename, fsync dir). */
export function persistManifest(aofDir: string, prefix: string, m: Manifest): void {
  const tmp = join(aofDir, `temp-${manifestName(prefix)}`);
  writeFileSync(tmp, m.format(), "latin1");
  const fd = openSync(tmp, "r+");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, join(aofDir, manifestName(prefix)));
  fsyncDir(aofDir);
}
