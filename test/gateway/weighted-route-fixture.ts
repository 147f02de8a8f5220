import http from 'node:http';
import { CANARY_COOKIE } from '../../src/gateway/route-table';
import type { BlueGreen } from './gateway-fixture';

export interface WeightedReply {
  status: number;
  deploymentId: string | undefined;
  body: string;
  setCookie: string[] | undefined;
}

// Keep-alive connections: a "new client" is one without the cookie, whatever connection carries it.
const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

/** One request to the gateway with the Host header and, when given, a Cookie header. */
export function ask(port: number, host: string, cookie?: string, options: { freshConnection?: boolean } = {}): Promise<WeightedReply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path: '/', headers: { host, ...(cookie === undefined ? {} : { cookie }) }, agent: options.freshConnection ? false : agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            deploymentId: res.headers['x-deployment-id'] as string | undefined,
            body: Buffer.concat(chunks).toString('utf8'),
            setCookie: res.headers['set-cookie'],
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** `count` requests, `concurrency` at a time. */
export async function askMany(count: number, concurrency: number, one: (i: number) => Promise<WeightedReply>): Promise<WeightedReply[]> {
  const replies: WeightedReply[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        replies[i] = await one(i);
      }
    }),
  );
  return replies;
}

/** The cookie pair (`df_canary=…`) a reply set, or undefined. */
export function cookiePair(reply: WeightedReply): string | undefined {
  const header = reply.setCookie?.find((c) => c.startsWith(`${CANARY_COOKIE}=`));
  return header?.split(';')[0];
}

/** Gives the route a canary in the database (what decideCanaryWeight commits), with or without one. */
export async function setCanary(bg: BlueGreen, hostname: string, canary: { deploymentId: string; weight: number } | null): Promise<void> {
  await bg.world.prisma.ingressRoute.update({ where: { hostname }, data: { canaryDeploymentId: canary?.deploymentId ?? null, canaryWeight: canary?.weight ?? 0 } });
}

export function closeAgent(): void {
  agent.destroy();
}
