// Route serializers: the only place where the store's camelCase records become Twilio's snake_case JSON.
import type { ExecutionRecord } from './store/execution-store';
import type { FlowRecord, FlowRevisionRecord } from './store/flow-store';

/** Twilio's v2 date format: ISO 8601 in UTC without milliseconds. */
export function twilioDate(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The fields a Flow and a Flow Revision share, in Twilio's order; a list leaves the definition and its checks out (null). */
function revisionFields(revision: FlowRevisionRecord, withDefinition: boolean) {
  return {
    sid: revision.flowSid,
    account_sid: revision.accountSid,
    friendly_name: revision.friendlyName,
    definition: withDefinition ? (JSON.parse(revision.definition) as unknown) : null,
    status: revision.status,
    revision: revision.revision,
    commit_message: revision.commitMessage,
    valid: withDefinition ? revision.valid : null,
    errors: withDefinition ? revision.errors : null,
  };
}

export function flowJson(flow: FlowRecord, base: string, webhookUrl: string, withDefinition = true) {
  const url = `${base}/v2/Flows/${flow.flowSid}`;
  return {
    ...revisionFields(flow, withDefinition),
    warnings: withDefinition ? flow.warnings : null,
    date_created: twilioDate(flow.dateCreated),
    date_updated: twilioDate(flow.dateUpdated),
    webhook_url: webhookUrl,
    url,
    links: { test_users: `${url}/TestUsers`, revisions: `${url}/Revisions`, executions: `${url}/Executions` },
  };
}

export function revisionJson(revision: FlowRevisionRecord, base: string, withDefinition = true) {
  return {
    ...revisionFields(revision, withDefinition),
    date_created: twilioDate(revision.dateCreated),
    date_updated: twilioDate(revision.dateUpdated),
    url: `${base}/v2/Flows/${revision.flowSid}/Revisions/${revision.revision}`,
  };
}

export function executionJson(execution: ExecutionRecord, base: string, context: Record<string, unknown> = {}) {
  const url = `${base}/v2/Flows/${execution.flowSid}/Executions/${execution.sid}`;
  return {
    sid: execution.sid,
    account_sid: execution.accountSid,
    flow_sid: execution.flowSid,
    contact_sid: null,
    contact_channel_address: execution.contactChannelAddress,
    context,
    status: execution.active ? 'active' : 'ended',
    flow_version: execution.flowVersion,
    initiated_by: execution.initiatedBy,
    date_created: twilioDate(execution.dateCreated),
    date_updated: twilioDate(execution.dateUpdated),
    url,
    links: { steps: `${url}/Steps`, execution_context: `${url}/Context` },
  };
}

/** Twilio's list envelope, with absolute page URLs the twilio client follows as they are. */
export function pageJson<T>(key: string, items: T[], listUrl: string, page: number, pageSize: number, hasMore: boolean, extraQuery = '') {
  const pageUrl = (n: number) => `${listUrl}?PageSize=${pageSize}&Page=${n}${extraQuery}`;
  return {
    [key]: items,
    meta: {
      page,
      page_size: pageSize,
      first_page_url: pageUrl(0),
      previous_page_url: page > 0 ? pageUrl(page - 1) : null,
      url: pageUrl(page),
      next_page_url: hasMore ? pageUrl(page + 1) : null,
      key,
    },
  };
}
