// The run view (GET /flows/{FlowSid}/executions/{ExecutionSid}) in a real headless Chromium: the flow
// drawn as Studio's canvas, the run's path highlighted in order (checked in the DOM and in the pixels of
// a screenshot), a step's context on click, and a live page that follows an active execution. Also the
// Steps API the page reads: fetch one step and its Context, in Studio's shapes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { FlowDefinition } from '../../workflows/engine/types';
import { loadTwilioSchemas } from '../support/openapi';
import { sharedFile } from '../support/paths';
import { colourNear, decodePng } from '../support/png';
import { device, startStack, waitFor, type Stack } from '../support/stack';

const FLOW_TEXT = fs.readFileSync(path.join(__dirname, '../fixtures/flows/start-conversation-survey.json'), 'utf8');
const FLOW = JSON.parse(FLOW_TEXT) as FlowDefinition;
const PROXY = '+15005550006';
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--force-color-profile=srgb'];
/** --visited in api/pages/run-view.css: the colour of the run's path. */
const VISITED_COLOUR: [number, number, number] = [0xf2, 0x2f, 0x46];
/** A browser test does a whole run plus page work: room for a busy machine. */
const BROWSER_TEST_TIMEOUT_MS = 120_000;

const hasChromium = fs.existsSync(CHROMIUM);
if (!hasChromium) console.warn(`skipping the run view browser tests: ${CHROMIUM} is absent (install Debian's chromium package)`);
const describeWithBrowser = hasChromium ? describe : describe.skip;
const STUDIO_SPEC = sharedFile('twilio-openapi', 'twilio_studio_v2.json');
const schemas = STUDIO_SPEC ? loadTwilioSchemas(STUDIO_SPEC) : null;

describe('the run view', () => {
  let stack: Stack;
  let flowSid: string;

  beforeAll(async () => {
    stack = await startStack();
    flowSid = (await stack.twilio.studio.v2.flows.create({ friendlyName: 'Survey', status: 'published', definition: FLOW })).sid;
  });
  afterAll(async () => stack?.stop());

  const studio = () => stack.twilio.studio.v2.flows(flowSid);

  /** Starts an execution for `contact` and waits until the question reached the phone. */
  async function startAndAsk(contact: string, name: string): Promise<string> {
    const execution = await studio().executions.create({ to: contact, from: PROXY, parameters: { name } });
    await waitFor(async () => (await device(stack.emulatorUrl).received(contact)).length === 1, 'the question');
    return execution.sid;
  }

  async function replyAndWaitForTheEnd(contact: string, executionSid: string, reply: string): Promise<void> {
    await device(stack.emulatorUrl).send(contact, PROXY, reply);
    await waitFor(async () => (await studio().executions(executionSid).fetch()).status === 'ended', 'the execution to end');
  }

  it('serves one step and its Context in Studio shapes, and 404 for an unknown step', async () => {
    const contact = '+15553330010';
    const executionSid = await startAndAsk(contact, 'Di');
    await replyAndWaitForTheEnd(contact, executionSid, 'ok');
    const [newest] = await studio().executions(executionSid).steps.list({ limit: 1 });

    const fetched = await studio().executions(executionSid).steps(newest.sid).fetch();
    expect(fetched).toMatchObject({ sid: newest.sid, transitionedFrom: 'thanks', transitionedTo: 'Ended', name: 'sent', executionSid, flowSid });
    const stepContext = await studio().executions(executionSid).steps(newest.sid).stepContext().fetch();
    expect(stepContext).toMatchObject({ stepSid: newest.sid, executionSid, flowSid, accountSid: stack.config.accountSid, context: newest.context });
    expect(stepContext.url).toBe(`${stack.apiUrl}/v2/Flows/${flowSid}/Executions/${executionSid}/Steps/${newest.sid}/Context`);

    if (schemas) {
      const auth = { authorization: `Basic ${Buffer.from(`${stack.config.accountSid}:${stack.config.authToken}`).toString('base64')}` };
      const rawStep = await (await fetch(`${stack.apiUrl}/v2/Flows/${flowSid}/Executions/${executionSid}/Steps/${newest.sid}`, { headers: auth })).json();
      const rawContext = await (await fetch(`${stack.apiUrl}/v2/Flows/${flowSid}/Executions/${executionSid}/Steps/${newest.sid}/Context`, { headers: auth })).json();
      expect(schemas.validate('studio.v2.flow.execution.execution_step', rawStep)).toEqual([]);
      expect(schemas.validate('studio.v2.flow.execution.execution_step.execution_step_context', rawContext)).toEqual([]);
    }
    await expect(studio().executions(executionSid).steps('FT' + '0'.repeat(32)).fetch()).rejects.toMatchObject({ status: 404, code: 20404 });
    await expect(studio().executions(executionSid).steps('FT' + '0'.repeat(32)).stepContext().fetch()).rejects.toMatchObject({ status: 404 });
  });

  it('asks a browser to log in (Basic auth, like /v2)', async () => {
    const response = await fetch(`${stack.apiUrl}/flows/${flowSid}`);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    const wrong = await fetch(`${stack.apiUrl}/flows/${flowSid}`, { headers: { authorization: `Basic ${Buffer.from(`${stack.config.accountSid}:nope`).toString('base64')}` } });
    expect(wrong.status).toBe(401);
  });

  describeWithBrowser('in Chromium', () => {
    let browser: Browser;
    let context: BrowserContext;

    beforeAll(async () => {
      // launch() gives the browser a fresh, throw-away profile (user data dir) of its own.
      browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
      context = await browser.newContext({
        httpCredentials: { username: stack.config.accountSid, password: stack.config.authToken },
        viewport: { width: 1400, height: 1000 },
        deviceScaleFactor: 1,
      });
    });
    afterAll(async () => {
      await browser?.close();
    });

    async function openPage(url: string, on: BrowserContext = context): Promise<Page> {
      const page = await on.newPage();
      const failures: string[] = [];
      page.on('pageerror', (error) => failures.push(error.message));
      await page.goto(url);
      await page.waitForSelector('body[data-ready="true"]');
      expect(failures).toEqual([]);
      expect(await page.isHidden('#error')).toBe(true);
      return page;
    }

    interface DrawnWidget {
      name: string;
      type: string;
      text: string;
      classes: string[];
      order: number | null;
      left: number;
      top: number;
      /** The middle of the left border and a point on the top border, in viewport pixels. */
      borderPoints: Point[];
    }
    interface DrawnTransition {
      edge: string;
      label: string;
      hasArrowHead: boolean;
      visited: boolean;
      order: number | null;
      /** Points along the curve away from its ends and its label, in viewport pixels. */
      curvePoints: Point[];
    }
    type Point = { x: number; y: number };

    // Runs in the page. A string, because this project compiles without the DOM library.
    const READ_CANVAS = `(() => {
      const svgBox = document.getElementById('canvas').getBoundingClientRect();
      const toViewport = (element, x, y) => {
        const point = new DOMPoint(x, y).matrixTransform(element.getScreenCTM());
        return { x: point.x, y: point.y };
      };
      const order = (element) => (element.hasAttribute('data-visit-order') ? Number(element.getAttribute('data-visit-order')) : null);
      const widgets = Array.from(document.querySelectorAll('#widgets .widget')).map((group) => {
        const rect = group.querySelector('rect');
        const box = rect.getBoundingClientRect();
        const width = Number(rect.getAttribute('width'));
        const height = Number(rect.getAttribute('height'));
        return {
          name: group.dataset.name,
          type: group.dataset.type,
          text: Array.from(group.querySelectorAll('text')).map((text) => text.textContent).join(' '),
          classes: Array.from(group.classList),
          order: order(group),
          left: box.left - svgBox.left,
          top: box.top - svgBox.top,
          borderPoints: [toViewport(rect, 0, height / 2), toViewport(rect, width * 0.25, 0)],
        };
      });
      const transitions = Array.from(document.querySelectorAll('#edges .transition')).map((group) => {
        const curve = group.querySelector('path');
        const length = curve.getTotalLength();
        return {
          edge: group.dataset.from + ' -' + group.dataset.event + '-> ' + group.dataset.to,
          label: group.querySelector('text').textContent,
          hasArrowHead: /^url\\(#arrow/.test(curve.getAttribute('marker-end') || ''),
          visited: group.classList.contains('visited'),
          order: order(group),
          curvePoints: [0.15, 0.25, 0.75, 0.85].map((fraction) => {
            const point = curve.getPointAtLength(length * fraction);
            return toViewport(curve, point.x, point.y);
          }),
        };
      });
      return { widgets, transitions };
    })()`;

    const readCanvas = (page: Page) => page.evaluate<{ widgets: DrawnWidget[]; transitions: DrawnTransition[] }>(READ_CANVAS);
    const drawnWidgets = async (page: Page) => (await readCanvas(page)).widgets;
    const textOf = (page: Page, expression: string) => page.evaluate<string>(expression);

    it('draws every widget at its offset, every transition labelled, and the run highlighted in path order', async () => {
      const contact = '+15553330001';
      const executionSid = await startAndAsk(contact, 'Ann');
      await replyAndWaitForTheEnd(contact, executionSid, 'Great, thanks');

      const page = await openPage(`${stack.apiUrl}/flows/${flowSid}/executions/${executionSid}`);
      expect(await page.getAttribute('body', 'data-execution-status')).toBe('ended');
      expect(await page.textContent('#execution-status')).toBe('ended');
      expect(await page.textContent('#title')).toContain(executionSid);

      // One box per widget, labelled with its name and type, where Studio's offsets put it.
      const widgets = await drawnWidgets(page);
      expect(widgets.map((widget) => [widget.name, widget.type])).toEqual(FLOW.states.map((state) => [state.name, state.type]));
      for (const widget of widgets) expect(widget.text).toContain(`${widget.name} ${widget.type}`);
      expect(new Set(widgets.map((widget) => `${widget.left},${widget.top}`)).size).toBe(FLOW.states.length);
      const offsets = FLOW.states.map((state) => (state.properties as { offset: { x: number; y: number } }).offset);
      const minX = Math.min(...offsets.map((offset) => offset.x));
      const minY = Math.min(...offsets.map((offset) => offset.y));
      widgets.forEach((widget, index) => {
        expect(widget.left).toBeCloseTo(offsets[index].x - minX + 40, 0);
        expect(widget.top).toBeCloseTo(offsets[index].y - minY + 40, 0);
      });

      // One arrow per transition that has a next, labelled with its event.
      const { transitions } = await readCanvas(page);
      expect(transitions.map((transition) => transition.edge).sort()).toEqual(
        [
          'Trigger -incomingRequest-> start_conversation',
          'start_conversation -created-> ask',
          'start_conversation -failed-> report_failure',
          'ask -incomingMessage-> thanks',
          'ask -timeout-> no_reply',
        ].sort(),
      );
      for (const transition of transitions) {
        expect(transition.label).toBe(transition.edge.split(' ')[1].slice(1, -2));
        expect(transition.hasArrowHead).toBe(true);
      }

      // The path, in order: widgets by first visit, transitions by the step that took them.
      const visitedWidgets = widgets.filter((widget) => widget.classes.includes('visited')).sort((a, b) => a.order! - b.order!);
      expect(visitedWidgets.map((widget) => widget.name)).toEqual(['Trigger', 'start_conversation', 'ask', 'thanks']);
      expect(visitedWidgets.map((widget) => widget.order)).toEqual([1, 2, 3, 4]);
      expect(widgets.find((widget) => widget.name === 'thanks')!.classes).toContain('final');
      expect(widgets.filter((widget) => !widget.classes.includes('visited')).map((widget) => widget.name).sort()).toEqual(['no_reply', 'report_failure']);
      const visitedTransitions = transitions.filter((transition) => transition.visited).sort((a, b) => a.order! - b.order!);
      expect(visitedTransitions.map((transition) => transition.edge)).toEqual([
        'Trigger -incomingRequest-> start_conversation',
        'start_conversation -created-> ask',
        'ask -incomingMessage-> thanks',
      ]);
      expect(JSON.parse(await textOf(page, `JSON.stringify(Array.from(document.querySelectorAll('#steps .step')).map((item) => Array.from(item.querySelectorAll('span')).map((span) => span.textContent).join('')))`))).toEqual([
        'Trigger → incomingRequest → start_conversation',
        'start_conversation → created → ask',
        'ask → incomingMessage → thanks',
        'thanks → sent → Ended',
      ]);

      // The highlight is really painted: the path's colour along the run's arrows and widget borders, not elsewhere.
      const screenshot = await page.screenshot();
      // RUN_VIEW_SCREENSHOT=file.png keeps the picture for a human to look at.
      if (process.env.RUN_VIEW_SCREENSHOT) fs.writeFileSync(process.env.RUN_VIEW_SCREENSHOT, screenshot);
      const image = decodePng(screenshot);
      for (const transition of transitions) {
        const painted = transition.curvePoints.map((point) => colourNear(image, point.x, point.y, VISITED_COLOUR, 2));
        expect({ edge: transition.edge, painted }).toEqual({ edge: transition.edge, painted: painted.map(() => transition.visited) });
      }
      expect(transitions.filter((transition) => transition.visited)).toHaveLength(3);
      for (const widget of widgets) {
        const painted = widget.borderPoints.map((point) => colourNear(image, point.x, point.y, VISITED_COLOUR, 2));
        const visited = ['Trigger', 'start_conversation', 'ask', 'thanks'].includes(widget.name);
        expect({ widget: widget.name, painted }).toEqual({ widget: widget.name, painted: [visited, visited] });
      }

      // A step's context on click, as the Step Context API gives it.
      const steps = (await studio().executions(executionSid).steps.list()).reverse();
      const askStep = steps.find((step) => step.transitionedFrom === 'ask')!;
      await page.click(`#steps .step[data-step-sid="${askStep.sid}"]`);
      await page.locator('#context-json', { hasText: 'Great, thanks' }).waitFor();
      const shown = JSON.parse((await page.textContent('#context-json'))!);
      expect(shown).toEqual((await studio().executions(executionSid).steps(askStep.sid).stepContext().fetch()).context);
      expect(await page.textContent('#context-title')).toContain('ask → incomingMessage → thanks');
      expect(await page.getAttribute(`#steps .step[data-step-sid="${askStep.sid}"]`, 'class')).toContain('selected');
      expect(await page.getAttribute('.widget[data-name="ask"]', 'class')).toContain('selected');

      // Clicking a widget shows the context of its step.
      const conversationStep = steps.find((step) => step.transitionedFrom === 'start_conversation')!;
      await page.click('.widget[data-name="start_conversation"]');
      await page.locator('#context-title', { hasText: 'start_conversation → created' }).waitFor();
      expect(JSON.parse((await page.textContent('#context-json'))!)).toEqual(conversationStep.context);
      // A widget the run never reached shows its definition.
      await page.click('.widget[data-name="no_reply"]');
      await page.locator('#context-title', { hasText: 'no_reply' }).waitFor();
      expect(await page.textContent('#context-title')).toContain('not run');
      expect(JSON.parse((await page.textContent('#context-json'))!)).toMatchObject({ body: 'We did not hear back from you.' });
      // And the whole execution's context on demand.
      await page.click('#show-execution-context');
      await page.locator('#context-title', { hasText: 'Execution context' }).waitFor();
      expect(JSON.parse((await page.textContent('#context-json'))!)).toMatchObject({ flow: { data: { name: 'Ann' } }, widgets: { ask: { inbound: { Body: 'Great, thanks' } } } });
      await page.close();
    }, BROWSER_TEST_TIMEOUT_MS);

    it('follows an active execution: the page updates when the reply arrives', async () => {
      const contact = '+15553330002';
      const executionSid = await startAndAsk(contact, 'Bo');
      // Credentials in the URL, as a person might paste it, instead of the login prompt.
      const anonymous = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
      const url = new URL(`${stack.apiUrl}/flows/${flowSid}/executions/${executionSid}`);
      url.username = stack.config.accountSid;
      url.password = stack.config.authToken;
      const page = await openPage(url.toString(), anonymous);
      expect(await page.getAttribute('body', 'data-execution-status')).toBe('active');
      const before = await drawnWidgets(page);
      expect(before.filter((widget) => widget.classes.includes('current')).map((widget) => widget.name)).toEqual(['ask']);
      expect(before.filter((widget) => widget.classes.includes('visited')).map((widget) => widget.name)).toEqual(['Trigger', 'start_conversation', 'ask']);
      expect(await page.textContent('.widget[data-name="ask"] .badge')).toBe('waiting');

      await device(stack.emulatorUrl).send(contact, PROXY, 'Fine');
      // The page polls every 2 s: wait on the DOM, not on time.
      await page.waitForSelector('body[data-execution-status="ended"] .widget.visited[data-name="thanks"]', { timeout: 30_000 });
      const after = await drawnWidgets(page);
      expect(after.filter((widget) => widget.classes.includes('current'))).toEqual([]);
      expect(after.filter((widget) => widget.classes.includes('visited')).sort((a, b) => a.order! - b.order!).map((widget) => widget.name)).toEqual(['Trigger', 'start_conversation', 'ask', 'thanks']);
      expect(await page.textContent('#execution-status')).toBe('ended');
      expect(await page.locator('#steps .step').count()).toBe(4);
      await anonymous.close();
    }, BROWSER_TEST_TIMEOUT_MS);

    it('the flow page draws the definition and links to its executions', async () => {
      const page = await openPage(`${stack.apiUrl}/flows/${flowSid}`);
      expect(await page.textContent('#title')).toContain('Survey');
      const widgets = await drawnWidgets(page);
      expect(widgets.map((widget) => widget.name)).toEqual(FLOW.states.map((state) => state.name));
      expect(widgets.filter((widget) => widget.classes.includes('visited'))).toEqual([]);
      const executions = await studio().executions.list();
      const links = JSON.parse(await textOf(page, `JSON.stringify(Array.from(document.querySelectorAll('#executions a')).map((anchor) => anchor.getAttribute('href')))`)) as string[];
      expect(links.sort()).toEqual(executions.map((execution) => `/flows/${flowSid}/executions/${execution.sid}`).sort());
      await page.click(`#executions a[href$="${executions[0].sid}"]`);
      await page.waitForSelector('body[data-ready="true"][data-execution-status]');
      expect(page.url()).toContain(`/executions/${executions[0].sid}`);
      await page.close();
    }, BROWSER_TEST_TIMEOUT_MS);
  });
});
