// The coordinator's half of a multi-shard save. Every shard worker snapshots its own keys at
// one common instant (taken under the mesh lock) and streams self-contained chunks here; this
// writes them, as they come, after the header into one temp file, then the EOF marker and
// CRC64, fsyncs, renames it over dbfilename and tells every worker the outcome.

import type { ControlRequest, RdbAssemblyMessage } from "../server/protocol.ts";
import { SafeFile, describe } from "./rdb-file.ts";
import { trailer } from "./rdb-writer.ts";

interface Assembly {
  file: SafeFile | null;
  target: string;
  /** Chunks that arrived before the leader's rdb-begin (workers post independently). */
  early: Uint8Array[];
  parts: number;
  ended: number;
  error: string | null;
}

export class RdbAssembler {
  private readonly saves = new Map<string, Assembly>();

  constructor(
    private readonly broadcast: (msg: ControlRequest) => void,
    private readonly log: (level: string, msg: string) => void,
  ) {}

  private assembly(id: string): Assembly {
    let a = this.saves.get(id);
    if (a === undefined) this.saves.set(id, (a = { file: null, target: "", early: [], parts: 0, ended: 0, error: null }));
    return a;
  }

  handle(msg: RdbAssemblyMessage): void {
    const a = this.assembly(msg.id);
    switch (msg.type) {
      case "rdb-begin":
        a.parts = msg.parts;
        a.target = msg.target;
        try {
          a.file = new SafeFile(msg.dir, msg.temp, msg.checksum);
          a.file.write(msg.header);
          for (const c of a.early) a.file.write(c);
        } catch (e) {
          a.error ??= describe(e);
        }
        a.early = [];
        break;
      case "rdb-part":
        if (a.file === null) {
          if (a.parts === 0) a.early.push(msg.chunk);
          break;
        }
        if (a.error !== null) break;
        try {
          a.file.write(msg.chunk);
        } catch (e) {
          a.error = describe(e);
        }
        break;
      case "rdb-part-end":
        a.ended++;
        if (msg.error !== null && (a.error === null || msg.error === "aborted")) a.error = msg.error;
        break;
    }
    if (a.parts > 0 && a.ended === a.parts) this.finish(msg.id, a);
  }

  private finish(id: string, a: Assembly): void {
    this.saves.delete(id);
    const file = a.file;
    const done = (error: string | null) => this.broadcast({ type: "rdb-done", id, error });
    if (file === null || a.error !== null) {
      file?.discard();
      if (a.error !== "aborted") this.log("warning", `Background saving error: ${a.error}`);
      return done(a.error ?? "no file");
    }
    file.commit(trailer(file.crc), a.target, (err) => {
      if (err) {
        file.discard();
        this.log("warning", `Background saving error: ${describe(err)}`);
        return done(describe(err));
      }
      done(null);
    });
  }
}
