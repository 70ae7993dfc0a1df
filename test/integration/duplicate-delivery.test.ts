// Duplicate and late delivery (issue 7.2), on the webhook a survey's Start Conversation registers (the
// conversation-scoped URL with its ExecutionSid; conversations-gateway.test.ts covers the Address
// Configuration route). Twilio delivers at least once, in no promised order: here EVERY webhook of the
// survey — each reply and each delivery report — arrives again, some right behind the original, some
// after newer ones, some after the wait they answered timed out, and all of them once more after the
// execution ended. Each is handled once, and the transitions are Studio's: a reply that arrives after
// its Send & Wait timed out, while a widget that waits for nothing runs, is recorded as ignored (81002)
// and answers nothing later.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FlowState } from '../../workflows/engine/types';
import {
  endedState,
  executionsOf,
  flow,
  loggedWebhooks,
  publish,
  replay,
  sendAndWait,
  sendMessage,
  startConversation,
  stepPath,
  trigger,
  type LoggedWebhook,
} from '../support/conversation-flows';
import { device, startStack, waitFor, type Stack } from '../support/stack';

const PROXY = '+15005550801';
const CONTACT = '+15557780001';

/** An HTTP endpoint that answers only when the test says so: while it holds, the execution is at a widget that waits for no reply. */
function holdingServer() {
  const held: http.ServerResponse[] = [];
  const server = http.createServer((_req, res) => held.push(res));
  return {
    server,
    held,
    async start(): Promise<string> {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hold`;
    },
    release() {
      for (const res of held.splice(0)) res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    },
    stop: () => new Promise((resolve) => server.close(resolve)),
  };
}

function holdWidget(url: string): FlowState {
  return {
    name: 'hold',
    type: 'make-http-request',
    transitions: [
      { event: 'success', next: 'q3' },
      { event: 'failed', next: 'q3' },
    ],
    properties: { offset: { x: 0, y: 800 }, method: 'GET', content_type: 'application/x-www-form-urlencoded;charset=utf-8', url },
  };
}

describe('every webhook of a survey delivered twice, out of order and late', () => {
  let stack: Stack;
  let phone: ReturnType<typeof device>;
  let flowSid: string;
  const hold = holdingServer();

  beforeAll(async () => {
    stack = await startStack();
    phone = device(stack.emulatorUrl);
    const holdUrl = await hold.start();
    flowSid = await publish(
      stack,
      'three questions',
      flow([
        trigger({ incomingRequest: 'start' }),
        startConversation('start', { created: 'q1' }),
        sendAndWait('q1', 'Q1?', { incomingMessage: 'q2' }),
        // Short: the test lets it time out.
        sendAndWait('q2', 'Q2?', { incomingMessage: 'q3', timeout: 'hold' }, 3),
        holdWidget(holdUrl),
        sendAndWait('q3', 'Q3?', { incomingMessage: 'thanks' }),
        sendMessage('thanks', 'Thanks: {{widgets.q1.inbound.Body}} / {{widgets.q3.inbound.Body}}'),
      ]),
    );
  });
  afterAll(async () => {
    hold.release();
    await hold.stop();
    await stack?.stop();
  });

  const received = (body: string) => waitFor(async () => (await phone.received(CONTACT)).find((message) => message.body === body), `"${body}" on the phone`);
  const keyOf = (hook: LoggedWebhook) => `${hook.params.EventType} ${hook.params.MessageSid} ${hook.params.Status ?? ''}`;

  it('handles each once, with Studio transitions, and records the late reply as ignored (81002)', async () => {
    const execution = await stack.twilio.studio.v2.flows(flowSid).executions.create({ to: CONTACT, from: PROXY });
    const conversationSid = (await received('Q1?')).conversation_sid!;
    const replayed = new Map<string, number>();
    /** Sends a logged webhook again (a duplicate delivery): the gateway acknowledges it as it did the first. */
    async function again(hook: LoggedWebhook): Promise<void> {
      const response = await replay(hook);
      expect({ webhook: keyOf(hook), status: response.status }).toEqual({ webhook: keyOf(hook), status: 200 });
      replayed.set(keyOf(hook), (replayed.get(keyOf(hook)) ?? 0) + 1);
    }
    /** The conversation's webhooks the emulator delivered (answered), oldest first. */
    const delivered = async () =>
      (await loggedWebhooks(stack)).filter((hook) => hook.params.ConversationSid === conversationSid && hook.url.includes(flowSid) && hook.status !== null).reverse();
    const replyWebhook = (messageSid: string) =>
      waitFor(async () => (await delivered()).find((hook) => hook.params.EventType === 'onMessageAdded' && hook.params.MessageSid === messageSid), `the webhook of ${messageSid}`);
    const state = () => stack.service.state(execution.sid);

    // Q1's answer, and its duplicate right behind it: Q1 is answered once, and Q2 not at all.
    const a1 = await replyWebhook((await phone.send(CONTACT, PROXY, 'a1')).message_sid);
    await again(a1);
    await received('Q2?');

    // Nobody answers Q2: it times out, and the flow goes on to a widget that waits for no reply.
    await waitFor(async () => hold.held.length === 1, 'the timeout to lead to the held HTTP request');
    // A reply arrives now, late, twice; and Q1's answer once more, out of order.
    const late = await replyWebhook((await phone.send(CONTACT, PROXY, 'late')).message_sid);
    await again(late);
    await again(a1);
    const ignored = await waitFor(async () => (await state()).ignoredInbound.find((entry) => entry.messageSid === late.params.MessageSid), 'the late reply to be ignored');
    expect(ignored).toMatchObject({ widget: 'hold', warning: '81002' });
    hold.release();

    // Q3 waits: the late reply and Q1's answer arrive yet again, and answer nothing.
    await received('Q3?');
    await again(late);
    await again(a1);
    // Every delivery report so far, again, newest first.
    for (const report of (await delivered()).filter((hook) => hook.params.EventType === 'onDeliveryUpdated').reverse()) await again(report);
    // Q3's answer, three times.
    const a3 = await replyWebhook((await phone.send(CONTACT, PROXY, 'a3')).message_sid);
    await again(a3);
    await again(a3);
    await received('Thanks: a1 / a3');

    const ended = await endedState(stack, execution.sid);
    expect(stepPath(ended)).toEqual([
      'Trigger-incomingRequest->start',
      'start-created->q1',
      'q1-incomingMessage->q2',
      'q2-timeout->hold',
      'hold-success->q3',
      'q3-incomingMessage->thanks',
      'thanks-sent->Ended',
    ]);
    expect(ended.context.widgets.q1).toMatchObject({ inbound: { Body: 'a1', MessageSid: a1.params.MessageSid } });
    expect(ended.context.widgets.q2?.inbound).toBeUndefined();
    expect(ended.context.widgets.q3).toMatchObject({ inbound: { Body: 'a3', MessageSid: a3.params.MessageSid } });
    // The late reply, once (its duplicates were dropped, not ignored again); the other duplicates were not "unexpected".
    expect(ended.ignoredInbound).toEqual([expect.objectContaining({ messageSid: late.params.MessageSid, widget: 'hold', warning: '81002' })]);
    // Nothing sent twice, and the held request made once.
    expect((await phone.received(CONTACT)).map((message) => message.body)).toEqual(['Q1?', 'Q2?', 'Q3?', 'Thanks: a1 / a3']);
    expect(hold.held).toHaveLength(0);

    // After the end, the whole lot once more: acknowledged, and nothing changes or starts.
    const all = await delivered();
    for (const hook of all) await again(hook);
    expect(await stack.service.state(execution.sid)).toEqual(ended);
    expect(await executionsOf(stack, flowSid)).toHaveLength(1);
    expect((await phone.received(CONTACT)).map((message) => message.body)).toEqual(['Q1?', 'Q2?', 'Q3?', 'Thanks: a1 / a3']);

    // Delivery reports that report no failure were acknowledged and not passed on: the only signals in the
    // history are replies (each delivered once, whatever its duplicates).
    const reports = all.filter((hook) => hook.params.EventType === 'onDeliveryUpdated');
    expect(reports.length).toBeGreaterThan(0);
    expect(new Set(reports.map((hook) => [hook.params.Status, hook.status].join(' ')))).toEqual(new Set(['sent 200', 'delivered 200']));
    const history = await stack.service.handle(execution.sid).fetchHistory();
    const signals = (history.events ?? []).flatMap((event) => (event.workflowExecutionSignaledEventAttributes ? [event.workflowExecutionSignaledEventAttributes.signalName] : []));
    expect(signals.length).toBeGreaterThanOrEqual(3);
    expect(new Set(signals)).toEqual(new Set(['inboundMessage']));

    // Every webhook the survey received came at least twice; the replies, three times or more.
    const kinds = new Set(all.map((hook) => hook.params.EventType));
    expect(kinds).toEqual(new Set(['onMessageAdded', 'onDeliveryUpdated']));
    for (const hook of all) {
      const minimum = hook.params.EventType === 'onMessageAdded' ? 2 : 1;
      expect({ webhook: keyOf(hook), replays: (replayed.get(keyOf(hook)) ?? 0) >= minimum }).toEqual({ webhook: keyOf(hook), replays: true });
    }
  });
});
