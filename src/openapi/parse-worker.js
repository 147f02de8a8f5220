'use strict';
// The body of the OpenAPI parse worker (see parse-in-worker.ts). Plain JavaScript on purpose: a worker thread is a
// fresh Node.js instance, and this file must load there without a TypeScript loader (tsx, or Jest's transform, only
// exist in the thread that started it). It receives the raw body and the caps, and answers once:
//   { ok: true, json, format }  the document as the JSON text to store
//   { ok: false, reason }       why it is not stored
// Memory and wall-clock limits are enforced from outside (resourceLimits, terminate); the caps below keep a
// hostile document from getting near them in the common cases and give a clear reason when it does.
const fs = require('node:fs');
const os = require('node:os');
const { parentPort, workerData } = require('node:worker_threads');
const yaml = require('js-yaml');

/**
 * Parsing is background work: on Linux, niceness is per thread, so this thread (and only it) yields the CPU to the
 * thread serving the API, the gateway and other tenants' steps. Elsewhere, or if refused, it parses at normal priority.
 */
function lowerThisThreadsPriority() {
  try {
    const match = /\/task\/(\d+)$/.exec(fs.readlinkSync('/proc/thread-self'));
    if (match) os.setPriority(Number(match[1]), 19);
  } catch {
    // not Linux, or not allowed
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

function answer() {
  lowerThisThreadsPriority();
  const { body, limits } = workerData;
  try {
    const text = Buffer.from(body).toString('utf8');
    const { json, format } = parse(text, limits);
    parentPort.postMessage({ ok: true, json, format });
  } catch (err) {
    if (err instanceof NotStored) parentPort.postMessage({ ok: false, reason: err.message });
    else if (err instanceof RangeError) parentPort.postMessage({ ok: false, reason: 'the document is nested too deeply to process' });
    else parentPort.postMessage({ ok: false, reason: `the parser failed: ${firstLine(err && err.message)}` });
  }
}

if (parentPort && workerData && workerData.openapiParse === true) answer();
