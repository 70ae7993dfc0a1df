// The emulator's state survives a restart: a new emulator on the same state file sees everything, and
// the process entry (emulator/main.ts) writes its state on SIGTERM.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { ACCOUNT_SID, AUTH_TOKEN, basicAuth, deviceInbox, deviceSends, FLOW_SID, postForm, startEmulator, expectResponsesMatchTwilioSchemas } from './emulator-harness';

const CUSTOMER = '+15550005555';
const TWILIO_NUMBER = '+15557652222';

function temporaryDirectory(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'emulator-state-'));
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

describe('emulator: persistence', () => {
  afterEach(expectResponsesMatchTwilioSchemas);

  test('a new emulator on the same state file keeps conversations, participants, webhooks, messages, addresses, numbers and inboxes', async () => {
    const stateFile = path.join(temporaryDirectory(), 'nested', 'emulator-state.json');
    const before = await startEmulator({ stateFile });
    const { client } = before;
    await client.conversations.v1.addressConfigurations.create({ type: 'sms', address: TWILIO_NUMBER, 'autoCreation.enabled': true, 'autoCreation.type': 'studio', 'autoCreation.studioFlowSid': FLOW_SID });
    await client.incomingPhoneNumbers.create({ phoneNumber: TWILIO_NUMBER, smsUrl: 'https://example.com/sms' });
    const inbound = await deviceSends(before.baseUrl, CUSTOMER, TWILIO_NUMBER, 'hello');
    const conversationSid: string = inbound.body.conversation_sid;
    await client.conversations.v1.conversations(conversationSid).messages.create({ body: 'reply before restart' });
    const sms = await client.messages.create({ to: CUSTOMER, from: TWILIO_NUMBER, body: 'plain sms' });
    await postForm(`${before.baseUrl}/Emulator/Faults`, { Operation: 'createConversation' });
    await before.close();
    expect(fs.existsSync(stateFile)).toBe(true);

    const after = await startEmulator({ stateFile });
    try {
      const conversation = await after.client.conversations.v1.conversations(conversationSid).fetch();
      expect(conversation.state).toBe('active');
      expect((await after.client.conversations.v1.conversations(conversationSid).participants.list()).map((p) => p.messagingBinding)).toEqual([
        { type: 'sms', address: CUSTOMER, proxy_address: TWILIO_NUMBER },
      ]);
      expect((await after.client.conversations.v1.conversations(conversationSid).webhooks.list()).map((w) => w.target)).toEqual(['studio']);
      expect((await after.client.conversations.v1.conversations(conversationSid).messages.list()).map((m) => m.body)).toEqual(['hello', 'reply before restart']);
      expect((await after.client.conversations.v1.addressConfigurations.list()).map((a) => a.address)).toEqual([TWILIO_NUMBER]);
      expect((await after.client.incomingPhoneNumbers.list()).map((n) => n.phoneNumber)).toEqual([TWILIO_NUMBER]);
      expect((await after.client.messages(sms.sid).fetch()).body).toBe('plain sms');
      expect((await deviceInbox(after.baseUrl, CUSTOMER)).map((m) => m.body)).toEqual(['reply before restart', 'plain sms']);
      // The pending fault survived too, and routing still finds the bound Conversation.
      await expect(after.client.conversations.v1.conversations.create({})).rejects.toMatchObject({ status: 500 });
      const next = await deviceSends(after.baseUrl, CUSTOMER, TWILIO_NUMBER, 'after restart');
      expect(next.body.conversation_sid).toBe(conversationSid);
      expect((await after.client.conversations.v1.conversations(conversationSid).messages(next.body.message_sid).fetch()).index).toBe(2);
    } finally {
      await after.close();
    }
  });

  test('caller-chosen keys such as __proto__ are plain keys, also after a restart', async () => {
    const stateFile = path.join(temporaryDirectory(), 'emulator-state.json');
    const before = await startEmulator({ stateFile });
    const conversation = await before.client.conversations.v1.conversations.create({ uniqueName: 'constructor' });
    await before.client.conversations.v1.conversations(conversation.sid).participants.create({ identity: '__proto__' });
    await before.client.conversations.v1.conversations('constructor').messages.create({ body: 'to a tricky identity' });
    expect((await deviceInbox(before.baseUrl, '__proto__')).map((m) => m.body)).toEqual(['to a tricky identity']);
    await before.close();
    const after = await startEmulator({ stateFile });
    try {
      expect((await deviceInbox(after.baseUrl, '__proto__')).map((m) => m.body)).toEqual(['to a tricky identity']);
      expect((await after.client.conversations.v1.conversations('constructor').fetch()).sid).toBe(conversation.sid);
      await expect(after.client.conversations.v1.conversations('toString').fetch()).rejects.toMatchObject({ status: 404 });
    } finally {
      await after.close();
    }
  });

  test('changes are written shortly after they happen, without a flush; Reset forgets everything', async () => {
    const stateFile = path.join(temporaryDirectory(), 'emulator-state.json');
    const running = await startEmulator({ stateFile });
    try {
      const conversation = await running.client.conversations.v1.conversations.create({ friendlyName: 'debounced' });
      const deadline = Date.now() + 2000;
      while (!(fs.existsSync(stateFile) && fs.readFileSync(stateFile, 'utf8').includes(conversation.sid))) {
        if (Date.now() > deadline) throw new Error('state file was not written');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect((await postForm(`${running.baseUrl}/Emulator/Reset`, {})).status).toBe(204);
      expect(await running.client.conversations.v1.conversations.list()).toHaveLength(0);
      await running.emulator.flush();
      expect(fs.readFileSync(stateFile, 'utf8')).not.toContain(conversation.sid);
    } finally {
      await running.close();
    }
  });

  test('emulator/main.ts listens on EMULATOR_PORT, keeps state in DATA_DIR and writes it on SIGTERM', async () => {
    const dataDir = temporaryDirectory();
    const port = await freePort();
    const child = spawn(process.execPath, [require.resolve('tsx/cli'), path.resolve(__dirname, '../../emulator/main.ts')], {
      env: { ...process.env, EMULATOR_PORT: String(port), DATA_DIR: dataDir, TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_AUTH_TOKEN: AUTH_TOKEN, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 20_000;
      while (!output.includes(`http://127.0.0.1:${port}`)) {
        if (Date.now() > deadline) throw new Error(`emulator did not start: ${output}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const created = await postForm(`http://127.0.0.1:${port}/v1/Conversations`, { FriendlyName: 'from the process' }, basicAuth());
      expect(created.status).toBe(201);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      const saved = fs.readFileSync(path.join(dataDir, 'emulator-state.json'), 'utf8');
      expect(saved).toContain(created.body.sid);
    } finally {
      child.kill('SIGKILL');
    }
  }, 30_000);
});
