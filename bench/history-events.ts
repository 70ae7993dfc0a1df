// Reading a finished execution's history: how many events, of which kinds, and the workflow's
// commands as comparable lines (activity with its options and summary, timer, upsert, signal), with
// SIDs and contact digits masked so two executions of the same flow compare equal.
import type { WorkflowHandle } from '@temporalio/client';

export type History = Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;
type HistoryEvent = NonNullable<History['events']>[number];

export interface HistoryCount {
  total: number;
  /** The serialized size of the history (input, results and all). */
  bytes: number;
  byType: Record<string, number>;
  commands: string[];
}

/** The attributes field that says what an event is: `activityTaskScheduledEventAttributes` → `ActivityTaskScheduled`. */
function eventType(event: HistoryEvent): string {
  for (const key in event) {
    if (key.endsWith('EventAttributes') && (event as Record<string, unknown>)[key]) {
      const name = key.slice(0, -'EventAttributes'.length);
      return name[0].toUpperCase() + name.slice(1);
    }
  }
  return 'Unknown';
}

function decodePayload(payload: { data?: Uint8Array | null } | null | undefined): unknown {
  if (!payload?.data || payload.data.length === 0) return null;
  const text = Buffer.from(payload.data).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function seconds(duration: { seconds?: unknown; nanos?: number | null } | null | undefined): string {
  if (!duration) return '-';
  return `${Number(duration.seconds ?? 0) + (duration.nanos ?? 0) / 1e9}s`;
}

/** SIDs (two letters and 32 hex digits) and the last digits of masked contacts differ between executions. */
export function masked(text: string): string {
  return text.replace(/\b[A-Z]{2}[0-9a-f]{32}\b/g, 'SID').replace(/\+…\d{4}/g, '+…NNNN');
}

function commandLine(event: HistoryEvent): string | null {
  const scheduled = event.activityTaskScheduledEventAttributes;
  if (scheduled) {
    const retry = scheduled.retryPolicy;
    const summary = decodePayload(event.userMetadata?.summary);
    return masked(
      `activity ${scheduled.activityType?.name} startToClose=${seconds(scheduled.startToCloseTimeout)} ` +
        `retry=${seconds(retry?.initialInterval)}x${retry?.backoffCoefficient}..${seconds(retry?.maximumInterval)}/${retry?.maximumAttempts} ` +
        `summary=${JSON.stringify(summary)}`,
    );
  }
  const timer = event.timerStartedEventAttributes;
  if (timer) return `timer ${seconds(timer.startToFireTimeout)}`;
  if (event.timerCanceledEventAttributes) return 'timer canceled';
  if (event.timerFiredEventAttributes) return 'timer fired';
  const upsert = event.upsertWorkflowSearchAttributesEventAttributes;
  if (upsert) {
    const fields = upsert.searchAttributes?.indexedFields ?? {};
    const entries = Object.keys(fields)
      .sort()
      .map((key) => `${key}=${JSON.stringify(decodePayload(fields[key]))}`);
    return `upsert ${entries.join(' ')}`;
  }
  const signaled = event.workflowExecutionSignaledEventAttributes;
  if (signaled) return `signal ${signaled.signalName}`;
  const marker = event.markerRecordedEventAttributes;
  if (marker) return `marker ${marker.markerName}`;
  if (event.workflowPropertiesModifiedEventAttributes) return 'properties modified';
  if (event.workflowExecutionContinuedAsNewEventAttributes) return 'continued as new';
  if (event.startChildWorkflowExecutionInitiatedEventAttributes) return 'child workflow';
  return null;
}

export async function fetchAndCount(handle: WorkflowHandle): Promise<{ history: History; count: HistoryCount }> {
  const history = await handle.fetchHistory();
  return { history, count: countHistory(history) };
}

export function countHistory(history: History): HistoryCount {
  const events = history.events ?? [];
  const byType: Record<string, number> = {};
  const commands: string[] = [];
  for (const event of events) {
    const type = eventType(event);
    byType[type] = (byType[type] ?? 0) + 1;
    const line = commandLine(event);
    if (line) commands.push(line);
  }
  return { total: events.length, bytes: JSON.stringify(history).length, byType, commands };
}

/** The first line where two command lists part, or null when they are the same. */
export function firstDifference(a: string[], b: string[]): { index: number; a: string | null; b: string | null } | null {
  for (let index = 0; index < Math.max(a.length, b.length); index++) {
    if (a[index] !== b[index]) return { index, a: a[index] ?? null, b: b[index] ?? null };
  }
  return null;
}
