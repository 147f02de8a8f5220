# deployflow: one image for every role. `ROLE` (or `--role`) picks what a container runs: api, gateway, worker,
# krane, or all (the default: everything in one process). docker-compose.yml runs each role as its own service.
# Two stages: `build` installs every dependency, generates code and compiles to dist/; `runtime` holds dist/ and the
# production dependencies only (no TypeScript, no tsx, no code generators) and runs `node dist/src/main.js` as the
# unprivileged `node` user of the base image.
# NODE_IMAGE: the base of both stages (a Debian bookworm image with Node 20 and npm, and its `node` user).
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
# Prisma's CLI probes the system's libssl while generating the client.
RUN apt-get update \
  && apt-get install -y --no-install-recommends openssl \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# npm ci's postinstall generates code (offline: the Prisma client into src/generated/prisma, ts-proto/nice-grpc code
# for proto/**/*.proto into src/generated/proto), so its inputs come in with package.json. devDependencies included:
# code generation needs prisma, protoc and ts-proto, and the build needs TypeScript.
COPY package.json package-lock.json prisma.config.ts ./
COPY scripts/generate.mjs scripts/
COPY prisma prisma
COPY proto proto
RUN npm ci --include=dev --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src src
COPY processors processors
COPY flows flows
COPY scripts scripts
# tsc emits dist/ (the generated Prisma client and gRPC code included: they are TypeScript under src/generated), then
# the Lua scripts, the OpenAPI parser and prisma/migrations are copied beside the code that loads them.
RUN npm run build

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
RUN chown node:node /app
USER node
# Production dependencies only. --omit=optional as well: @prisma/client names the Prisma CLI and TypeScript as
# optional peers, which npm would otherwise install (~130 packages, the CLI's Studio among them); the other optional
# packages are native speed-ups and platform binaries the code runs without. --ignore-scripts: the postinstall would
# generate code, which needs the devDependencies; the generated code comes compiled in dist/.
COPY --chown=node:node package.json package-lock.json ./
RUN npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build --chown=node:node /app/dist dist
# The process driver (role krane, or all) runs `file:` images from here: relative paths resolve against /app.
COPY --chown=node:node examples examples

# Instances the process driver starts listen on 127.0.0.1 inside the Krane container; in `all` the gateway (8080)
# reaches them there. HEALTH_PORT: /healthz and /readyz of the gateway, worker and krane roles.
ENV HOST=0.0.0.0 \
    API_PORT=3000 \
    GATEWAY_PORT=8080 \
    GRPC_PORT=50051 \
    KRANE_HOST=0.0.0.0 \
    KRANE_PORT=50052 \
    HEALTH_PORT=9000

EXPOSE 3000 8080 50051 50052 9000

# node itself, not npm: it gets `docker stop`'s SIGTERM directly. The api and all roles apply pending migrations
# before they serve (so do gateway and worker: the migrator holds an advisory lock, any order is safe).
CMD ["node", "dist/src/main.js"]
