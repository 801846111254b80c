// Deep copies of stored values for COPY. Strings are plain bytes; every other data type
// registers its own cloner from its module, so this file knows no value classes.

import { T_STRING, TYPE_NAMES } from "./db.ts";

export type Cloner = (value: unknown) => unknown;

const cloners = new Map<number, Cloner>();

/** Register how values of one type (T_LIST, T_SET, ...) are duplicated. */
export function registerCloner(type: number, fn: Cloner): void {
  cloners.set(type, fn);
}

/** An independent copy of a value: later writes to either side must not show in the other. */
export function cloneValue(type: number, value: unknown): unknown {
  if (type === T_STRING) return (value as Uint8Array).slice();
  const fn = cloners.get(type);
  if (fn === undefined) throw new Error(`no cloner registered for ${TYPE_NAMES[type] ?? type} values`);
  return fn(value);
}
