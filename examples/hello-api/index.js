'use strict';
// A tiny HTTP app with no dependencies, used to exercise deployments end to end.
// Environment: PORT (required by Krane, default 8080), HOST (default 127.0.0.1), DEPLOYMENT_ID, INSTANCE_ID,
// VERSION; FAIL_HEALTH=1 makes /healthz answer 503 forever; HEALTHY_AFTER_MS=N answers 503 for the first N ms
// (a slow start); CRASH_ON_START=1 exits with status 1 at once. FAIL_RATE=F (0..1) makes that fraction of `GET /`
// answer 500 (for a bad canary; /healthz is untouched); EXTRA_LATENCY_MS=N delays each `GET /` answer by N ms;
// HEALTH_PADDING_BYTES=N pads a healthy /healthz answer with N bytes (a health answer too large to be read).
const http = require('node:http');

if (process.env.CRASH_ON_START === '1') {
  console.error('hello-api: CRASH_ON_START=1, exiting');
  process.exit(1);
}

const port = Number(process.env.PORT || 8080);
const host = process.env.HOST || '127.0.0.1';
const deploymentId = process.env.DEPLOYMENT_ID || null;
const instanceId = process.env.INSTANCE_ID || null;
const version = process.env.VERSION || '1.0.0';
const failHealth = process.env.FAIL_HEALTH === '1';
const healthyAt = Date.now() + Number(process.env.HEALTHY_AFTER_MS || 0);
const startedAt = new Date().toISOString();
const failRate = Math.min(1, Math.max(0, Number(process.env.FAIL_RATE || 0) || 0));
const extraLatencyMs = Math.max(0, Number(process.env.EXTRA_LATENCY_MS || 0) || 0);
const healthPadding = 'x'.repeat(Math.min(16 * 1024 * 1024, Math.max(0, Number(process.env.HEALTH_PADDING_BYTES || 0) || 0)));

const infoSchema = {
  type: 'object',
  required: ['deploymentId', 'version', 'instanceId', 'startedAt'],
  properties: {
    deploymentId: { type: ['string', 'null'] },
    version: { type: 'string' },
    instanceId: { type: ['string', 'null'] },
    pid: { type: 'integer' },
    startedAt: { type: 'string', format: 'date-time' },
  },
};

const openapi = {
  openapi: '3.1.0',
  info: { title: 'hello-api', version, description: 'Says which deployment and instance answered.' },
  paths: {
    '/': {
      get: {
        operationId: 'getInfo',
        summary: 'Which deployment, version and instance answered',
        responses: {
          200: { description: 'Instance information', content: { 'application/json': { schema: { $ref: '#/components/schemas/Info' } } } },
          500: { description: 'An injected failure (FAIL_RATE)', content: { 'application/json': { schema: { type: 'object' } } } },
        },
      },
    },
    '/healthz': {
      get: {
        operationId: 'getHealth',
        summary: 'Health check',
        responses: {
          200: { description: 'Healthy', content: { 'application/json': { schema: { $ref: '#/components/schemas/Health' } } } },
          503: { description: 'Unhealthy', content: { 'application/json': { schema: { $ref: '#/components/schemas/Health' } } } },
        },
      },
    },
  },
  components: {
    schemas: {
      Info: infoSchema,
      Health: { type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['ok', 'failing'] } } },
    },
  },
};

function sendJson(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const server = http.createServer((req, res) => {
  const path = (req.url || '/').split('?')[0];
  if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { error: 'method not allowed' });
  if (path === '/') {
    // Drawn per request, so the served fraction converges on FAIL_RATE without any state.
    const answer = () =>
      Math.random() < failRate
        ? sendJson(res, 500, { error: 'injected failure (FAIL_RATE)', deploymentId })
        : sendJson(res, 200, { deploymentId, version, instanceId, pid: process.pid, startedAt });
    if (extraLatencyMs > 0) setTimeout(answer, extraLatencyMs);
    else answer();
    return;
  }
  if (path === '/healthz') {
    if (failHealth || Date.now() < healthyAt) return sendJson(res, 503, { status: 'failing' });
    return sendJson(res, 200, healthPadding ? { status: 'ok', padding: healthPadding } : { status: 'ok' });
  }
  if (path === '/openapi.json') return sendJson(res, 200, openapi);
  return sendJson(res, 404, { error: 'not found' });
});

server.listen(port, host, () => {
  console.log(`hello-api ${version} listening on ${host}:${port} (deployment ${deploymentId}, instance ${instanceId})`);
});

function shutdown(signal) {
  console.log(`hello-api: ${signal}, closing`);
  server.close(() => process.exit(0));
  // Keep-alive connections would hold close() open; drop them so the process ends promptly.
  server.closeAllConnections();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
