// Redis-style log lines: "pid:M 21 Nov 2026 07:18:30.123 * message", to stdout or logfile.

import { appendFileSync } from "node:fs";

const LEVELS: Record<string, number> = { debug: 0, verbose: 1, notice: 2, warning: 3, nothing: 4 };
const MARKS = [".", "-", "*", "#"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

export interface LogTarget {
  /** "" = stdout */
  file: string;
  level: string;
  /** M master, S replica, X sentinel, C child (Redis's role letters). */
  role: string;
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, "0");
}

export function formatLine(role: string, level: string, message: string, now = new Date()): string {
  const ts = `${pad(now.getDate())} ${MONTHS[now.getMonth()]} ${now.getFullYear()} ${pad(now.getHours())}:${pad(now.getMinutes())}:${pad(now.getSeconds())}.${pad(now.getMilliseconds(), 3)}`;
  return `${process.pid}:${role} ${ts} ${MARKS[LEVELS[level] ?? 2]} ${message}\n`;
}

export function makeLogger(target: LogTarget): (level: string, message: string) => void {
  return (level, message) => {
    if ((LEVELS[level] ?? 2) < (LEVELS[target.level] ?? 2)) return;
    const line = formatLine(target.role, level, message);
    if (target.file === "") process.stdout.write(line);
    else {
      try {
        appendFileSync(target.file, line);
      } catch {
        // Redis keeps running when it cannot write its log.
      }
    }
  };
}
