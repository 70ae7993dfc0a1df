// The corpus through the API (issue 3.3): every accepted real flow deploys with POST /v2/Flows — the
// definition text exactly as published, sent by the real twilio client — and its revision reads back
// equal to what was sent; every refused flow gets 81022 naming its problem, and nothing is stored.
// The flows are other people's data: read from ../shared at run time, skipped without it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createTwilioClient, type TwilioClient } from '../../activities/twilio-client';
import { DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN } from '../../common/config';
import { startApiServer, type ApiServer } from '../support/api-server';
import { SHARED_DIR } from '../support/paths';

const CORPUS = path.join(SHARED_DIR, 'studio-flows');
const corpusPresent = fs.existsSync(path.join(CORPUS, 'accepted', 'MANIFEST.tsv'));
if (!corpusPresent) console.warn(`skipping the corpus deployment tests: ${CORPUS} is not here (a fresh clone has no ../shared)`);
const describeCorpus = corpusPresent ? describe : describe.skip;

function manifest(folder: string): Record<string, string>[] {
  if (!corpusPresent) return [];
  const [header, ...lines] = fs.readFileSync(path.join(CORPUS, folder, 'MANIFEST.tsv'), 'utf8').split('\n').filter((line) => line.trim() !== '');
  const columns = header.split('\t');
  return lines.map((line) => Object.fromEntries(line.split('\t').map((cell, index) => [columns[index], cell])));
}

/** Postable as Twilio's client posts it: a form with Definition as the JSON text. */
async function postFlow(apiUrl: string, definitionText: string) {
  const response = await fetch(`${apiUrl}/v2/Flows`, {
    method: 'POST',
    headers: {
      authorization: 'Basic ' + Buffer.from(`${DEFAULT_ACCOUNT_SID}:${DEFAULT_AUTH_TOKEN}`).toString('base64'),
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ FriendlyName: 'corpus', Status: 'published', Definition: definitionText }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describeCorpus('the corpus deployed through the Flows API', () => {
  let api: ApiServer;
  let apiUrl: string;
  let client: TwilioClient;

  beforeAll(async () => {
    api = await startApiServer('studio-corpus-deploy-');
    ({ apiUrl } = api);
    client = createTwilioClient(DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN, apiUrl);
  });
  afterAll(async () => api?.stop());

  it.each(manifest('accepted').map((row) => [row.file] as const))('deploys %s and reads it back equal', async (file) => {
    const text = fs.readFileSync(path.join(CORPUS, 'accepted', file), 'utf8');
    const sent = JSON.parse(text) as unknown;
    // The real client, exactly as a Studio user deploys: it serializes the definition object.
    const flow = await client.studio.v2.flows.create({ friendlyName: file.slice(0, 64), status: 'published', definition: sent as object });
    expect(flow.valid).toBe(true);
    expect(flow.errors).toEqual([]);
    for (const warning of flow.warnings as { message: string }[]) expect(warning.message).toMatch(/voice-only|not supported|string expected/);
    const revision = await client.studio.v2.flows(flow.sid).revisions('1').fetch();
    expect(revision.definition).toEqual(sent);
    expect((await client.studio.v2.flows(flow.sid).fetch()).definition).toEqual(sent);
  });

  it.each(manifest('refused').map((row) => [row.file, row.expected] as const))('refuses %s (%s)', async (file, expected) => {
    const before = (await client.studio.v2.flows.list()).length;
    const response = await postFlow(apiUrl, fs.readFileSync(path.join(CORPUS, 'refused', file), 'utf8'));
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 81022, status: 400 });
    const messages = ((response.body.details as { errors: { message: string }[] }).errors ?? []).map((error) => error.message).join('\n');
    const missingState = /does not exist: (\S+)$/.exec(expected)?.[1];
    if (missingState) expect(messages).toContain(missingState);
    else expect(messages).toMatch(/pre-2019/i);
    expect((await client.studio.v2.flows.list()).length).toBe(before);
  });
});
