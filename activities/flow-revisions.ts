// Run Subflow resolves its child's revision when the widget runs (DESIGN.md decision 1), by asking our
// own Studio API for it as any API client would: GET /v2/Flows/{sid}/Revisions/{LatestPublished|n}.
// A 4xx (no such flow, nothing published) is final and becomes the widget's `failed`; anything else
// is retried by Temporal (errors.ts).
import type { FlowDefinition } from '../workflows/engine/types';
import { ApplicationFailure } from '@temporalio/activity';
import { classifyTwilioError } from './errors';

const REQUEST_TIMEOUT_MS = 10_000;

export interface StudioApiDependencies {
  /** Where the Studio API answers (the worker's PUBLIC_URL). */
  baseUrl: string;
  accountSid: string;
  authToken: string;
}

export interface FetchFlowRevisionInput {
  flowSid: string;
  revision: 'LatestPublished' | 'LatestRevision' | number;
}

export interface FetchedFlowRevision {
  revision: number;
  valid: boolean;
  definition: FlowDefinition;
}

interface RevisionJson {
  revision?: unknown;
  valid?: unknown;
  definition?: unknown;
  code?: unknown;
  message?: unknown;
}

export function createFlowRevisionActivities(studioApi: StudioApiDependencies | undefined) {
  return {
    async fetchFlowRevision(input: FetchFlowRevisionInput): Promise<FetchedFlowRevision> {
      if (!studioApi) throw ApplicationFailure.nonRetryable('This worker was given no Studio API to read subflows from');
      const { baseUrl, accountSid, authToken } = studioApi;
      const authorization = 'Basic ' + Buffer.from(`${accountSid}:${authToken}`).toString('base64');
      const url = `${baseUrl.replace(/\/+$/, '')}/v2/Flows/${encodeURIComponent(input.flowSid)}/Revisions/${encodeURIComponent(String(input.revision))}`;
      const response = await fetch(url, { headers: { authorization, accept: 'application/json' }, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      const json = (await response.json().catch(() => ({}))) as RevisionJson;
      if (!response.ok) {
        classifyTwilioError({
          status: response.status,
          code: typeof json.code === 'number' ? json.code : 0,
          message: typeof json.message === 'string' ? json.message : `GET ${url} answered ${response.status}`,
        });
      }
      if (typeof json.revision !== 'number' || typeof json.definition !== 'object' || json.definition === null) {
        classifyTwilioError({ status: 500, code: 0, message: `GET ${url} answered without a revision and its definition` });
      }
      return { revision: json.revision, valid: json.valid !== false, definition: json.definition as FlowDefinition };
    },
  };
}
