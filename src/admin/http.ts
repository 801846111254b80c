// Admin HTTP endpoint (Bun.serve, uWebSockets inside): INFO as JSON and a health probe.

import type { Config } from "../config/config.ts";
import type { InfoSection } from "../server/protocol.ts";

export interface AdminOptions {
  hostname: string;
  port: number;
  config: Config;
  requestInfo: (section?: string) => Promise<InfoSection[]>;
}

/** INFO sections as { section: { field: value } }, numbers kept as numbers. */
export function infoToJson(sections: InfoSection[]): Record<string, Record<string, string | number>> {
  const out: Record<string, Record<string, string | number>> = {};
  for (const [name, fields] of sections) {
    const obj: Record<string, string | number> = {};
    for (const [k, v] of fields) obj[k] = v;
    out[name.toLowerCase()] = obj;
  }
  return out;
}

function authorized(req: Request, config: Config): boolean {
  const pass = config.getStr("requirepass");
  if (pass === "") return true;
  const header = req.headers.get("authorization") ?? "";
  if (header.startsWith("Bearer ") && header.slice(7) === pass) return true;
  if (header.startsWith("Basic ")) {
    const decoded = Buffer.from(header.slice(6), "base64").toString();
    const colon = decoded.indexOf(":");
    return colon >= 0 && decoded.slice(colon + 1) === pass;
  }
  return new URL(req.url).searchParams.get("auth") === pass;
}

export function startAdmin(opts: AdminOptions): void {
  Bun.serve({
    hostname: opts.hostname,
    port: opts.port,
    async fetch(req) {
      const url = new URL(req.url);
      if (!authorized(req, opts.config)) {
        return new Response(JSON.stringify({ error: "NOAUTH Authentication required." }), {
          status: 401,
          headers: { "content-type": "application/json", "www-authenticate": 'Basic realm="tsredis"' },
        });
      }
      if (url.pathname === "/health") return new Response("OK\n");
      if (url.pathname === "/info") {
        const section = url.searchParams.get("section") ?? undefined;
        const info = infoToJson(await opts.requestInfo(section ?? "everything"));
        return Response.json(info);
      }
      return new Response("Not Found\n", { status: 404 });
    },
  });
}
