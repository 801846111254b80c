/** Addresses to listen on for a Redis `bind` value ("* -::*" = all IPv4, IPv6 if present). */
export function bindAddresses(bind: string): { host: string; optional: boolean }[] {
  const out: { host: string; optional: boolean }[] = [];
  for (let word of bind.split(/\s+/).filter(Boolean)) {
    const optional = word.startsWith("-");
    if (optional) word = word.slice(1);
    if (word === "*") word = "0.0.0.0";
    else if (word === "::*") word = "::";
    out.push({ host: word, optional });
  }
  return out;
}
