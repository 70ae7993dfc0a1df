// The activity Run Subflow uses to resolve its child's revision from the Studio API: what it asks for,
// with which credentials, and how it classifies a refusal (4xx final, 5xx retried).
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApplicationFailure } from '@temporalio/activity';
import express from 'express';
import { createFlowRevisionActivities } from '../../activities/flow-revisions';

const FLOW_SID = 'FW00000000000000000000000000000002';
const DEFINITION = { description: 'child', initial_state: 'Trigger', states: [{ name: 'Trigger', type: 'trigger', transitions: [], properties: {} }] };

describe('fetchFlowRevision', () => {
  let server: http.Server;
  let baseUrl: string;
  const seen: { path: string; authorization?: string }[] = [];

  beforeAll(async () => {
    const app = express();
    app.get('/v2/Flows/:sid/Revisions/:revision', (req, res) => {
      seen.push({ path: req.path, authorization: req.headers.authorization });
      if (req.params.revision === 'LatestPublished') return void res.json({ sid: req.params.sid, revision: 3, valid: true, definition: DEFINITION });
      if (req.params.revision === '9') return void res.status(404).json({ code: 20404, message: 'The requested resource was not found', status: 404 });
      res.status(503).json({ code: 20503, message: 'Service unavailable', status: 503 });
    });
    server = http.createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(async () => new Promise((resolve) => server.close(resolve)));

  it('reads the named revision with the account credentials', async () => {
    const activities = createFlowRevisionActivities({ baseUrl, accountSid: 'AC00000000000000000000000000000000', authToken: 'token' });
    expect(await activities.fetchFlowRevision({ flowSid: FLOW_SID, revision: 'LatestPublished' })).toEqual({ revision: 3, valid: true, definition: DEFINITION });
    expect(seen.at(-1)).toEqual({
      path: `/v2/Flows/${FLOW_SID}/Revisions/LatestPublished`,
      authorization: 'Basic ' + Buffer.from('AC00000000000000000000000000000000:token').toString('base64'),
    });
  });

  it('makes a 4xx final and a 5xx retryable, keeping the Twilio error code', async () => {
    const missing = await createFlowRevisionActivities({ baseUrl, accountSid: 'AC1', authToken: 't' })
      .fetchFlowRevision({ flowSid: FLOW_SID, revision: 9 })
      .catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(ApplicationFailure);
    expect(missing).toMatchObject({ nonRetryable: true, details: [{ status: 404, code: 20404 }] });
    const unavailable = await createFlowRevisionActivities({ baseUrl, accountSid: 'AC1', authToken: 't' })
      .fetchFlowRevision({ flowSid: FLOW_SID, revision: 2 })
      .catch((error: unknown) => error);
    expect(unavailable).toMatchObject({ nonRetryable: false, details: [{ status: 503 }] });
  });

  it('fails for good on a worker given no Studio API', async () => {
    await expect(createFlowRevisionActivities(undefined).fetchFlowRevision({ flowSid: FLOW_SID, revision: 'LatestPublished' })).rejects.toMatchObject({ nonRetryable: true });
  });
});
