# Kylin Update Service image: build with the toolchain better-sqlite3 needs, ship only what runs.
# Build: docker build -t kus .    Run: docker run -p 8080:8080 -v kus-data:/var/lib/kus kus

FROM node:20-bookworm-slim AS build
# better-sqlite3 compiles its native addon when no prebuilt binary matches.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build \
 && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
# Example graph-data (served until real data is imported) and the signature layout.
COPY graph-data ./graph-data
COPY signatures ./signatures
# The SQLite store lives on a volume, owned by the unprivileged user the service runs as.
RUN groupadd --system kus \
 && useradd --system --gid kus --home-dir /var/lib/kus --shell /usr/sbin/nologin kus \
 && mkdir -p /var/lib/kus \
 && chown kus:kus /var/lib/kus
USER kus
VOLUME /var/lib/kus
EXPOSE 8080
# The slim image has no curl: ask node to GET /livez (on KUS_PORT when the port was moved that way).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.KUS_PORT || 8080) + '/livez').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "/app/dist/cli/main.js"]
CMD ["serve", "--db", "/var/lib/kus/kus.db"]
