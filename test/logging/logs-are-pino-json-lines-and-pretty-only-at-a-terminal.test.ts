import { createLogger } from '../../src/logger';
import { isPretty } from '../../src/logging/log-format';

describe('the logger', () => {
  it('writes one pino JSON object per line: ISO time, level by name, base and call fields, msg', () => {
    const lines: string[] = [];
    const logger = createLogger('info', { service: 'svc' }, (line) => lines.push(line));
    logger.info('deploy requested', { deploymentId: 'dep_1' });
    logger.child({ requestId: 'req_abc' }).warn('slow', { ms: 12 });
    logger.debug('below the level');
    expect(lines).toHaveLength(2);
    const [first, second] = lines.map((l) => JSON.parse(l));
    expect(first).toEqual({ level: 'info', time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/), service: 'svc', deploymentId: 'dep_1', msg: 'deploy requested' });
    expect(second).toMatchObject({ level: 'warn', service: 'svc', requestId: 'req_abc', ms: 12, msg: 'slow' });
    for (const line of lines) expect(line).not.toContain('\n');
  });

  it('keeps a child\'s fields on every line of the child and of its own children', () => {
    const lines: string[] = [];
    const request = createLogger('debug', {}, (line) => lines.push(line)).child({ requestId: 'req_1' });
    request.child({ step: 'validate' }).error('failed', { code: 'x' });
    request.debug('done');
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      expect.objectContaining({ requestId: 'req_1', step: 'validate', code: 'x', level: 'error' }),
      expect.objectContaining({ requestId: 'req_1', level: 'debug', msg: 'done' }),
    ]);
  });

  it('silent writes nothing', () => {
    const lines: string[] = [];
    createLogger('silent', {}, (line) => lines.push(line)).error('nothing');
    expect(lines).toEqual([]);
  });

  it('is pretty only at a terminal outside tests and CI, unless told', () => {
    expect(isPretty('auto', {}, true)).toBe(true);
    expect(isPretty('auto', {}, false)).toBe(false);
    expect(isPretty('auto', { NODE_ENV: 'test' }, true)).toBe(false);
    expect(isPretty('auto', { JEST_WORKER_ID: '1' }, true)).toBe(false);
    expect(isPretty('auto', { CI: 'true' }, true)).toBe(false);
    expect(isPretty('auto', { CI: 'false' }, true)).toBe(true);
    expect(isPretty('json', {}, true)).toBe(false);
    expect(isPretty('pretty', { CI: 'true' }, false)).toBe(true);
    // This very run: Jest sets JEST_WORKER_ID.
    expect(isPretty('auto')).toBe(false);
  });
});
