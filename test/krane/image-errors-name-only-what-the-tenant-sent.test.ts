// The API first: its schemas must be built after @hono/zod-openapi extended zod.
import { ApiHarness, startApiHarnessWithEngine, WorkspaceKeys } from '../api/support/api-harness';
import { createProject, waitOverHttp } from '../api/support/deployments';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Status } from 'nice-grpc';
import type { EngineHarness } from '../support/engine-harness';
import { EmbeddedKrane, startEmbeddedKrane } from '../../src/krane/embedded';
import { FAST_DRIVER, helloSpec, REPO_ROOT } from './krane-test-kit';

/*
 * Krane's errors reach tenants: a failed deploy's statusReason, its step error, GET /v1/deployments/{id}. They name
 * what the tenant sent (`file:foo`) and never the host's directories; and a directory that exists outside the images
 * directory gives exactly the error a missing one gives, so the host's file system cannot be probed.
 */
const MISSING_OR_OUTSIDE = [
  'file:examples/no-such-app', // missing, inside
  'file:no-such-dir', // missing, outside
  'file:src', // exists, outside
  'file:.', // exists: the control plane itself
  'file:/etc', // exists, absolute, outside
  'file:/no/such/dir', // missing, absolute
  'file:examples/../test/krane/fixtures', // exists, climbs out
  'file:examples/escape', // a link inside that points outside
  'file:examples/escape/secret-dir', // below that link
];

/** The message with the image as sent taken out: what is left must be the same for every image above. */
const shape = (message: string, image: string) => message.split(JSON.stringify(image)).join('"<image>"');

describe('image errors', () => {
  let root: string;
  let krane: EmbeddedKrane;

  beforeAll(async () => {
    // A root of our own: examples/ (the images directory) holds one app and a link to a directory outside it.
    root = mkdtempSync(path.join(os.tmpdir(), 'krane-images-'));
    mkdirSync(path.join(root, 'examples', 'hello-api'), { recursive: true });
    writeFileSync(path.join(root, 'examples', 'hello-api', 'index.js'), 'require("http").createServer((q, s) => s.end("ok")).listen(process.env.PORT);');
    mkdirSync(path.join(root, 'examples', 'broken'));
    writeFileSync(path.join(root, 'examples', 'broken', 'package.json'), JSON.stringify({ main: 'missing.js' }));
    mkdirSync(path.join(root, 'examples', 'climbs'));
    writeFileSync(path.join(root, 'examples', 'climbs', 'package.json'), JSON.stringify({ main: '../../src/secret.js' }));
    mkdirSync(path.join(root, 'src', 'secret-dir'), { recursive: true });
    writeFileSync(path.join(root, 'src', 'secret.js'), '');
    mkdirSync(path.join(root, 'test', 'krane', 'fixtures'), { recursive: true });
    symlinkSync(path.join(root, 'src'), path.join(root, 'examples', 'escape'));
    krane = await startEmbeddedKrane({ ...FAST_DRIVER, rootDir: root, imagesDir: path.join(root, 'examples') });
  });
  afterAll(async () => {
    await krane?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  let n = 0;
  const createError = async (image: string) => {
    const err = await krane.client.create(helloSpec(`dep_image_${++n}`, { image })).then(
      () => undefined,
      (e: { grpcCode: Status; grpcDetails: string; message: string }) => e,
    );
    if (!err) throw new Error(`${image} was created`);
    return err;
  };

  it('a missing image and one outside the images directory give one and the same error, naming only the image', async () => {
    const shapes = new Set<string>();
    for (const image of MISSING_OR_OUTSIDE) {
      const err = await createError(image);
      expect({ image, code: err.grpcCode }).toEqual({ image, code: Status.INVALID_ARGUMENT });
      expect(err.message).not.toContain(root);
      expect(err.message).not.toContain(os.tmpdir());
      shapes.add(shape(err.grpcDetails, image));
    }
    expect([...shapes]).toEqual(['image "<image>" not found or not a directory in the images directory']);
  });

  it('an image whose entry is missing or outside it names the entry as written, not where it was looked for', async () => {
    for (const [image, entry] of [
      ['file:examples/broken', 'missing.js'],
      ['file:examples/climbs', '../../src/secret.js'],
    ]) {
      const err = await createError(image);
      expect(err.grpcDetails).toBe(`image "${image}": package.json main names the entry "${entry}", which is not a file in the image`);
    }
  });
});

describe('a failed deploy, as the tenant reads it', () => {
  let h: ApiHarness & { engine: EngineHarness };
  let acme: WorkspaceKeys;
  beforeAll(async () => {
    h = await startApiHarnessWithEngine();
    acme = await h.workspace('acme');
    await createProject(h, acme.admin, 'shop');
  });
  afterAll(async () => h?.close());

  it('names the image as sent in statusReason and in the step error, never a host path, whether the directory exists or not', async () => {
    const seen = new Map<string, string>();
    // The engine harness's images directory is the repository root: /etc exists outside it, /no/such/dir does not.
    for (const image of ['file:examples/no-such-app', 'file:/etc', 'file:/no/such/dir']) {
      const res = await h.call('POST', '/v1/deployments', { key: acme.deployer, body: { projectId: 'shop', image } });
      expect(res.status).toBe(202);
      const op = await waitOverHttp(h, acme.viewer, res.body.operationId);
      expect(op.state).toBe('failed');
      const view = await h.call('GET', `/v1/deployments/${res.body.deploymentId}`, { key: acme.viewer });
      expect(view.body).toMatchObject({ status: 'failed', failedStep: 'create-in-krane' });
      const step = view.body.steps.find((s: { name: string }) => s.name === 'create-in-krane');
      for (const text of [view.body.statusReason, step.error, op.error.message]) {
        expect(text).toContain(JSON.stringify(image));
        expect(text).not.toContain(REPO_ROOT);
      }
      // Nothing anywhere in what the tenant can read names the server's directories.
      expect(view.text).not.toContain(REPO_ROOT);
      seen.set(image, shape(view.body.statusReason, image).replace(res.body.deploymentId, '<id>'));
    }
    expect(new Set(seen.values()).size).toBe(1);
  });
});
