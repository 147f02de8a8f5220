import childProcess from 'node:child_process';
import { DEFAULT_OPENAPI_LIMITS } from '../../src/openapi/limits';
import { HERE_MAX_JSON_BYTES, parseOpenapiInWorker } from '../../src/openapi/parse-in-child-process';

/**
 * A scrape's parse of a small JSON document (the common OpenAPI document: a few KiB of JSON) runs on the calling thread
 * with the child's own code and caps, instead of starting a Node.js child at niceness 19. That child costs ~50 ms of
 * CPU per scrape, and on a machine whose cores other work keeps busy it waited for a CPU long enough that 60 set-up
 * deploys of a test were still scraping after 120 s. YAML, and JSON above the size bound, still go to the child.
 */
describe('the OpenAPI parse of a small JSON document', () => {
  const spawn = jest.spyOn(childProcess, 'spawn');
  afterEach(() => spawn.mockClear());
  afterAll(() => spawn.mockRestore());
  const parse = (text: string) => parseOpenapiInWorker(Buffer.from(text), DEFAULT_OPENAPI_LIMITS);
  const doc = { openapi: '3.1.0', info: { title: 'shop', version: '1.0.0' }, paths: { '/orders': { get: { responses: { 200: { description: 'ok' } } } } } };

  it('stores it as it is, with no child process', async () => {
    expect(await parse(JSON.stringify(doc))).toEqual({ ok: true, format: 'json', json: JSON.stringify(doc) });
    expect(spawn).not.toHaveBeenCalled();
  });

  it('refuses a small document over the caps with the child’s reasons, with no child process', async () => {
    const nested = (depth: number) => `{"a":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`;
    expect(await parse(nested(201))).toEqual({ ok: false, reason: 'the document is nested deeper than 200 levels' });
    expect((await parse(nested(200))).ok).toBe(true);
    expect(await parse('[1, 2]')).toEqual({ ok: false, reason: 'the JSON body is an array, not a document (an object)' });
    expect(spawn).not.toHaveBeenCalled();
  });

  it('leaves YAML, JSON that does not parse, and JSON above the bound to the child', async () => {
    expect(await parse('openapi: 3.1.0\ninfo: {title: t, version: "1"}\n')).toMatchObject({ ok: true, format: 'yaml' });
    expect(spawn).toHaveBeenCalledTimes(1);
    expect((await parse('{"a": 1,')).ok).toBe(false);
    expect(spawn).toHaveBeenCalledTimes(2);
    const big = { ...doc, 'x-padding': 'p'.repeat(HERE_MAX_JSON_BYTES) };
    expect(await parse(JSON.stringify(big))).toEqual({ ok: true, format: 'json', json: JSON.stringify(big) });
    expect(spawn).toHaveBeenCalledTimes(3);
  });
});
