# Production image: compiled JavaScript only; MongoDB and Redis are external (see docker-compose.yml).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY scripts/copy-assets.js ./scripts/
RUN npx tsc -p tsconfig.json && node scripts/copy-assets.js && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
USER node
# The same image runs the gateway (default) or a worker (`command: ["node", "dist/bin/worker.js"]`).
CMD ["node", "dist/bin/gateway.js"]
