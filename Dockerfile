# One image for the api, the worker and the emulator (docker-compose.yml picks the command).
# Debian-based (glibc): the Temporal SDK's native core-bridge ships glibc builds for linux.
FROM node:20-slim

WORKDIR /app

# Dependencies first, so a source change does not reinstall them. tsx (a dependency) runs the TypeScript
# directly, so there is no build step and no dev dependencies are needed.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force

# The source, named directory by directory rather than `COPY . .`: a host's node_modules (macOS binaries),
# .data or test output must never end up in the image. Add new top-level source directories here.
COPY tsconfig.json ./
COPY common ./common
COPY workflows ./workflows
COPY activities ./activities
COPY worker ./worker
COPY api ./api
COPY emulator ./emulator
COPY scripts ./scripts

ENV DATA_DIR=/data
EXPOSE 3000 3001
CMD ["npm", "run", "start:api"]
