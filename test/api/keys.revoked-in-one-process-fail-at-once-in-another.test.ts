import { ApiHarness, startApiHarness, WorkspaceKeys } from './support/api-harness';

/** Two API apps over one database, as two `npm start` processes behind a load balancer would be. */
describe('a key revoked through one API process', () => {
  let a: ApiHarness;
  let b: ApiHarness;
  let acme: WorkspaceKeys;
  beforeAll(async () => {
    a = await startApiHarness();
    b = await startApiHarness({ db: a.db });
    acme = await a.workspace('acme');
  });
  afterAll(async () => {
    await b.close();
    await a.close();
  });

  it('is refused by the other on its very next request, after being accepted there just before', async () => {
    const minted = await a.call('POST', '/v1/keys', { key: acme.admin, body: { name: 'ci', role: 'deployer' } });
    expect(minted.status).toBe(201);
    // Used on B many times, so anything B might remember about the key is warm.
    for (let i = 0; i < 5; i++) expect((await b.call('GET', '/v1/projects', { key: minted.body.key })).status).toBe(200);
    expect((await a.call('DELETE', `/v1/keys/${minted.body.id}`, { key: acme.admin })).status).toBe(200);
    const after = await b.call('GET', '/v1/projects', { key: minted.body.key });
    expect(after.status).toBe(401);
    expect((await a.call('GET', '/v1/projects', { key: minted.body.key })).status).toBe(401);
  });

  it('a key minted on one is listed and usable on the other', async () => {
    const minted = await b.call('POST', '/v1/keys', { key: acme.admin, body: { name: 'viewer via b', role: 'viewer' } });
    const listed = await a.call('GET', '/v1/keys', { key: acme.admin });
    expect(listed.body.data.map((k: { id: string }) => k.id)).toContain(minted.body.id);
    expect((await a.call('GET', '/v1/projects', { key: minted.body.key })).status).toBe(200);
  });
});
