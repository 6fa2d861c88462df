# syntax=docker/dockerfile:1
# Build stage: compile TypeScript and the web console, then keep production dependencies only.
FROM node:22-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
# Only the daemon is built into the image (tsconfig.app.json: src and channels), not the benchmarks
# and the test stand-ins they use.
COPY tsconfig.json tsconfig.build.json tsconfig.app.json ./
COPY src ./src
COPY channels ./channels
COPY web ./web
RUN npm run build:app && npm prune --omit=dev

# Runtime stage: non-root user, data and workspace on their own volumes, health checked over HTTP.
#
# Tool sandbox: shell_exec runs only under bubblewrap (installed here), which needs user
# namespaces. Docker's default seccomp profile forbids them, so start the container with
# `--security-opt seccomp=unconfined` or a seccomp profile that allows unshare/clone with namespace
# flags, mount, umount2, pivot_root and setns (on AppArmor hosts also `--security-opt
# apparmor=unconfined` or a profile allowing mount and userns; Ubuntu 23.10+/24.04 hosts also
# restrict unprivileged user namespaces via kernel.apparmor_restrict_unprivileged_userns). Without
# that, the daemon's start probe fails, shell_exec is off and the start log and /status say why.
# tools.sandbox.allow_unisolated: true would run it uncontained instead: see README, "Tool sandbox".
FROM node:22-bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends bubblewrap tini && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production \
    SWITCHBOARD_DATA_DIR=/data \
    SWITCHBOARD_HTTP_HOST=0.0.0.0 \
    SWITCHBOARD_HTTP_PORT=7420
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY config ./config
# The default workspace, ./workspace, is /app/workspace: a link to the /workspace volume, apart
# from the data folder (the daemon refuses a workspace that overlaps it).
RUN useradd --system --uid 10001 --home /data switchboard \
  && mkdir -p /data /workspace && chown switchboard /data /workspace \
  && ln -s /workspace /app/workspace
USER switchboard
VOLUME ["/data", "/workspace"]
EXPOSE 7420
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.SWITCHBOARD_HTTP_PORT||7420)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "--no-turbo-inline-js-wasm-calls", "--liftoff-only", "--max-semi-space-size=8", "dist/src/main.js"]
