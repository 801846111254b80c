// SHA1 hex digests: script identities (EVALSHA) and redis.sha1hex().

export function sha1hex(data: Uint8Array | string): string {
  return new Bun.CryptoHasher("sha1").update(data).digest("hex");
}
