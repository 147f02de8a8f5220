'use strict';
// The OpenAPI parser's child process (see parse-in-child-process.ts), run as `node <flags> parse-child.js <limits>`.
// Plain JavaScript on purpose: it is a fresh Node.js process, started without a TypeScript loader. It reads the raw
// body from stdin until EOF, and answers once on stdout with a one-line JSON header, then (only when stored) the
// document's JSON text as it is, so the parent never has to decode a 10 MiB JSON string inside another:
//   {"ok":true,"format":"json"|"yaml"}\n<the document as the JSON text to store>
//   {"ok":false,"reason":"…"}\n                  why it is not stored
// Memory and wall-clock limits are enforced from outside (V8 heap flags, SIGKILL); the caps below keep a hostile
// document from getting near them in the common cases and give a clear reason when it does.
const fs = require('node:fs');
const os = require('node:os');
const yaml = require('js-yaml');

/**
 * Parsing is background work. The parent lowers this process's main thread to niceness 19 right after spawning it,
 * but on Linux niceness is per thread and V8's platform threads (GC helpers) may have started before that: lower
 * every thread of this process too. Threads started later inherit it. Elsewhere, or if refused, nothing changes.
 */
function lowerEveryThreadsPriority() {
  let tasks;
  try {
    tasks = fs.readdirSync('/proc/self/task');
  } catch {
    return; // not Linux
  }
  for (const task of tasks) {
    try {
      os.setPriority(Number(task), 19);
    } catch {
      // gone already, or not allowed
    }
  }
}

class NotStored extends Error {}

/** Deepest nesting of [ and { outside JSON strings, stopping as soon as it passes the cap. */
function jsonNestingExceeds(text, maxDepth) {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > maxDepth) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

function looksLikeJson(text) {
  const m = /^[\s\uFEFF]*([[{])/.exec(text.slice(0, 1024));
  return m !== null;
}

/**
 * Walks the parsed value without recursion, counting every value as the document expands (a YAML alias is
 * counted again wherever it is used, so an alias bomb is counted at its expanded size) and estimating the size
 * of its JSON text, before JSON.stringify would materialise it.
 */
function checkShape(root, limits) {
  const stack = [root, 1];
  let nodes = 0;
  let size = 0;
  while (stack.length > 0) {
    const depth = stack.pop();
    const value = stack.pop();
    if (++nodes > limits.maxNodes) throw new NotStored(`the document has more than ${limits.maxNodes} values (YAML aliases counted as what they expand to)`);
    if (typeof value === 'string') size += value.length + 2;
    else if (value === null || typeof value !== 'object') size += 8;
    else if (depth > limits.maxDepth) throw new NotStored(`the document is nested deeper than ${limits.maxDepth} levels`);
    else if (Array.isArray(value)) {
      size += 2 + value.length;
      for (let i = value.length - 1; i >= 0; i--) stack.push(value[i], depth + 1);
    } else {
      const keys = Object.keys(value);
      size += 2;
      for (const key of keys) {
        size += key.length + 4;
        stack.push(value[key], depth + 1);
      }
    }
    if (size > limits.maxStoredBytes) throw new NotStored(`the document would be larger than ${limits.maxStoredBytes} bytes as JSON`);
  }
}

function firstLine(message) {
  const line = String(message).split('\n')[0];
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

function parse(text, limits) {
  let value;
  let format;
  let jsonError;
  if (looksLikeJson(text)) {
    // V8's JSON.parse is not recursive: a million nested arrays parse, then everything after chokes on them.
    if (jsonNestingExceeds(text, limits.maxDepth)) throw new NotStored(`the document is nested deeper than ${limits.maxDepth} levels`);
    try {
      value = JSON.parse(text);
      format = 'json';
    } catch (err) {
      jsonError = err; // YAML is a superset of JSON's syntax: try it as YAML before giving up
    }
  }
  if (format === undefined) {
    try {
      // The core schema (YAML 1.2): no timestamps, binary or other types JSON cannot hold.
      value = yaml.load(text, { schema: yaml.CORE_SCHEMA });
      format = 'yaml';
    } catch (err) {
      if (err instanceof RangeError) throw new NotStored('the document is nested too deeply to parse');
      const why = jsonError ? `not JSON (${firstLine(jsonError.message)}) and not YAML (${firstLine(err.message)})` : `not JSON or YAML (${firstLine(err.message)})`;
      throw new NotStored(`the body is ${why}`);
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new NotStored(`the ${format.toUpperCase()} body is ${Array.isArray(value) ? 'an array' : value === null || value === undefined ? 'empty' : `a ${typeof value}`}, not a document (an object)`);
  }
  checkShape(value, limits);
  const json = JSON.stringify(value);
  if (Buffer.byteLength(json) > limits.maxStoredBytes) throw new NotStored(`the document would be larger than ${limits.maxStoredBytes} bytes as JSON`);
  return { json, format };
}

function answer(text, limits) {
  try {
    const { json, format } = parse(text, limits);
    return [{ ok: true, format }, json];
  } catch (err) {
    if (err instanceof NotStored) return [{ ok: false, reason: err.message }];
    if (err instanceof RangeError) return [{ ok: false, reason: 'the document is nested too deeply to process' }];
    return [{ ok: false, reason: `the parser failed: ${firstLine(err && err.message)}` }];
  }
}

function main() {
  lowerEveryThreadsPriority();
  const limits = JSON.parse(process.argv[2]);
  const chunks = [];
  process.stdin.on('data', (chunk) => chunks.push(chunk));
  process.stdin.on('end', () => {
    const text = Buffer.concat(chunks).toString('utf8');
    chunks.length = 0;
    const [header, json] = answer(text, limits);
    const out = json === undefined ? `${JSON.stringify(header)}\n` : `${JSON.stringify(header)}\n${json}`;
    // Exit only once stdout is flushed (a pipe write may be asynchronous); a parent that has gone makes it fail: exit.
    process.stdout.write(out, () => process.exit(0));
    process.stdout.on('error', () => process.exit(1));
  });
}

/**
 * The answer for a body that is JSON, or undefined when it is not (then YAML may be tried, which only the isolated
 * child does). For the parent's small-document path (parse-in-child-process.ts): nothing here can recurse deeper than
 * `maxDepth` (the nesting is measured on the text before anything is parsed) or try YAML.
 */
function answerJson(text, limits) {
  if (!looksLikeJson(text)) return undefined;
  if (!jsonNestingExceeds(text, limits.maxDepth)) {
    try {
      JSON.parse(text);
    } catch {
      return undefined;
    }
  }
  return answer(text, limits);
}

module.exports = { answerJson };

if (require.main === module) main();
