/**
 * Runs in a worker thread: asks the gateway for a hostname every ~1 ms and reports the first response served by the
 * target deployment. Its own thread, so the polling loop does not queue behind the engine on the main event loop.
 * Messages in: { id, host, target } to start watching. Out: { id, type: 'armed', servedBy } after the first response,
 * then { id, type: 'served', at, polls } with `at` = performance.timeOrigin + performance.now() (comparable across threads).
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';

export interface PollerInput {
  port: number;
  intervalMs: number;
}

export interface WatchRequest {
  id: number;
  host: string;
  target: string;
}

export type PollerMessage =
  | { id: number; type: 'armed'; servedBy: string | null; status: number }
  | { id: number; type: 'served'; at: number; polls: number }
  | { id: number; type: 'error'; message: string };

const { port, intervalMs } = workerData as PollerInput;
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const now = () => performance.timeOrigin + performance.now();

function ask(host: string): Promise<{ status: number; servedBy: string | null }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/', method: 'GET', headers: { host }, agent }, (res) => {
      res.resume();
      res.on('end', () => {
        const header = res.headers['x-deployment-id'];
        resolve({ status: res.statusCode ?? 0, servedBy: typeof header === 'string' ? header : null });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

async function watch({ id, host, target }: WatchRequest): Promise<void> {
  const post = (message: PollerMessage) => parentPort!.postMessage(message);
  try {
    let polls = 1;
    const first = await ask(host);
    post({ id, type: 'armed', servedBy: first.servedBy, status: first.status });
    for (;;) {
      await new Promise((r) => setTimeout(r, intervalMs));
      const answer = await ask(host);
      polls++;
      if (answer.status === 200 && answer.servedBy === target) {
        post({ id, type: 'served', at: now(), polls });
        return;
      }
    }
  } catch (err) {
    post({ id, type: 'error', message: (err as Error).message });
  }
}

parentPort!.on('message', (request: WatchRequest) => void watch(request));
