// Converts tiktoken's o200k_base ranks into the compact blob that aiohub embeds.
// Usage: node convert.mjs <out.bin>   (run from this folder after `npm ci`)
//
// Blob layout (little-endian): u32 token count N, then N records in rank order,
// each a u8 byte length followed by the token's bytes. Ranks are therefore
// implicit (0..N-1), which the C++ loader relies on.
import { createRequire } from "node:module";
import { writeFileSync, renameSync } from "node:fs";

const require = createRequire(import.meta.url);
const enc = require("tiktoken/encoders/o200k_base.json");

// src/tokenizer/pretokenize.cpp hand-implements exactly this pattern; a
// different one in a new package version must fail the build, not miscount.
const EXPECTED_PAT =
  "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?" +
  "|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?" +
  "|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
if (enc.pat_str !== EXPECTED_PAT) throw new Error("o200k_base pat_str changed: " + enc.pat_str);

// bpe_ranks is tiktoken-js's compressed form: lines of
// "<ignored> <first rank> <base64 token> <base64 token> ...".
const tokens = [];
for (const line of enc.bpe_ranks.split("\n")) {
  if (!line) continue;
  const [, offset, ...b64] = line.split(" ");
  if (Number(offset) !== tokens.length) throw new Error(`rank gap at ${tokens.length}`);
  for (const t of b64) tokens.push(Buffer.from(t, "base64"));
}
if (tokens.length < 199000) throw new Error(`only ${tokens.length} tokens`);

const parts = [Buffer.alloc(4)];
parts[0].writeUInt32LE(tokens.length);
for (const t of tokens) {
  if (t.length === 0 || t.length > 255) throw new Error(`token length ${t.length}`);
  parts.push(Buffer.from([t.length]), t);
}
const out = process.argv[2];
writeFileSync(out + ".tmp", Buffer.concat(parts));
renameSync(out + ".tmp", out);
