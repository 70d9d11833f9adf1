# Kylin Update Service image: build with the toolchain better-sqlite3 needs, ship only what runs.
# Build: docker build -t kus .    Run: docker run -p 8080:8080 -v kus-data:/var/lib/kus kus
# OpenShift: see deploy/ and README "Deploying on OpenShift".

# Node 24 is the LTS KUS recommends (Node 20 reached end of life in April 2026; CI runs the suite on both).
FROM node:24-bookworm-slim AS build
# better-sqlite3 compiles its native addon when no prebuilt binary matches; it is built here, against the same
# Debian and Node as the runtime stage, so the addon copied below loads there.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY scripts ./scripts
# The commit kus_build_info and `kus version` report (the build context has no .git): --build-arg KUS_BUILD_COMMIT=$(git rev-parse HEAD).
ARG KUS_BUILD_COMMIT=
COPY tools ./tools
RUN npm run build \
 && npm prune --omit=dev

FROM node:24-bookworm-slim
ENV NODE_ENV=production
# jemalloc instead of glibc's malloc: glibc kept the native memory a build frees in fragmented arenas (an idle primary
# at upstream scale held ~85 MB of malloc heap, ~30 MB of it live); jemalloc set to give freed pages back at once holds
# ~60 MB less (docs/architecture.md, "Serving and memory"). A soname, not a path: ld.so finds it in the multiarch
# folder of either architecture (only amd64 was tried here). The benchmark starts KUS with these two ENV lines' values.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libjemalloc2 \
 && rm -rf /var/lib/apt/lists/*
ENV LD_PRELOAD=libjemalloc.so.2
ENV MALLOC_CONF=dirty_decay_ms:0,muzzy_decay_ms:0
WORKDIR /app
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
# Example graph-data (seeds an empty store, so the image serves something out of the box) and its signatures.
COPY graph-data ./graph-data
COPY signatures ./signatures
# The SQLite store lives on a volume. The user is numeric so that Kubernetes can check runAsNonRoot; the folder
# belongs to group 0 and is group-writable because OpenShift runs the container as an arbitrary UID in group 0.
RUN useradd --system --uid 1001 --gid 0 --home-dir /var/lib/kus --shell /usr/sbin/nologin kus \
 && mkdir -p /var/lib/kus \
 && chown 1001:0 /var/lib/kus \
 && chmod 0775 /var/lib/kus
USER 1001
VOLUME /var/lib/kus
EXPOSE 8080
# The slim image has no curl: node asks GET /livez on KUS_PORT (default 8080), over HTTPS when KUS_TLS_CERT is set
# (the health check runs inside the container, so the certificate's name and CA are not checked).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "const tls = !!process.env.KUS_TLS_CERT; require(tls ? 'node:https' : 'node:http').get({ host: '127.0.0.1', port: process.env.KUS_PORT || 8080, path: '/livez', rejectUnauthorized: false, timeout: 4000 }, (r) => process.exit(r.statusCode === 200 ? 0 : 1)).on('error', () => process.exit(1))"]
# --max-semi-space-size=8 --v8-pool-size=0: the launch flags of every kus entry point (bin, npm start); see docs/architecture.md, "Serving and memory".
ENTRYPOINT ["node", "--max-semi-space-size=8", "--v8-pool-size=0", "/app/dist/cli/main.js"]
CMD ["serve", "--db", "/var/lib/kus/kus.db"]
