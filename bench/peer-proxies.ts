import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, waitForPort } from '../src/services/free-port';
import { ChildService } from '../src/services/child-service';

/** A reverse proxy we compare the gateway with, listening on loopback in front of one upstream. */
export interface PeerProxy {
  name: 'caddy' | 'nginx';
  port: number;
  pid: number;
  stop(): Promise<void>;
}

export type PeerStart = { proxy: PeerProxy } | { skipped: string };

const SEARCH_PATH = ['/usr/bin', '/usr/sbin', '/usr/local/bin', '/usr/local/sbin', '/bin', '/sbin'];

function findExecutable(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean), ...SEARCH_PATH];
  return dirs.map((dir) => path.join(dir, name)).find((file) => existsSync(file));
}

async function started(service: ChildService, name: PeerProxy['name'], port: number): Promise<PeerProxy> {
  try {
    await waitForPort(port, '127.0.0.1', 15_000);
  } catch (err) {
    await service.stop(2_000);
    throw new Error(`${name} did not start: ${(err as Error).message}\n${service.recentOutput()}`);
  }
  if (!service.running) throw new Error(`${name} exited at start:\n${service.recentOutput()}`);
  return { name, port, pid: service.pid!, stop: () => service.stop(5_000) };
}

/**
 * Caddy 2 as a plain HTTP reverse proxy (its defaults: keep-alive to the upstream, one process using every core),
 * with the admin endpoint and automatic HTTPS off; its data and autosaved config go to `dir`.
 */
export async function startCaddy(dir: string, upstream: string): Promise<PeerStart> {
  const binary = findExecutable('caddy');
  if (!binary) return { skipped: 'caddy not found on PATH (apt-get install caddy)' };
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const config = path.join(dir, 'Caddyfile');
  writeFileSync(
    config,
    `{
\tadmin off
\tauto_https off
}
http://:${port} {
\tbind 127.0.0.1
\treverse_proxy ${upstream}
}
`,
  );
  const service = ChildService.start('caddy', binary, ['run', '--config', config, '--adapter', 'caddyfile'], {
    cwd: dir,
    env: { PATH: process.env.PATH, HOME: dir, XDG_DATA_HOME: path.join(dir, 'data'), XDG_CONFIG_HOME: path.join(dir, 'config') },
  });
  return { proxy: await started(service, 'caddy', port) };
}

/**
 * nginx as a reverse proxy tuned the usual way: one worker per core, a keep-alive pool to the upstream
 * (`keepalive` + HTTP/1.1 + an empty Connection header), no access log. Everything it writes stays in `dir`.
 */
export async function startNginx(dir: string, upstream: string): Promise<PeerStart> {
  const binary = findExecutable('nginx');
  if (!binary) return { skipped: 'nginx not found on PATH (apt-get install nginx-light)' };
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const config = path.join(dir, 'nginx.conf');
  const temp = (name: string) => path.join(dir, name);
  writeFileSync(
    config,
    `worker_processes ${os.cpus().length};
daemon off;
master_process on;
pid ${temp('nginx.pid')};
error_log ${temp('error.log')} warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${temp('body')};
  proxy_temp_path ${temp('proxy')};
  fastcgi_temp_path ${temp('fastcgi')};
  uwsgi_temp_path ${temp('uwsgi')};
  scgi_temp_path ${temp('scgi')};
  upstream app {
    server ${upstream};
    keepalive 128;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://app;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    }
  }
}
`,
  );
  // -e: the error log from the first moment (before the config is read nginx would open its compiled-in path).
  const service = ChildService.start('nginx', binary, ['-c', config, '-p', dir, '-e', temp('error.log')], { cwd: dir });
  // nginx's master stops its workers and exits on SIGQUIT (graceful) or SIGTERM (fast): ChildService sends SIGTERM.
  return { proxy: await started(service, 'nginx', port) };
}
