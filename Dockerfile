# syntax=docker/dockerfile:1
# aspen's container image: `aspen controller` by default, `aspen dataplane` with other args (see the Helm chart).
#   docker build -t aspen:dev .
#   docker run --rm --read-only aspen:dev --help
# Base images are pinned by digest (the tag says which line it follows); refresh both digests together with
# `docker buildx imagetools inspect <image>:<tag>` when Node 22 or distroless publishes a fix.
# test/image/dockerfile.test.ts checks this file statically (no Docker engine runs in CI).

# ---- build: compile TypeScript with the full (dev) dependency set ----
FROM node:22-bookworm-slim@sha256:43ac6c60b8f89723f746e8a92ce91abd5017e627ce1ddfe4238355d3a30b772c AS build
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: the prepare script (tsc) needs the sources, which are copied next.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
# Only src/ is copied, so only dist/src/ is emitted (tsconfig's other include globs match nothing here).
RUN npx tsc -p tsconfig.json

# ---- deps: production dependencies only ----
FROM node:22-bookworm-slim@sha256:43ac6c60b8f89723f746e8a92ce91abd5017e627ce1ddfe4238355d3a30b772c AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# ---- runtime: distroless Node 22, no shell, no package manager, non-root ----
FROM gcr.io/distroless/nodejs22-debian12@sha256:484f0e74e8755d32470066237393325f34e64156f4616abbe480e61c2ebfc30f AS runtime
WORKDIR /app
ENV NODE_ENV=production
COPY --from=deps --chown=0:0 /app/node_modules ./node_modules
COPY --from=build --chown=0:0 /src/dist/src ./dist/src
COPY --chown=0:0 package.json ./
COPY --chown=0:0 bin ./bin
# Files are owned by root and read-only to the process: the pod runs with readOnlyRootFilesystem and only /tmp
# (an emptyDir in the chart) is writable.
USER 65532:65532
EXPOSE 15010 9443 9090 8081 15020 9091 8082
ENTRYPOINT ["/nodejs/bin/node", "--enable-source-maps", "/app/bin/aspen.js"]
CMD ["controller"]
