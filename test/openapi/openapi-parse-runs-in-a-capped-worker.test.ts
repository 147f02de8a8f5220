import { DEFAULT_OPENAPI_LIMITS, OpenapiLimits } from '../../src/openapi/limits';
import { parseOpenapiInWorker, ParseOutcome } from '../../src/openapi/parse-in-child-process';

const parse = (text: string, limits: Partial<OpenapiLimits> = {}) => parseOpenapiInWorker(Buffer.from(text), { ...DEFAULT_OPENAPI_LIMITS, ...limits });

function stored(outcome: ParseOutcome): unknown {
  if (!outcome.ok) throw new Error(`not stored: ${outcome.reason}`);
  return JSON.parse(outcome.json);
}

function reason(outcome: ParseOutcome): string {
  if (outcome.ok) throw new Error(`stored: ${outcome.json.slice(0, 100)}`);
  return outcome.reason;
}

const nestedJson = (levels: number) => `{"openapi":"3.1.0","x":${'['.repeat(levels - 1)}${']'.repeat(levels - 1)}}`;
const nestedYaml = (levels: number) => Array.from({ length: levels }, (_, i) => `${'  '.repeat(i)}k${i}:`).join('\n') + ' leaf\n';

/** Many small operations: a plausible large spec, as YAML. */
function bigYaml(paths: number): string {
  const lines = ['openapi: 3.1.0', 'info: {title: big, version: "1"}', 'paths:'];
  for (let i = 0; i < paths; i++) {
    lines.push(`  /things/${i}/{id}:`, '    get:', `      operationId: getThing${i}`, `      summary: Get thing ${i}`, '      parameters:', '        - {name: id, in: path, required: true, schema: {type: string}}', '      responses:', "        '200': {description: ok}");
  }
  return `${lines.join('\n')}\n`;
}

describe('parsing an OpenAPI document in a capped child process', () => {
  it('stores a JSON document as it is, and a YAML one as JSON under the YAML 1.2 core schema', async () => {
    const doc = { openapi: '3.1.0', info: { title: 't', version: '1' }, paths: { '/': { get: { responses: { 200: { description: 'ok' } } } } } };
    const json = await parse(JSON.stringify(doc));
    expect(json).toMatchObject({ ok: true, format: 'json' });
    expect(stored(json)).toEqual(doc);

    const yaml = await parse(['openapi: 3.1.0', 'info:', '  title: t', '  version: 1.0', '  x-released: 2024-01-01', 'defs: &d {type: string}', 'ref: *d', ''].join('\n'));
    expect(yaml).toMatchObject({ ok: true, format: 'yaml' });
    // No timestamps (a JSON document cannot hold a date); anchors are expanded in the stored JSON.
    expect(stored(yaml)).toEqual({ openapi: '3.1.0', info: { title: 't', version: 1, 'x-released': '2024-01-01' }, defs: { type: 'string' }, ref: { type: 'string' } });
  });

  it('refuses a body that is not a document, saying what it is', async () => {
    expect(reason(await parse('[1, 2]'))).toBe('the JSON body is an array, not a document (an object)');
    expect(reason(await parse('<html><body>nope</body></html>'))).toBe('the YAML body is a string, not a document (an object)');
    expect(reason(await parse(''))).toBe('the YAML body is empty, not a document (an object)');
    expect(reason(await parse('{"a": 1,'))).toMatch(/^the body is not JSON \(.+\) and not YAML \(.+\)$/);
    expect(reason(await parse('a: 1\na: 2\n'))).toMatch(/^the body is not JSON or YAML \(duplicated mapping key/);
  });

  it('accepts 200 levels of nesting and refuses 201, in JSON and in YAML', async () => {
    expect((await parse(nestedJson(200))).ok).toBe(true);
    expect(reason(await parse(nestedJson(201)))).toBe('the document is nested deeper than 200 levels');
    expect(reason(await parse(`${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}`))).toBe('the document is nested deeper than 200 levels');
    expect((await parse(nestedYaml(200))).ok).toBe(true);
    expect(reason(await parse(nestedYaml(201)))).toBe('the document is nested deeper than 200 levels');
    expect(reason(await parse(`x: ${'['.repeat(5 * 1024 * 1024 - 16)}`))).toBe('the document is nested too deeply to parse');
  });

  it('counts YAML aliases at the size they expand to', async () => {
    const laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let level = 1; level < 9; level++) {
      const below = String.fromCharCode(96 + level);
      const name = String.fromCharCode(97 + level);
      laughs.push(`${name}: &${name} [${Array(9).fill(`*${below}`).join(', ')}]`);
    }
    expect(reason(await parse(laughs.join('\n')))).toBe('the document has more than 1000000 values (YAML aliases counted as what they expand to)');
    const wide = `k: &k "${'x'.repeat(1024 * 1024)}"\nl: [${Array(20).fill('*k').join(', ')}]\n`;
    expect(reason(await parse(wide))).toBe(`the document would be larger than ${DEFAULT_OPENAPI_LIMITS.maxStoredBytes} bytes as JSON`);
  });

  it('parses a large YAML spec within the 64 MiB budget, and reports a smaller budget running out instead of dying', async () => {
    const text = bigYaml(6_000); // ~2 MB of YAML
    const outcome = await parse(text);
    expect(outcome).toMatchObject({ ok: true, format: 'yaml' });
    expect(Object.keys((stored(outcome) as { paths: object }).paths)).toHaveLength(6_000);

    const starved = await parse(text, { parseHeapMb: { old: 12, young: 2, stack: 2 } });
    expect(reason(starved)).toBe('parsing needed more than its 16 MiB memory budget');
  });

  it('gives up on a parse that uses more than its CPU-time limit', async () => {
    // Killed on its CPU time, or, when a busy machine gives the niced parser almost no CPU, on the clock (12x the limit).
    expect(reason(await parse(bigYaml(3_000), { parseTimeoutMs: 20 }))).toMatch(/^parsing took (more than 20 ms of CPU time|longer than \d+ ms)$/);
  });
});
