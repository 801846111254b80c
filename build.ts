// Builds ./tsredis: one self-contained executable with the shard worker embedded.
import { $ } from "bun";

const out = process.argv[2] ?? "./tsredis";
await $`${process.execPath} build --compile --minify-syntax --minify-whitespace src/main.ts workers/shard.ts --outfile ${out}`;
