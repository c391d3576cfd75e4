# Development image for docker-compose: the workspace with its dependencies, run with tsx.
# (Per-service production images are tracked separately.)
FROM node:20-bookworm-slim
RUN npm install --global pnpm@12
WORKDIR /app
COPY . .
RUN pnpm install --frozen-lockfile && chown -R node:node /app
USER node
ENV NODE_ENV=development
