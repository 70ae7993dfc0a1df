// What the benchmark's flows say, in one place: the flow definitions (bench/flows.ts) write it as
// Liquid, the hand-written workflows (bench/hand-written-workflows.ts) as plain TypeScript, and the
// benchmark checks that both put the same words on the device. Pure: it is bundled into the sandbox.

/** What a hand-written workflow needs to know (a flow execution carries its whole definition instead). */
export interface HandWrittenInput {
  executionSid: string;
  flowSid: string;
  /** The contact's address (the REST trigger's `To`). */
  contact: string;
  /** The Twilio-side address (the REST trigger's `From`). */
  channel: string;
  /** The `name` parameter of the REST trigger. */
  name: string;
}

export const SEND_ONLY_TEMPLATES = [
  'Hello {{flow.data.name}}, your order has shipped.',
  'It should arrive within {{flow.data.days}} days.',
  'Reply to this number if you need anything, {{flow.data.name}}.',
];

export function sendOnlyBodies(name: string, days = 3): string[] {
  return [`Hello ${name}, your order has shipped.`, `It should arrive within ${days} days.`, `Reply to this number if you need anything, ${name}.`];
}

/** The three Send & Wait For Reply widgets of the survey, in order. */
export const SURVEY_QUESTION_WIDGETS = ['q1', 'q2', 'q3'] as const;

export const SURVEY_TEMPLATES = {
  questions: [
    'How was your visit, {{flow.data.name}}?',
    'You said "{{widgets.q1.inbound.Body}}". Would you come back?',
    'Would you recommend us to a friend? (yes/no)',
  ],
  recommendYes: 'Thank you, {{flow.data.name}}! See you soon.',
  recommendNo: 'Thanks for your answers, {{flow.data.name}}.',
  /** The split's `matches_any_of` list. */
  yesWords: 'yes,y',
};

/** What the devices answer to the survey's three questions. */
export const SURVEY_ANSWERS = ['Great', 'Maybe', 'yes'];

export function surveyTexts(name: string) {
  return {
    question(index: number, answers: string[]): string {
      return [`How was your visit, ${name}?`, `You said "${answers[0]}". Would you come back?`, 'Would you recommend us to a friend? (yes/no)'][index];
    },
    final(lastAnswer: string): string {
      const yes = SURVEY_TEMPLATES.yesWords.split(',').includes(lastAnswer.trim().toLowerCase());
      return yes ? `Thank you, ${name}! See you soon.` : `Thanks for your answers, ${name}.`;
    },
  };
}

/** The logic flow: this many pure widgets, alternating set-variables and split-based-on, then one send. */
export const LOGIC_CHAIN_LENGTH = 50;
export const LOGIC_SET_VARIABLES_COUNT = LOGIC_CHAIN_LENGTH / 2;

export const LOGIC_FINAL_TEMPLATE = 'Done: {{flow.variables.count}} steps for {{flow.variables.label}}';

export function logicFinalBody(name: string, count: number): string {
  return `Done: ${count} steps for ${name.toUpperCase()}-${count - 1}`;
}
