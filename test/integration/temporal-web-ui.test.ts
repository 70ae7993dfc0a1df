// The Temporal Web UI tells an execution's story (issue 6.2), seen in a real headless Chromium on the
// dev server's UI (2.42): the execution is found by its flow SID (a visibility query on the search
// attribute StudioFlowSid), its page names the widget it waits at (search attribute
// StudioCurrentWidget, current details), the flow and revision (summary), and what each activity
// and timer did (their summaries), with the contact's number masked.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { readTestEnvironment } from '../support/paths';
import { device, startStack, waitFor, type Stack } from '../support/stack';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
if (!fs.existsSync(CHROMIUM)) console.warn(`skipping the Temporal Web UI test: ${CHROMIUM} is not installed (apt-get install chromium)`);
const describeWithChromium = fs.existsSync(CHROMIUM) ? describe : describe.skip;

const FLOW = JSON.parse(fs.readFileSync(path.join(__dirname, '../fixtures/flows/start-conversation-survey.json'), 'utf8'));
const PROXY = '+15005550006';
const CONTACT = '+15551238001';

describeWithChromium('the Temporal Web UI', () => {
  let stack: Stack;
  let browser: BrowserContext;
  let userDataDir: string;
  let page: Page;

  beforeAll(async () => {
    stack = await startStack();
    userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-web-ui-chromium-'));
    browser = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1600, height: 1000 },
    });
    page = browser.pages()[0] ?? (await browser.newPage());
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    if (userDataDir) fs.rmSync(userDataDir, { recursive: true, force: true });
  });

  /** On a failure, a screenshot of what the UI showed (its path is in the error). */
  async function explained<T>(what: string, step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (error) {
      const file = path.join(os.tmpdir(), `temporal-web-ui-${what.replace(/\W+/g, '-')}-${Date.now()}.png`);
      await page.screenshot({ path: file, fullPage: true }).catch(() => undefined);
      throw new Error(`${what}: ${(error as Error).message}\n(screenshot: ${file}, page: ${page.url()})`);
    }
  }

  /** Texts of the UI's rendered markdown (summary, details, current details live in sandboxed iframes). */
  async function renderedMarkdown(): Promise<string[]> {
    const frames = page.frames().filter((frame) => frame.url().includes('/render?'));
    return Promise.all(frames.map(async (frame) => (await frame.locator('body').innerText()).trim()));
  }

  it('finds a waiting execution by its flow SID and shows its widget, summary and activity summaries', async () => {
    const { uiUrl, namespace } = readTestEnvironment();
    expect(uiUrl).toMatch(/^http:\/\//);
    const flow = await stack.twilio.studio.v2.flows.create({ friendlyName: 'Web UI survey', status: 'published', definition: FLOW });
    const execution = await stack.twilio.studio.v2.flows(flow.sid).executions.create({ to: CONTACT, from: PROXY, parameters: { name: 'Ui' } });
    const question = await waitFor(async () => (await device(stack.emulatorUrl).received(CONTACT)).find((message) => message.body === 'How was your visit, Ui?'), 'the question');
    const conversationSid = question.conversation_sid!;
    // The workflow has reached its wait: the search attribute is upserted before the timer starts.
    await waitFor(async () => (await stack.temporal.workflow.getHandle(execution.sid).describe()).searchAttributes.StudioCurrentWidget?.[0] === 'ask', 'the wait at ask');

    // The workflow list, filtered by a visibility query on the flow SID (eventually consistent: reload until it lists it).
    const listUrl = `${uiUrl}/namespaces/${namespace}/workflows?query=${encodeURIComponent(`StudioFlowSid="${flow.sid}"`)}`;
    const row = page.getByRole('link', { name: execution.sid, exact: true }).first();
    await explained('the workflow list', () =>
      waitFor(
        async () => {
          await page.goto(listUrl);
          await row.waitFor({ state: 'visible', timeout: 5000 });
          return true;
        },
        `the UI to list ${execution.sid} for StudioFlowSid="${flow.sid}"`,
        60_000,
      ),
    );
    expect(await page.getByTestId('workflow-status-Running').count()).toBe(1);

    // The execution's page: its history names each activity by what it did.
    await explained('the history', async () => {
      await row.click();
      await page.waitForURL(new RegExp(`/workflows/${execution.sid}/[^/]+/history`));
      await page.getByText(`send message 'How was your visit, Ui?' to ${conversationSid}`).first().waitFor({ timeout: 15_000 });
    });
    const history = await page.locator('main').innerText();
    expect(history).toContain(execution.sid);
    expect(history).toContain('create conversation for start_conversation');
    expect(history).toContain(`add participant +…8001 to ${conversationSid}`);
    expect(history).toContain(`register onMessageAdded webhook on ${conversationSid}`);

    // User Metadata: the flow and revision (summary), the widget being waited on (current details,
    // read live from the workflow by a query), and every event with a summary.
    await explained('the user metadata', async () => {
      await page.getByTestId('user-metadata-tab').click();
      await page.waitForURL(/\/user-metadata$/);
      await waitFor(async () => (await renderedMarkdown()).some((text) => text.startsWith('Waiting at ask')), 'the current details', 15_000);
    });
    const markdown = await renderedMarkdown();
    expect(markdown).toContain(`Studio flow Web UI survey (${flow.sid}) revision 1`);
    expect(markdown).toContain('Waiting at ask for a reply from +…8001 (timeout 3600 s)');
    const metadata = await page.locator('main').innerText();
    expect(metadata).toContain('Current Details');
    expect(metadata).toContain('Events with Metadata');
    expect(metadata).toContain(`send message 'How was your visit, Ui?' to ${conversationSid}`);
    expect(metadata).toContain('reply timeout at ask');

    // Search attributes: the current widget, the flow, the status; the contact only as a hash.
    await explained('the search attributes', async () => {
      await page.getByTestId('search-attributes-tab').click();
      await page.waitForURL(/\/search-attributes$/);
      await page.getByText('"StudioCurrentWidget": "ask"').first().waitFor({ timeout: 15_000 });
    });
    const attributes = await page.locator('main').innerText();
    expect(attributes).toContain(`"StudioFlowSid": "${flow.sid}"`);
    expect(attributes).toContain('"StudioFlowRevision": 1');
    expect(attributes).toContain('"StudioExecutionStatus": "active"');
    expect(attributes).toMatch(/"StudioContactHash": "[0-9a-f]{16}"/);
    expect(attributes).not.toContain(CONTACT.slice(1));
  }, 180_000);
});
