# Production image: compiled JavaScript only; MongoDB and Redis are external (see docker-compose.yml).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY console ./console
COPY scripts/copy-assets.js scripts/build-console.js ./scripts/
# The operator console's browser bundle (esbuild, a dev dependency: before the prune) into dist/console;
# served only where ENABLE_CONSOLE=true (docs/console.md).
RUN npx tsc -p tsconfig.json && node scripts/copy-assets.js && node scripts/build-console.js && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
USER node
# The same image runs the gateway (default) or a worker (`command: ["node", "dist/bin/worker.js"]`).
CMD ["node", "dist/bin/gateway.js"]
