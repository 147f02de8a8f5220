import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ApiApp } from '../types';

export const DOCS_PATH = '/docs';

/** The Swagger UI files /docs needs, served from the pinned `swagger-ui-dist` package: nothing comes from the network. */
const ASSETS: Readonly<Record<string, string>> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

function swaggerUiDist(): { dir: string; version: string } {
  // package.json, not the package's main: that loads the browser bundle into Node.
  const manifest = require.resolve('swagger-ui-dist/package.json');
  const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
  return { dir: path.dirname(manifest), version };
}

function page(assetBase: string, documentUrl: string, title: string): string {
  // Everything on the page is ours or the package's; the document is fetched from this server.
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="stylesheet" href="${assetBase}/swagger-ui.css">
<link rel="icon" type="image/png" href="${assetBase}/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="${assetBase}/swagger-ui-bundle.js"></script>
<script>
window.ui = SwaggerUIBundle({
  url: ${JSON.stringify(documentUrl)},
  dom_id: '#swagger-ui',
  deepLinking: true,
  displayOperationId: true,
  persistAuthorization: false,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
});
</script>
</body>
</html>
`;
}

/**
 * `/docs`: Swagger UI for `/openapi.json`, its files read from `node_modules/swagger-ui-dist` (pinned in
 * package.json) and served under `/docs/assets/<version>/`, so the page works on a machine without internet and a
 * new version is a new URL (the files are cached as immutable).
 */
export function mountSwaggerUi(app: ApiApp, documentUrl: string, title = 'deployflow API'): void {
  const dist = swaggerUiDist();
  const assetBase = `${DOCS_PATH}/assets/${dist.version}`;
  const html = page(assetBase, documentUrl, title);
  const cache = new Map<string, Buffer>();

  app.get(DOCS_PATH, (c) => c.html(html, 200, { 'cache-control': 'no-cache' }));
  app.get(`${DOCS_PATH}/assets/:version/:file`, (c) => {
    const { version, file } = c.req.param();
    const type = Object.hasOwn(ASSETS, file) ? ASSETS[file] : undefined;
    if (version !== dist.version || !type) return c.notFound();
    let bytes = cache.get(file);
    if (!bytes) {
      bytes = readFileSync(path.join(dist.dir, file));
      cache.set(file, bytes);
    }
    return c.body(new Uint8Array(bytes), 200, { 'content-type': type, 'cache-control': 'public, max-age=31536000, immutable' });
  });
}
