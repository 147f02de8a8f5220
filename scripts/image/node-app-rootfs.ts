import { execFileSync } from 'node:child_process';
import { createReadStream, readdirSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pack as tarPack } from 'tar-stream';

/** Where the app lives inside the image. */
export const APP_DIR = '/app';
/** Where the Node binary lives inside the image. */
export const NODE_PATH = '/usr/bin/node';

interface FileEntry {
  /** Absolute path inside the image. */
  name: string;
  /** What to put there (links are followed: the image holds the files themselves). */
  source: string;
  mode: number;
}

/**
 * The shared libraries the Node binary loads, as `ldd` reports them (absolute paths, the dynamic loader included).
 * The image then runs this machine's Node with no base image and no registry: the same architecture and C library
 * as the host that builds it, which is the Docker host here.
 */
export function sharedLibrariesOf(binary: string): string[] {
  const output = execFileSync('ldd', [binary], { encoding: 'utf8' });
  const libraries = new Set<string>();
  for (const line of output.split('\n')) {
    const match = /=>\s*(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
    if (match) libraries.add(match[1]);
  }
  if (libraries.size === 0) throw new Error(`ldd found no shared libraries for ${binary}: is it a dynamically linked Linux binary?`);
  return [...libraries];
}

function appFiles(appDir: string, into: string): FileEntry[] {
  const entries: FileEntry[] = [];
  for (const item of readdirSync(appDir, { withFileTypes: true })) {
    const source = path.join(appDir, item.name);
    const name = path.posix.join(into, item.name);
    if (item.isDirectory()) entries.push(...appFiles(source, name));
    else if (item.isFile() || item.isSymbolicLink()) entries.push({ name, source, mode: statSync(source).mode & 0o755 });
  }
  return entries;
}

const PASSWD = 'root:x:0:0:root:/root:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n';
const GROUP = 'root:x:0:\nnogroup:x:65534:\n';

/**
 * A root filesystem as a tar stream: this machine's `node` and its shared libraries, `appDir` under /app, an empty
 * /tmp (a tmpfs is mounted over it at run time) and a passwd naming `nobody`, the user the app runs as.
 */
export function nodeAppRootfs(appDir: string): Readable {
  const node = realpathSync(process.execPath);
  const files: FileEntry[] = [
    { name: NODE_PATH, source: node, mode: 0o755 },
    ...sharedLibrariesOf(node).map((library) => ({ name: library, source: realpathSync(library), mode: 0o755 })),
    ...appFiles(path.resolve(appDir), APP_DIR),
  ];
  const tar = tarPack();
  const directories = new Set<string>(['/tmp', '/etc']);
  for (const file of files) {
    for (let dir = path.posix.dirname(file.name); dir !== '/'; dir = path.posix.dirname(dir)) directories.add(dir);
  }
  void (async () => {
    try {
      for (const dir of [...directories].sort()) {
        tar.entry({ name: dir.slice(1), type: 'directory', mode: dir === '/tmp' ? 0o1777 : 0o755 });
      }
      tar.entry({ name: 'etc/passwd', mode: 0o644 }, PASSWD);
      tar.entry({ name: 'etc/group', mode: 0o644 }, GROUP);
      for (const file of files) {
        const size = statSync(file.source).size;
        await new Promise<void>((resolve, reject) => {
          const entry = tar.entry({ name: file.name.slice(1), size, mode: file.mode }, (err) => (err ? reject(err) : resolve()));
          createReadStream(file.source).on('error', reject).pipe(entry);
        });
      }
      tar.finalize();
    } catch (err) {
      tar.destroy(err as Error);
    }
  })();
  // tar-stream packs with streamx, whose pipe() feeds Node writables (the Engine API request) like a Node Readable.
  return tar as unknown as Readable;
}
