import path from 'node:path';
import { parseArgs } from 'node:util';
import Docker from 'dockerode';
import { buildNodeAppImage } from './image/build-node-app-image';

/**
 * `npm run example:image [-- --tag NAME:TAG] [--app DIR] [--env NAME=VALUE ...]`: builds a container image of a Node
 * app (default examples/hello-api as deployflow/hello-api:1.0.0) on the Docker Engine at DOCKER_HOST, with no registry
 * and no base image, ready to deploy with KRANE_DRIVER=docker.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      tag: { type: 'string', default: 'deployflow/hello-api:1.0.0' },
      app: { type: 'string', default: 'examples/hello-api' },
      env: { type: 'string', multiple: true, default: [] },
    },
  });
  const env: Record<string, string> = {};
  for (const pair of values.env ?? []) {
    const eq = pair.indexOf('=');
    if (eq < 1) throw new Error(`--env takes NAME=VALUE, got ${JSON.stringify(pair)}`);
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  const docker = new Docker();
  try {
    await docker.ping();
  } catch (err) {
    throw new Error(`no docker daemon answers at ${process.env.DOCKER_HOST || 'unix:///var/run/docker.sock'}: ${(err as Error).message}`);
  }
  const started = Date.now();
  const id = await buildNodeAppImage(docker, { appDir: path.resolve(values.app!), tag: values.tag!, env });
  console.log(`built ${values.tag} (${id.slice(0, 19)}) from ${values.app} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(`deploy it: POST /v1/deployments {"projectId": "...", "image": "${values.tag}"} with KRANE_DRIVER=docker`);
}

main().catch((err) => {
  console.error(`example:image: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
