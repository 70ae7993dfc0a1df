// run-subflow: runs another flow inside this execution (docs/studio-reference.md §2.6, DESIGN.md
// decisions 1 and 6). The child's revision is resolved now, from the Studio API; the child starts at
// its trigger's `incomingParent` transition and sees `parameters` as trigger.parent.parameters.<key>
// beside a copy of the parent's trigger data. Its steps are the execution's steps (parent_step_sid =
// this widget's step) and count toward its limits: a limit reached in the child ends the execution.
// Events: `completed` (the child reached its end), `failed` (81024: run from inside a subflow — one
// nesting level —, a flow or revision that does not exist or is not valid).
// Writes widgets.<name>.<key> for every variable the child's Set Variables widgets set; nothing on `failed`.
//
// Decisions: `flow_revision` is `LatestPublished`, a revision number, or `LatestRevision` (our API's
// spelling: the newest revision, draft or not). `LatestDraft` is Studio's option that gives the draft
// to test users of the parent only; test users are not modelled, so it runs the latest published
// revision, as Studio does for everyone else. Parameter values are the rendered strings.
import type { FlowRevisionRequest } from '../engine/effects';
import type { JsonObject } from '../engine/types';
import type { WidgetDefinition, WidgetOutcome } from '../engine/widget';
import { renderedPairs } from './properties';

const FLOW_SID = /^FW[0-9a-fA-F]{32}$/;
const SUBFLOW_ERROR = '81024';

function failed(message: string): WidgetOutcome {
  return { event: 'failed', output: {}, warnings: [{ code: SUBFLOW_ERROR, message }] };
}

/** The revision to ask the API for, or null when the property names none. */
function revisionSelector(value: unknown): FlowRevisionRequest['revision'] | null {
  if (value === undefined || value === null || value === '' || value === 'LatestPublished' || value === 'LatestDraft') return 'LatestPublished';
  if (value === 'LatestRevision') return 'LatestRevision';
  const number = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  return Number.isSafeInteger(number) && number > 0 ? number : null;
}

export const runSubflowWidget: WidgetDefinition = {
  type: 'run-subflow',
  events: ['completed', 'failed'],
  async run({ state, render, context, stepSid }, effects): Promise<WidgetOutcome> {
    const properties = state.properties ?? {};
    if (context.trigger.parent !== undefined) return failed('A subflow cannot run another subflow (Studio allows one nesting level)');
    const flowSid = properties.flow_sid;
    // Studio resolves the subflow when the flow is saved: the SID is never Liquid.
    if (typeof flowSid !== 'string' || !FLOW_SID.test(flowSid)) return failed(`flow_sid must be a flow SID (FW…), not ${JSON.stringify(flowSid)}`);
    const revision = revisionSelector(properties.flow_revision);
    if (revision === null) return failed(`flow_revision must be LatestPublished, LatestRevision or a revision number, not ${JSON.stringify(properties.flow_revision)}`);

    const parameters: JsonObject = {};
    for (const { key, value } of renderedPairs(render, properties.parameters)) parameters[key] = value;

    const fetched = await effects.fetchFlowRevision({ widgetName: state.name, flowSid, revision });
    if (!fetched.ok) return failed(`Could not read revision ${revision} of flow ${flowSid}: ${fetched.error.message}`);
    if (!fetched.valid) return failed(`Revision ${fetched.revision} of flow ${flowSid} is not a valid flow definition`);

    const outcome = await effects.runSubflow({
      widgetName: state.name,
      parentStepSid: stepSid,
      flowSid,
      revision: fetched.revision,
      definition: fetched.definition,
      parameters,
    });
    if (!outcome.ok) return failed(outcome.error.message);
    // A copy: the child's own variables object stays the child's.
    return { event: 'completed', output: JSON.parse(JSON.stringify(outcome.variables)) as JsonObject };
  },
};
