import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type Docker from 'dockerode';
import { APP_DIR, NODE_PATH, nodeAppRootfs } from './node-app-rootfs';

export interface NodeAppImage {
  /** Directory of the app (a package.json `main`, else `index.js`, is its entry). */
  appDir: string;
  /** `name:tag` to give the image. */
  tag: string;
  /** Baked into the image (`ENV`). */
  env?: Record<string, string>;
  /** Overrides the command; default `node /app/<entry>`. */
  cmd?: string[];
}

function entryOf(appDir: string): string {
  const manifest = path.join(appDir, 'package.json');
  if (existsSync(manifest)) {
    const main = (JSON.parse(readFileSync(manifest, 'utf8')) as { main?: unknown }).main;
    if (typeof main === 'string' && main) return main;
  }
  return 'index.js';
}

/** The Dockerfile instructions `docker import` applies to the root filesystem. */
export function imageChanges(image: NodeAppImage): string[] {
  const cmd = image.cmd ?? [NODE_PATH, path.posix.join(APP_DIR, entryOf(image.appDir))];
  return [
    `CMD ${JSON.stringify(cmd)}`,
    `WORKDIR ${APP_DIR}`,
    // Not root: with every capability dropped root is weak already, but an app has no need for uid 0 at all.
    'USER 65534:65534',
    'ENV PORT=8080',
    'EXPOSE 8080',
    ...Object.entries(image.env ?? {}).map(([name, value]) => `ENV ${name}=${JSON.stringify(value)}`),
  ];
}

/**
 * Builds a container image for a Node app with no registry and no base image: the root filesystem (this machine's
 * node, its shared libraries, the app) is streamed to the Engine API's image import. Returns the image id.
 */
export async function buildNodeAppImage(docker: Docker, image: NodeAppImage): Promise<string> {
  const colon = image.tag.lastIndexOf(':');
  const [repo, tag] = colon > image.tag.lastIndexOf('/') ? [image.tag.slice(0, colon), image.tag.slice(colon + 1)] : [image.tag, 'latest'];
  const progress = (await docker.importImage(nodeAppRootfs(image.appDir) as unknown as NodeJS.ReadableStream, {
    repo,
    tag,
    changes: imageChanges(image),
    message: `deployflow: node app from ${path.basename(path.resolve(image.appDir))}`,
  } as object)) as NodeJS.ReadableStream;
  const lines = await readAll(progress);
  for (const line of lines.split('\n')) {
    if (!line.trim()) continue;
    const parsed = JSON.parse(line) as { error?: string; errorDetail?: { message?: string } };
    if (parsed.error || parsed.errorDetail) throw new Error(`docker import of ${image.tag} failed: ${parsed.errorDetail?.message ?? parsed.error}`);
  }
  const inspected = await docker.getImage(image.tag).inspect();
  return inspected.Id;
}

function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(Buffer.from(chunk)));
    stream.on('error', reject);
    stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}
