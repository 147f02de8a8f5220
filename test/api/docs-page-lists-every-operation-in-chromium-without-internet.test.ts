import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { chromium, type Browser } from 'playwright-core';
import { ApiHarness, startApiHarness } from './support/api-harness';

/**
 * Debian's `chromium` package: /usr/lib/chromium/chromium is the browser itself (/usr/bin/chromium is a shell
 * launcher). CHROMIUM_PATH overrides. Only when none exists is the test skipped, and it says so.
 */
function findChromium(): string | undefined {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/lib/chromium/chromium', '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  return candidates.find((p): p is string => typeof p === 'string' && p !== '' && existsSync(p));
}

const executablePath = findChromium();
if (!executablePath) {
  console.warn('SKIPPED: /docs browser test: no chromium binary (install Debian\'s `chromium`, or set CHROMIUM_PATH)');
}
const describeWithChromium = executablePath ? describe : describe.skip;

/** The loopback address the API listens on: the only host the browser may reach. */
const LOOPBACK = '127.0.0.1';

describeWithChromium('/docs in headless chromium with no network but 127.0.0.1', () => {
  let h: ApiHarness;
  let server: ServerType;
  let origin: string;
  let browser: Browser;

  beforeAll(async () => {
    h = await startApiHarness();
    server = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch: h.app.fetch, port: 0, hostname: LOOPBACK }, () => resolve(s));
    });
    origin = `http://${LOOPBACK}:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath,
      headless: true,
      // Every host name but the loopback address resolves to nothing, and no proxy is used: the internet is gone
      // for the browser as it is on an offline machine.
      args: [`--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE ${LOOPBACK}`, '--no-proxy-server', '--no-sandbox', '--disable-dev-shm-usage'],
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await h?.close();
  });

  it('renders every operation of /openapi.json, loading nothing from any other host', async () => {
    const openapi = (await h.call('GET', '/openapi.json')).body as { paths: Record<string, Record<string, { operationId: string }>> };
    const expected = Object.entries(openapi.paths)
      .flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => `${method.toUpperCase()} ${path} ${op.operationId}`))
      .sort();
    expect(expected.length).toBeGreaterThanOrEqual(20);

    const context = await browser.newContext();
    const elsewhere: string[] = [];
    const served: string[] = [];
    // Belt and braces with the resolver rules: anything not on 127.0.0.1 is refused, and remembered.
    await context.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (url.hostname === LOOPBACK) {
        served.push(url.pathname);
        return route.continue();
      }
      elsewhere.push(url.href);
      return route.abort('internetdisconnected');
    });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));

    await page.goto(`${origin}/docs`, { waitUntil: 'load' });
    // Swagger UI renders the operations once it has fetched and parsed the document: wait for as many as it has.
    await page.locator('.opblock').nth(expected.length - 1).waitFor({ state: 'attached', timeout: 30_000 });

    const rendered = await page.$$eval('.opblock', (blocks) =>
      blocks.map((b) => {
        const method = b.querySelector('.opblock-summary-method')?.textContent?.trim() ?? '';
        const path = b.querySelector('.opblock-summary-path')?.getAttribute('data-path') ?? '';
        const operationId = b.querySelector('.opblock-summary-operation-id')?.textContent?.trim() ?? '';
        return `${method} ${path} ${operationId}`;
      }),
    );
    console.log(`/docs in chromium: ${rendered.length} operations rendered of ${expected.length} in /openapi.json; files fetched: ${served.length}`);

    expect(elsewhere).toEqual([]);
    expect(pageErrors).toEqual([]);
    expect(rendered.sort()).toEqual(expected);
    // The page, its three Swagger UI files and the document all came from this server.
    expect(served).toEqual(expect.arrayContaining(['/docs', '/openapi.json']));
    expect(served.filter((p) => p.startsWith('/docs/assets/')).length).toBeGreaterThanOrEqual(2);
    await context.close();
  }, 120_000);
});
