# deployflow: the whole control plane (HTTP API, gateway, workers, embedded Krane with the process driver).
# Needs REDIS_URL (this image ships no redis-server); without DATABASE_URL it falls back to PGlite under DATA_DIR.
# docker-compose.yml provides Redis and PostgreSQL.
FROM node:20-bookworm-slim

# Prisma's CLI probes the system's libssl while generating the client.
RUN apt-get update \
  && apt-get install -y --no-install-recommends openssl \
  && rm -rf /var/lib/apt/lists/*

# Everything below runs as the unprivileged `node` user of the base image: nothing at build or run time needs root
# (the process driver starts deployed apps as children of this user).
WORKDIR /app
RUN chown node:node /app
USER node

# npm ci's postinstall generates code (offline: the Prisma client into src/generated/prisma, ts-proto/nice-grpc code
# for proto/**/*.proto into src/generated/proto), so its inputs come in with package.json.
COPY --chown=node:node package.json package-lock.json prisma.config.ts ./
COPY --chown=node:node scripts/generate.mjs scripts/
COPY --chown=node:node prisma prisma
COPY --chown=node:node proto proto
# devDependencies included: code generation needs prisma, protoc and ts-proto.
RUN npm ci --include=dev --no-audit --no-fund

COPY --chown=node:node . .

# The process driver runs `file:` images from inside this container: relative paths resolve against /app, so
# `file:examples/hello-api` is the copy of examples/ above. Instances listen on 127.0.0.1 inside the container and
# are reached through the gateway (8080).
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    API_PORT=3000 \
    GATEWAY_PORT=8080 \
    GRPC_PORT=50051

EXPOSE 3000 8080 50051

# What `npm start` runs, minus its prestart hook (code generation already ran above) and minus npm itself: node is
# PID 1's only process and gets `docker stop`'s SIGTERM directly. main.ts applies pending migrations before it serves.
CMD ["node", "--import", "tsx", "src/main.ts"]
