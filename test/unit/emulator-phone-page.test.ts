// The phone page at GET /: a person sends a message from the page and sees the reply arrive.
// Runs in a real Chromium through playwright-core; skipped (with a message) where none is installed.
import * as fs from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { startEmulatorWithReceiver, type WebhookReceiver } from './emulator-harness';
import type { EmulatorWithReceiver } from './emulator-harness';

const CHROMIUM = process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((candidate) => fs.existsSync(candidate));
if (!CHROMIUM) console.warn('Skipping the phone page browser test: no Chromium found (set CHROMIUM_PATH)');
const describeWithBrowser = CHROMIUM ? describe : describe.skip;

describeWithBrowser('emulator: phone page', () => {
  let running: EmulatorWithReceiver;
  let receiver: WebhookReceiver;
  let browser: Browser;

  beforeAll(async () => {
    running = await startEmulatorWithReceiver();
    receiver = running.receiver;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });
  afterAll(async () => {
    await browser?.close();
    await running.close();
  });

  test('sends from the page and shows the reply from the number', async () => {
    await running.client.incomingPhoneNumbers.create({ phoneNumber: '+15557653333', smsUrl: `${receiver.baseUrl}/sms` });
    receiver.respondWith((request) => ({ status: 200, body: `<Response><Message>You said: ${request.params.Body}</Message></Response>` }));

    const page = await browser.newPage();
    await page.goto(running.baseUrl);
    await page.fill('#from', '+15550006666');
    await page.dispatchEvent('#from', 'change');
    await page.fill('#to', '+15557653333');
    await page.dispatchEvent('#to', 'change');
    await page.fill('#body', 'ping');
    await page.click('button[type=submit]');

    await page.waitForSelector('.bubble.received', { timeout: 10_000 });
    expect(await page.textContent('.bubble.sent')).toContain('ping');
    expect(await page.textContent('.bubble.received')).toContain('You said: ping');
    expect(await page.textContent('.bubble.received small')).toContain('from +15557653333');
    expect(receiver.received.map((request) => request.params.Body)).toEqual(['ping']);

    // A message nothing receives is reported on the page.
    await page.fill('#to', '+15550000000');
    await page.dispatchEvent('#to', 'change');
    await page.fill('#body', 'anyone?');
    await page.click('button[type=submit]');
    await page.waitForSelector('.error');
    expect(await page.textContent('.error')).toContain('Not delivered');
  });
});
