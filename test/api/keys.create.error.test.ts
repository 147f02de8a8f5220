import { errorFields } from './support/api-harness';
import { useApiHarness } from './support/use-api-harness';

describe('POST /v1/keys (errors)', () => {
  const { h, acme } = useApiHarness(['acme']);
  let keysBefore: number;
  beforeAll(async () => {
    keysBefore = await h.db.prisma.apiKey.count();
  });
  afterEach(async () => {
    expect(await h.db.prisma.apiKey.count()).toBe(keysBefore);
  });

  it.each([
    ['no role', { name: 'ci' }, 'role'],
    ['an unknown role', { name: 'ci', role: 'owner' }, 'role'],
    ['the root role', { name: 'ci', role: 'root' }, 'role'],
    ['no name', { role: 'viewer' }, 'name'],
    ['a blank name', { name: '   ', role: 'viewer' }, 'name'],
    ['a name over 100 characters', { name: 'n'.repeat(101), role: 'viewer' }, 'name'],
    ['a name with a control character', { name: 'ci\u0007', role: 'viewer' }, 'name'],
    ['an expiry that is not a date-time', { name: 'ci', role: 'viewer', expiresAt: 'tomorrow' }, 'expiresAt'],
    ['an expiry without a time zone', { name: 'ci', role: 'viewer', expiresAt: '2030-01-01T00:00:00' }, 'expiresAt'],
    ['an expiry in the past', { name: 'ci', role: 'viewer', expiresAt: '2001-01-01T00:00:00Z' }, 'expiresAt'],
    // Year 9999 in its own zone, year 10000 in UTC: past what a stored timestamp reads back as a date.
    ['an expiry after the year 9999 in UTC', { name: 'ci', role: 'viewer', expiresAt: '9999-12-31T23:59:59-00:01' }, 'expiresAt'],
    ['an expiry in the year 10000 in UTC, written in a zone far west', { name: 'ci', role: 'viewer', expiresAt: '9999-12-31T23:59:59-23:59' }, 'expiresAt'],
    ['an unknown field', { name: 'ci', role: 'viewer', workspaceId: 'ws_01jx4m7k2q9d3w8r5t6y0z1a2b' }, 'workspaceId'],
  ])('answers 400 naming the field for %s', async (_what, body, field) => {
    const res = await h.call('POST', '/v1/keys', { key: acme.admin, body });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(errorFields(res)).toContain(field);
  });

  it('answers 400 for a body that is not JSON, 415 for another media type', async () => {
    expect((await h.call('POST', '/v1/keys', { key: acme.admin, rawBody: '{"name":', headers: { 'content-type': 'application/json' } })).status).toBe(400);
    expect((await h.call('POST', '/v1/keys', { key: acme.admin, rawBody: 'name=ci', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).status).toBe(415);
  });

  it('answers 422 when an Idempotency-Key is reused for a different request', async () => {
    const first = await h.call('POST', '/v1/keys', { key: acme.admin, body: { name: 'a', role: 'viewer' }, headers: { 'idempotency-key': 'k-reuse' } });
    expect(first.status).toBe(201);
    await h.db.prisma.apiKey.delete({ where: { id: first.body.id } });
    const second = await h.call('POST', '/v1/keys', { key: acme.admin, body: { name: 'b', role: 'viewer' }, headers: { 'idempotency-key': 'k-reuse' } });
    expect(second.status).toBe(422);
    expect(second.body.error.code).toBe('idempotency_key_reused');
  });
});
