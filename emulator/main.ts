// Process entry of the emulator: reads the run-time contract (common/config.ts), listens on
// 127.0.0.1:EMULATOR_PORT, keeps its state in DATA_DIR/emulator-state.json, and on SIGTERM/SIGINT
// stops listening and writes its state before exiting.
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../common/config';
import { createEmulator } from './app';

function main(): void {
  const config = loadConfig();
  const logger = pino({ name: 'emulator', level: config.logLevel });
  const stateFile = path.join(config.dataDir, 'emulator-state.json');
  const emulator = createEmulator({
    accountSid: config.accountSid,
    authToken: config.authToken,
    publicUrl: config.publicUrl,
    stateFile,
    logger,
  });

  const server = emulator.app.listen(config.emulatorPort, '127.0.0.1', () => {
    // The bound port, not the configured one: EMULATOR_PORT=0 picks a free port.
    const { port } = server.address() as AddressInfo;
    logger.info({ stateFile, publicUrl: config.publicUrl }, `Twilio emulator listening on http://127.0.0.1:${port} (phone page at /)`);
  });
  server.on('error', (error) => {
    logger.error({ err: error }, 'emulator could not listen');
    process.exit(1);
  });

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'emulator stopping');
    server.close();
    // Keep-alive connections would hold close() open; the state is what must survive.
    server.closeAllConnections();
    emulator
      .close()
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        logger.error({ err: error }, 'emulator state could not be written');
        process.exit(1);
      });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main();
