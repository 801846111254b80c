// TCP front end of a shard worker: accepts connections (SO_REUSEPORT, so every worker
// listens on the same port), feeds bytes to the parser, and writes each read event's
// replies with one socket write, keeping unsent bytes across partial writes.

import type { Socket, TCPSocketListener, TCPSocketListenOptions } from "bun";
import { ProtocolError } from "../resp/parser.ts";
import { Client } from "./client.ts";
import { processCommand, call, resolve, markClock } from "./dispatch.ts";
import type { Shard } from "./shard.ts";

const DENIED =
  "DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Set up an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.";

function isLoopback(addr: string): boolean {
  return addr.startsWith("127.") || addr === "::1" || addr.startsWith("::ffff:127.");
}

/** Write what the client has pending; close it afterwards when asked to. */
export function flush(c: Client): void {
  const s = c.socket;
  if (s === null || c.closed) return;
  const out = c.out;
  if (out.len > c.sent) {
    const n = s.write(out.buf.subarray(c.sent, out.len));
    if (n > 0) {
      c.sent += n;
      c.netOut += n;
      c.shard.stats.netOutput += n;
    }
    if (c.sent < out.len) return; // the rest goes out on drain
  }
  out.reset();
  c.sent = 0;
  if (c.closeAfterReply) {
    c.closed = true;
    s.end();
  }
}

/** Clients that got output outside their own read event (pub/sub, unblocking). */
const toFlush = new Set<Client>();
let flushScheduled = false;

export function scheduleFlush(c: Client): void {
  toFlush.add(c);
  if (!flushScheduled) {
    flushScheduled = true;
    queueMicrotask(flushPending);
  }
}

function flushPending(): void {
  flushScheduled = false;
  for (const c of toFlush) flush(c);
  toFlush.clear();
}

/** Run a client's input until it pauses again or runs out. */
export function feed(c: Client, chunk: Uint8Array | null): void {
  markClock();
  try {
    if (chunk !== null) c.parser.feed(chunk, c.sink);
    else c.parser.drain(c.sink);
  } catch (e) {
    if (!(e instanceof ProtocolError)) throw e;
    if (e.message !== "query buffer limit") c.out.error("ERR " + e.message);
    c.closeAfterReply = true;
    c.shard.log("verbose", `Protocol error (${e.message}) from client: id=${c.id} addr=${c.addr}`);
  }
}

/** Continue a paused client: run its held command, then whatever it sent meanwhile. */
export function resume(c: Client): void {
  if (!c.paused || c.closed) return;
  c.paused = false;
  const argv = c.pendingArgv!;
  c.pendingArgv = null;
  const cmd = resolve(c, argv);
  markClock();
  if (cmd !== null) call(c, cmd, argv);
  if (!c.paused) feed(c, null);
  flush(c);
}

/** Let a client whose blocking command was answered go on with its input. */
export function wakeBlocked(c: Client): void {
  queueMicrotask(() => {
    if (c.closed) return;
    c.paused = false;
    feed(c, null);
    flush(c);
  });
}

export function listen(shard: Shard, hostname: string, port: number): TCPSocketListener<Client> {
  // Bun supports reusePort on TCP listeners; bun-types does not declare it yet.
  const options: TCPSocketListenOptions<Client> & { reusePort: boolean } = {
    hostname,
    port,
    reusePort: true,
    socket: {
      open(sock: Socket<Client>) {
        const c = new Client(shard, shard.nextClientId());
        c.socket = sock;
        sock.data = c;
        const remote = sock.remoteAddress;
        c.addr = `${remote.includes(":") ? `[${remote}]` : remote}:${sock.remotePort}`;
        c.laddr = `${hostname.includes(":") ? `[${hostname}]` : hostname}:${sock.localPort}`;
        sock.setNoDelay(true);
        const ka = shard.config.getNum("tcp-keepalive");
        if (ka > 0) sock.setKeepAlive(true, ka * 1000);
        c.sink = (argv) => {
          const mark = c.out.len;
          const skip = c.skipNext;
          c.pushedUntil = 0;
          const more = processCommand(c, argv);
          // CLIENT REPLY ON clears skipNext itself, and its OK must get through.
          if (c.repliesOff || (skip && c.skipNext)) c.out.len = Math.max(mark, c.pushedUntil);
          if (skip) c.skipNext = false;
          return more && !c.closeAfterReply;
        };
        shard.stats.connectionsReceived++;
        if (shard.clients.size >= shard.config.getNum("maxclients")) {
          shard.stats.rejectedConnections++;
          c.out.error("ERR max number of clients reached");
          c.closeAfterReply = true;
          flush(c);
          return;
        }
        if (shard.config.getBool("protected-mode") && shard.config.getStr("requirepass") === "" && !isLoopback(remote)) {
          c.out.error(DENIED);
          c.closeAfterReply = true;
          flush(c);
          return;
        }
        shard.clients.set(c.id, c);
      },
      data(sock: Socket<Client>, chunk: Uint8Array) {
        const c = sock.data;
        if (c.closed) return;
        c.netIn += chunk.length;
        c.lastInteraction = Date.now();
        shard.stats.netInput += chunk.length;
        if (c.paused) {
          // Keep the bytes; they are parsed when the client resumes.
          c.parser.hold(chunk);
          return;
        }
        feed(c, chunk);
        flush(c);
      },
      drain(sock: Socket<Client>) {
        flush(sock.data);
      },
      close(sock: Socket<Client>) {
        const c = sock.data;
        if (!c) return;
        c.closed = true;
        shard.clientClosed(c);
      },
      error(sock: Socket<Client>) {
        const c = sock.data;
        if (c) c.closed = true;
      },
    },
  };
  return Bun.listen<Client>(options);
}
