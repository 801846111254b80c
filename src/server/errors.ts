// Redis's shared error replies, verbatim (clients and the test suite match on them).

export const WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";
export const NOT_INTEGER = "ERR value is not an integer or out of range";
export const NOT_FLOAT = "ERR value is not a valid float";
export const SYNTAX = "ERR syntax error";
export const NO_SUCH_KEY = "ERR no such key";
export const OUT_OF_RANGE = "ERR index out of range";
export const OVERFLOW = "ERR increment or decrement would overflow";
export const NOAUTH = "NOAUTH Authentication required.";
export const BAD_DB = "ERR DB index is out of range";
export const INVALID_EXPIRE = (cmd: string) => `ERR invalid expire time in '${cmd}' command`;
export const STRING_TOO_LONG = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";

export function wrongArgs(name: string): string {
  return `ERR wrong number of arguments for '${name}' command`;
}

export function unknownSubcommand(sub: string, cmd: string): string {
  return `ERR unknown subcommand '${sub}'. Try ${cmd.toUpperCase()} HELP.`;
}
