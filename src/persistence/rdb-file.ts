// Writing a persistence file safely: into a temp name in the same directory, checksummed
// as it goes, fsynced, then renamed over the target and the directory fsynced, so a crash
// at any point leaves either the old file or the complete new one.

import { closeSync, fsync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";
import { Crc64 } from "./crc64.ts";

/** fsync a directory so a rename in it is durable. */
export function fsyncDir(dir: string): void {
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Errors from the file system as Redis logs them ("No space left on device"). */
export function describe(e: unknown): string {
  const err = e as { code?: string; message?: string };
  const texts: Record<string, string> = {
    ENOSPC: "No space left on device",
    EACCES: "Permission denied",
    ENOENT: "No such file or directory",
    EROFS: "Read-only file system",
    EIO: "Input/output error",
    EDQUOT: "Disk quota exceeded",
  };
  return (err.code && texts[err.code]) ?? err.message ?? String(e);
}

export class SafeFile {
  readonly crc: Crc64 | null;
  private fd: number;
  bytes = 0;

  /** Open dir/tempName for writing; checksum what is written when crc is wanted. */
  constructor(
    readonly dir: string,
    readonly tempName: string,
    crc: boolean,
  ) {
    this.fd = openSync(join(dir, tempName), "w", 0o644);
    this.crc = crc ? new Crc64() : null;
  }

  get tempPath(): string {
    return join(this.dir, this.tempName);
  }

  write(chunk: Uint8Array): void {
    this.crc?.update(chunk);
    for (let off = 0; off < chunk.length; ) off += writeSync(this.fd, chunk, off, chunk.length - off);
    this.bytes += chunk.length;
  }

  /** Write the tail bytes, fsync, close and rename to target (a path relative to dir). */
  commitSync(tail: Uint8Array, target: string): void {
    this.writeRaw(tail);
    fsyncSync(this.fd);
    this.close();
    this.rename(target);
  }

  /** As commitSync, with the fsync on the thread pool; done(null) once renamed. */
  commit(tail: Uint8Array, target: string, done: (err: unknown) => void): void {
    try {
      this.writeRaw(tail);
    } catch (e) {
      done(e);
      return;
    }
    fsync(this.fd, (err) => {
      if (err) return done(err);
      try {
        this.close();
        this.rename(target);
      } catch (e) {
        return done(e);
      }
      done(null);
    });
  }

  private writeRaw(b: Uint8Array): void {
    for (let off = 0; off < b.length; ) off += writeSync(this.fd, b, off, b.length - off);
    this.bytes += b.length;
  }

  private rename(target: string): void {
    const path = join(this.dir, target);
    renameSync(this.tempPath, path);
    fsyncDir(dirname(path));
  }

  private close(): void {
    if (this.fd < 0) return;
    closeSync(this.fd);
    this.fd = -1;
  }

  /** Give up: close and remove the temp file. */
  discard(): void {
    try {
      this.close();
    } catch {
      // Already unusable; the unlink below is what matters.
    }
    try {
      unlinkSync(this.tempPath);
    } catch {
      // Never created or already gone.
    }
  }
}
