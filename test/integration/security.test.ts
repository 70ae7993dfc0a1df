// Security end to end (issue 7): the gateway refuses with 403 and no effect every webhook it cannot
// trust — unsigned, forged, signed for another flow's URL, another host or another query, or with an
// altered body — while the genuine request, sent last, does take effect (so the refused ones would
// have). And what the stack writes where people look — its logs (API and worker, at debug level),
// the executions' search attributes, their Web UI metadata (summaries, details) — never shows the
// auth token or a contact's full phone number.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { contactHash } from '../../api/execution-service';
import { CONTACT_HASH } from '../../workflows/search-attributes';
import { endedState, executionsOf, flow, flowWebhookUrl, messageAddedWebhooks, publish, sendAndWait, sendMessage, stepPath, trigger } from '../support/conversation-flows';
import { device, startStack, twilio, waitFor, type Stack } from '../support/stack';

const SURVEY = JSON.parse(fs.readFileSync(path.join(__dirname, '../fixtures/flows/start-conversation-survey.json'), 'utf8')) as object;
const PROXY = '+15005550901';
const SMS_NUMBER = '+15005550902';

/** The national part of a contact's number: whatever the format around it (+1…, %2B1…, whatsapp:+1…), it must not show. */
const nationalDigits = (address: string) => address.replace(/\D/g, '').slice(-10);

describe('security end to end', () => {
  const logLines: string[] = [];
  let stack: Stack;
  let phone: ReturnType<typeof device>;
  let surveySid: string;
  let smsFlowSid: string;

  beforeAll(async () => {
    stack = await startStack({ logLines });
    phone = device(stack.emulatorUrl);
    surveySid = (await stack.twilio.studio.v2.flows.create({ friendlyName: 'Survey', status: 'published', definition: SURVEY })).sid;
    smsFlowSid = await publish(
      stack,
      'sms order',
      flow([
        trigger({ incomingMessage: 'ask' }),
        sendAndWait('ask', 'Order number?', { incomingMessage: 'confirm' }),
        sendMessage('confirm', 'Order {{widgets.ask.inbound.Body}} noted'),
      ]),
    );
    await stack.twilio.incomingPhoneNumbers.create({ phoneNumber: SMS_NUMBER, smsUrl: flowWebhookUrl(stack, smsFlowSid) });
  });
  afterAll(async () => stack?.stop());

  const received = (contact: string, body: string) =>
    waitFor(async () => (await phone.received(contact)).find((message) => message.body === body), `"${body}" on ${contact}`);
  const sign = (url: string, params: Record<string, string>, token = stack.config.authToken) => twilio.getExpectedTwilioSignature(token, url, params);
  const post = (url: string, params: Record<string, string>, signature?: string) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(signature === undefined ? {} : { 'X-Twilio-Signature': signature }) },
      body: new URLSearchParams(params),
    });

  /** Every way to send `params` to `url` without the account's valid signature for exactly that request. */
  function untrusted(url: string, params: Record<string, string>, otherFlowUrl: string) {
    const withQuery = url.includes('?');
    const publicHost = new URL(stack.apiUrl);
    return [
      { what: 'unsigned', send: () => post(url, params) },
      { what: 'an empty signature', send: () => post(url, params, '') },
      { what: 'signed with another token', send: () => post(url, params, sign(url, params, 'not-the-auth-token')) },
      { what: 'a made-up signature', send: () => post(url, params, Buffer.from('x'.repeat(20)).toString('base64')) },
      { what: "signed for another flow's URL", send: () => post(url, params, sign(otherFlowUrl + (withQuery ? url.slice(url.indexOf('?')) : ''), params)) },
      { what: "signed for this URL, sent to another flow's", send: () => post(url.replace(/\/Flows\/FW[0-9a-f]+/, `/Flows/${otherFlowUrl.split('/').at(-1)}`), params, sign(url, params)) },
      { what: 'signed for another host', send: () => post(url, params, sign(url.replace(publicHost.host, `localhost:${publicHost.port}`), params)) },
      { what: 'signed for https', send: () => post(url, params, sign(url.replace('http:', 'https:'), params)) },
      { what: 'with a query parameter added', send: () => post(url + (withQuery ? '&' : '?') + 'Extra=1', params, sign(url, params)) },
      ...(withQuery ? [{ what: 'with the query removed', send: () => post(url.split('?')[0], params, sign(url, params)) }] : []),
      { what: 'with a parameter altered', send: () => post(url, { ...params, Body: 'forged answer' }, sign(url, params)) },
      { what: 'with a parameter added', send: () => post(url, { ...params, Extra: '1' }, sign(url, params)) },
      { what: 'with a parameter removed', send: () => post(url, Object.fromEntries(Object.entries(params).filter(([key]) => key !== 'Author' && key !== 'To')), sign(url, params)) },
    ];
  }

  async function expectAllRefused(attempts: { what: string; send: () => Promise<Response> }[]): Promise<void> {
    for (const { what, send } of attempts) {
      const response = await send();
      const body = (await response.json()) as Record<string, unknown>;
      expect({ what, status: response.status, body }).toEqual({
        what,
        status: 403,
        body: { code: 20403, message: expect.any(String), more_info: 'https://www.twilio.com/docs/errors/20403', status: 403 },
      });
    }
  }

  it('refuses every untrusted reply to a waiting execution with 403 and no effect; the genuine one then answers', async () => {
    const contact = '+15557770001';
    const execution = await stack.twilio.studio.v2.flows(surveySid).executions.create({ to: contact, from: PROXY, parameters: { name: 'Ann' } });
    const question = await received(contact, 'How was your visit, Ann?');
    const conversationSid = question.conversation_sid!;
    // The URL the execution registered on its Conversation (with its ExecutionSid query).
    const [webhook] = await messageAddedWebhooks(stack, conversationSid);
    const url = (webhook.configuration as { url: string }).url;
    expect(url).toContain(`?ExecutionSid=${execution.sid}`);
    const reply = {
      AccountSid: stack.config.accountSid,
      EventType: 'onMessageAdded',
      ConversationSid: conversationSid,
      MessageSid: 'IM' + 'b'.repeat(32),
      Index: '1',
      Body: 'Lovely',
      Author: contact,
      Source: 'SMS',
    };
    const before = await stack.service.state(execution.sid);

    const otherExecution = url.replace(execution.sid, 'FN' + 'c'.repeat(32));
    await expectAllRefused([
      ...untrusted(url, reply, flowWebhookUrl(stack, smsFlowSid)),
      { what: 'signed for another execution', send: () => post(url, reply, sign(otherExecution, reply)) },
      { what: 'sent to another execution', send: () => post(otherExecution, reply, sign(url, reply)) },
    ]);

    const after = await stack.service.state(execution.sid);
    expect(after).toEqual(before);
    expect(after.currentWidget).toBe('ask');
    expect(after.ignoredInbound).toEqual([]);
    expect((await phone.received(contact)).map((message) => message.body)).toEqual(['How was your visit, Ann?']);
    expect(await executionsOf(stack, smsFlowSid)).toEqual([]);

    // The control: the same request with the account's signature for exactly that URL is taken.
    expect((await post(url, reply, sign(url, reply))).status).toBe(200);
    await received(contact, 'Thanks! You said: Lovely');
    const state = await endedState(stack, execution.sid);
    expect(stepPath(state)).toEqual(['Trigger-incomingRequest->start_conversation', 'start_conversation-created->ask', 'ask-incomingMessage->thanks', 'thanks-sent->Ended']);
  });

  it('starts nothing from an untrusted inbound SMS; the genuine one starts the execution', async () => {
    const contact = '+15557770002';
    const url = flowWebhookUrl(stack, smsFlowSid);
    const sms = { AccountSid: stack.config.accountSid, MessageSid: 'SM' + 'd'.repeat(32), From: contact, To: SMS_NUMBER, Body: 'hi', NumMedia: '0' };
    await expectAllRefused(untrusted(url, sms, flowWebhookUrl(stack, surveySid)));
    expect(await executionsOf(stack, smsFlowSid)).toEqual([]);
    expect(await executionsOf(stack, surveySid)).toHaveLength(1); // the previous test's
    expect(await phone.received(contact)).toEqual([]);

    const accepted = await post(url, sms, sign(url, sms));
    expect(accepted.status).toBe(200);
    await received(contact, 'Order number?');
    const [execution] = await executionsOf(stack, smsFlowSid);
    await stack.twilio.studio.v2.flows(smsFlowSid).executions(execution.sid).update({ status: 'ended' });
  });

  it('shows no auth token and no full phone number in logs, search attributes or Web UI metadata', async () => {
    const surveyContact = '+15557770101';
    const smsContact = '+15557770102';
    const failingContact = 'whatsapp:+15557770103';

    // A Conversations survey driven by REST, to its end.
    const survey = await stack.twilio.studio.v2.flows(surveySid).executions.create({ to: surveyContact, from: PROXY, parameters: { name: 'Bo' } });
    await received(surveyContact, 'How was your visit, Bo?');
    // While it waits, the Web UI's "current details" say at which widget, for whom: masked.
    const currentDetails = await waitFor(async () => {
      const metadata = (await stack.temporal.workflow.getHandle(survey.sid).query('__temporal_workflow_metadata')) as { currentDetails?: string };
      return metadata.currentDetails?.includes('+…0101') && metadata.currentDetails;
    }, 'the current details of the waiting execution');
    expect(currentDetails).not.toContain(nationalDigits(surveyContact));
    await phone.send(surveyContact, PROXY, 'Fine');
    await received(surveyContact, 'Thanks! You said: Fine');

    // An SMS conversation on Programmable Messaging, to its end.
    await phone.send(smsContact, SMS_NUMBER, 'hello');
    await received(smsContact, 'Order number?');
    await phone.send(smsContact, SMS_NUMBER, 'A-1');
    await received(smsContact, 'Order A-1 noted');

    // A failure whose Twilio error names the addresses (a WhatsApp contact on an SMS number).
    const failing = await stack.twilio.studio.v2.flows(surveySid).executions.create({ to: failingContact, from: PROXY, parameters: { name: 'Cy' } });
    const failedState = await endedState(stack, failing.sid);
    expect(stepPath(failedState)).toContain('start_conversation-failed->report_failure');

    const smsExecution = (await executionsOf(stack, smsFlowSid)).find((execution) => execution.contactChannelAddress === smsContact)!;
    const executions: [string, string][] = [
      [survey.sid, surveyContact],
      [smsExecution.sid, smsContact],
      [failing.sid, failingContact],
    ];
    const secrets = [stack.config.authToken, Buffer.from(`${stack.config.accountSid}:${stack.config.authToken}`).toString('base64')];
    const numbers = executions.map(([, contact]) => nationalDigits(contact));

    for (const [sid, contact] of executions) {
      await endedState(stack, sid);
      const handle = stack.temporal.workflow.getHandle(sid);
      const description = await handle.describe();
      // The contact appears in search attributes only as its hash.
      expect(description.typedSearchAttributes.get(CONTACT_HASH)).toBe(contactHash(contact));
      const attributes = JSON.stringify(description.typedSearchAttributes.getAll());
      const summary = `${await description.staticSummary()} ${await description.staticDetails()}`;
      // Everything the Web UI shows beside the payloads: activity and timer summaries, search attribute updates.
      const history = await handle.fetchHistory();
      const shown: string[] = [];
      for (const event of history.events ?? []) {
        for (const payload of [event.userMetadata?.summary, event.userMetadata?.details]) {
          if (payload?.data) shown.push(Buffer.from(payload.data).toString('utf8'));
        }
        const upserted = event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {};
        const started = event.workflowExecutionStartedEventAttributes?.searchAttributes?.indexedFields ?? {};
        for (const payload of [...Object.values(upserted), ...Object.values(started)]) {
          if (payload?.data) shown.push(Buffer.from(payload.data).toString('utf8'));
        }
      }
      expect(shown.length).toBeGreaterThan(0);
      for (const text of [attributes, summary, ...shown]) {
        for (const hidden of [...secrets, ...numbers]) expect({ sid, text, contains: text.includes(hidden) }).toEqual({ sid, text, contains: false });
      }
    }
    // The survey's participant summary is there, masked: masking is on, not just nothing said.
    const surveyHistory = await stack.temporal.workflow.getHandle(survey.sid).fetchHistory();
    const summaries = (surveyHistory.events ?? []).map((event) => (event.userMetadata?.summary?.data ? Buffer.from(event.userMetadata.summary.data).toString('utf8') : ''));
    expect(summaries.some((summary) => summary.includes('+…0101'))).toBe(true);

    // The logs of the whole file (API at debug level, the worker's SDK runtime at DEBUG): they were written, and hide both.
    expect(logLines.some((line) => line.includes('"component":"api"'))).toBe(true);
    expect(logLines.some((line) => /Activity (started|completed|failed)/.test(line))).toBe(true);
    // The failure's Twilio message, which names the addresses, was logged — masked.
    expect(logLines.some((line) => line.includes('whatsapp:+…0103'))).toBe(true);
    for (const line of logLines) {
      for (const hidden of [...secrets, ...numbers, nationalDigits('+15557770001'), nationalDigits('+15557770002')]) {
        expect({ line, contains: line.includes(hidden) }).toEqual({ line, contains: false });
      }
    }
  });
});
