// A plain fake of the effects port for widget and interpreter unit tests: scripted outcomes, and a
// record of every call, in milliseconds and without Temporal.
import type { Effects } from '../../workflows/engine/effects';

export interface ScriptedEffects {
  sendMessage?: unknown[];
  waitForReply?: unknown[];
  startConversation?: unknown[];
  httpRequest?: unknown[];
  createFlexInteraction?: unknown[];
  fetchFlowRevision?: unknown[];
  /** Only widget fixtures script it: an Interpreter runs subflows itself. */
  runSubflow?: unknown[];
}

export interface EffectCall {
  method: string;
  request: unknown;
}

export function fakeEffects(script: ScriptedEffects = {}, options: { triggerType?: string; handedOff?: boolean } = {}): { effects: Effects; calls: EffectCall[] } {
  const calls: EffectCall[] = [];
  const queues = Object.fromEntries(Object.entries(script).map(([method, outcomes]) => [method, [...(outcomes ?? [])]])) as Record<string, unknown[]>;
  const next = (method: string, request: unknown) => {
    calls.push({ method, request });
    const queue = queues[method];
    if (!queue || queue.length === 0) throw new Error(`The fake effects have no scripted outcome left for ${method}`);
    return Promise.resolve(queue.shift());
  };
  const effects = {
    sendMessage: (request) => next('sendMessage', request),
    waitForReply: (request) => next('waitForReply', request),
    startConversation: (request) => next('startConversation', request),
    httpRequest: (request) => next('httpRequest', request),
    createFlexInteraction: (request) => next('createFlexInteraction', request),
    fetchFlowRevision: (request) => next('fetchFlowRevision', request),
    runSubflow: (request) => next('runSubflow', request),
    triggerType: () => options.triggerType ?? 'incomingRequest',
    isHandedOff: () => options.handedOff ?? false,
  } as Effects;
  return { effects, calls };
}
