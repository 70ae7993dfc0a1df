// Studio's Liquid (DESIGN.md decision 5): lax variables, 81018 on errors, Pacific time, limits,
// to_json, hyphenated widget names, no DOM.
import {
  createTemplateEngine,
  LIQUID_OUTPUT_LIMIT_BYTES,
  renderPropertyText,
  renderPropertyValue,
} from '../../workflows/engine/liquid';
import type { TemplateEngine } from '../../workflows/engine/liquid';
import type { ExecutionContext } from '../../workflows/engine/types';

function makeContext(overrides: Partial<ExecutionContext> = {}): ExecutionContext {
  return {
    flow: {
      flow_sid: 'FW00000000000000000000000000000001',
      sid: 'FN00000000000000000000000000000001',
      channel: { address: '+15550000000' },
      data: { name: 'Ann', items: ['a', 'b', 'c'], nested: { x: [1, 2] } },
      variables: { count: 2 },
    },
    contact: { channel: { address: '+15551234567' } },
    trigger: { message: { Body: ' Yes ', From: '+15551234567' } },
    widgets: {
      'check-support': { parsed: { x: 5, available: true } },
      http_1: { parsed: { list: Array.from({ length: 20 }, (_, index) => index + 1) } },
      'a-1': { value: 'A1' },
    },
    ...overrides,
  };
}

describe('Liquid', () => {
  let engine: TemplateEngine;
  const context = makeContext();
  const render = (template: string, on: ExecutionContext = context) => engine.render(template, on);

  beforeEach(() => {
    engine = createTemplateEngine();
  });

  describe('lax variables', () => {
    test.each([
      ['Hello {{flow.data.name}}', 'Hello Ann'],
      ['[{{flow.data.missing}}]', '[]'],
      ['[{{widgets.nope.parsed.deeper.still}}]', '[]'],
      ['{% if flow.data.missing %}T{% else %}F{% endif %}', 'F'],
      ['{% if flow.variables.count %}{{flow.variables.count | plus: 1}}{% else %}1{% endif %}', '3'],
      ['{{trigger.message.Body | strip | downcase}}', 'yes'],
      ['{{flow.data.items[1]}}', 'b'],
      ['[{{flow.data.items[9]}}]', '[]'],
      ['{{flow.data.items | size}}', '3'],
      ['{{ "a,b" | split: "," | join: "-" }}', 'a-b'],
      ['{{ flow.data.missing | default: "none" }}', 'none'],
    ])('%s → %s', (template, expected) => {
      expect(render(template)).toEqual({ output: expected });
    });

    test('the counter idiom starts at 1 when the variable is undefined', () => {
      const fresh = makeContext();
      fresh.flow.variables = {};
      expect(render('{% if flow.variables.count %}{{flow.variables.count | plus: 1}}{% else %}1{% endif %}', fresh).output).toBe('1');
    });
  });

  describe('hyphenated widget names (decision 13)', () => {
    test.each([
      ['{{widgets.check-support.parsed.x}}', '5'],
      ['{{widgets["check-support"].parsed.x}}', '5'],
      ['{{widgets.a-1.value}}', 'A1'],
      ['{% if widgets.check-support.parsed.available %}open{% endif %}', 'open'],
      ['{% assign n = widgets.check-support.parsed.x %}{{ n | minus: 1 }}', '4'],
      ['{{widgets.check-support.parsed | to_json}}', '{"x":5,"available":true}'],
    ])('%s → %s', (template, expected) => {
      expect(render(template)).toEqual({ output: expected });
    });

    test('a spaced minus is not subtraction (Liquid has only the minus filter) and is not an error', () => {
      expect(render('{{ flow.variables.count | minus: 1 }}').output).toBe('1');
    });
  });

  describe('errors render empty with warning 81018', () => {
    test.each([
      ['{{ flow.data.name', 'not closed'],
      ['{% if %}x{% endif %}', ''],
      ['{{ 1 + 2 }}', ''],
      ['{% assign = 3 %}', ''],
      ['{{ flow.data.name | no_such_filter }}', 'no_such_filter'],
      ['{% no_such_tag %}', 'no_such_tag'],
      ['{% for x in flow.data.items %}{{x}}', 'not closed'],
    ])('%s', (template, mentions) => {
      const result = render(template);
      expect(result.output).toBe('');
      expect(result.warning?.code).toBe('81018');
      expect(result.warning?.message).toMatch(/^Template evaluation error: /);
      expect(result.warning?.message).toContain(mentions);
      expect(result.limitExceeded).toBeUndefined();
    });

    test('a cached parse error is reported again on every render', () => {
      const first = render('{{ x | nope }}');
      const second = render('{{ x | nope }}');
      expect(second).toEqual(first);
      expect(second.warning?.code).toBe('81018');
    });

    test('include, render and layout never touch a file system or the DOM', () => {
      for (const template of ['{% include "greeting" %}', '{% render "greeting" %}', '{% layout "base" %}x']) {
        const result = render(template);
        expect(result.output).toBe('');
        expect(result.warning?.message).toMatch(/^Template evaluation error: .*(greeting|base)/);
      }
    });
  });

  describe('dates are Pacific time and en-US, whatever the host', () => {
    test.each([
      ['{{ "2024-03-10T09:30:00Z" | date: "%Y-%m-%d %H:%M %z" }}', '2024-03-10 01:30 -0800'], // before the DST switch
      ['{{ "2024-03-10T15:30:00Z" | date: "%Y-%m-%d %H:%M %z" }}', '2024-03-10 08:30 -0700'], // after it
      ['{{ "2024-07-04T19:00:00Z" | date: "%A %B %-d, %H:%M" }}', 'Thursday July 4, 12:00'],
      ['{{ 1704067200 | date: "%Y-%m-%d %H:%M" }}', '2023-12-31 16:00'],
      ['{{ "2024-07-04T19:00:00Z" | date: "%H:%M", "America/New_York" }}', '15:00'],
    ])('%s → %s', (template, expected) => {
      expect(render(template)).toEqual({ output: expected });
    });

    test('the time zone is configurable', () => {
      const utc = createTemplateEngine({ timezone: 'UTC' });
      expect(utc.render('{{ "2024-03-10T15:30:00Z" | date: "%H:%M %z" }}', context).output).toBe('15:30 +0000');
    });

    test('an unknown time zone is refused when the engine is created', () => {
      expect(() => createTemplateEngine({ timezone: 'Mars/Olympus_Mons' })).toThrow(RangeError);
    });

    test('"now" is the (sandbox-frozen) Date', () => {
      jest.useFakeTimers({ now: new Date('2024-01-15T20:00:00Z') });
      try {
        expect(render('{{ "now" | date: "%Y-%m-%d %H:%M" }}').output).toBe('2024-01-15 12:00');
      } finally {
        jest.useRealTimers();
      }
    });
  });

  describe('to_json', () => {
    test.each([
      ['{{ flow.data.nested | to_json }}', '{"x":[1,2]}'],
      ['{{ flow.data.name | to_json }}', '"Ann"'],
      ['{{ flow.variables.count | to_json }}', '2'],
      ['{{ flow.data.missing | to_json }}', 'null'],
      ['{"items": {{ flow.data.items | to_json }}}', '{"items": ["a","b","c"]}'],
    ])('%s → %s', (template, expected) => {
      expect(render(template)).toEqual({ output: expected });
    });
  });

  describe('loops are limited to 15 iterations', () => {
    test('15 iterations render', () => {
      expect(render('{% for i in (1..15) %}{{i}},{% endfor %}').output).toBe('1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,');
    });

    test('a 16th iteration makes the field empty with 81018 and limitExceeded', () => {
      const result = render('{% for n in widgets.http_1.parsed.list %}{{n}}{% endfor %}');
      expect(result.output).toBe('');
      expect(result.warning?.code).toBe('81018');
      expect(result.warning?.message).toContain('15 iterations');
      expect(result.limitExceeded).toBe('loopIterations');
    });

    test('limit:, offset: and break keep a long collection within the limit', () => {
      expect(render('{% for n in widgets.http_1.parsed.list limit: 15 %}{{n}} {% endfor %}').warning).toBeUndefined();
      expect(render('{% for n in widgets.http_1.parsed.list offset: 10 %}{{n}} {% endfor %}').warning).toBeUndefined();
      expect(render('{% for n in widgets.http_1.parsed.list %}{% if forloop.index > 3 %}{% break %}{% endif %}{{n}}{% endfor %}').output).toBe('123');
    });

    test('the limit is per loop: nested loops of 15 × 15 are fine', () => {
      const result = render('{% for i in (1..15) %}{% for j in (1..15) %}.{% endfor %}{% endfor %}');
      expect(result.warning).toBeUndefined();
      expect(result.output).toHaveLength(225);
    });

    test('an inner loop over the limit fails the whole field', () => {
      expect(render('{% for i in (1..2) %}{% for j in (1..16) %}.{% endfor %}{% endfor %}').limitExceeded).toBe('loopIterations');
    });

    test('tablerow and the liquid tag are limited too', () => {
      expect(render('{% tablerow n in widgets.http_1.parsed.list %}{{n}}{% endtablerow %}').limitExceeded).toBe('loopIterations');
      expect(render('{% liquid\nfor n in widgets.http_1.parsed.list\necho n\nendfor %}').limitExceeded).toBe('loopIterations');
    });

    test('an empty collection takes the else branch', () => {
      expect(render('{% for n in flow.data.missing %}{{n}}{% else %}none{% endfor %}').output).toBe('none');
    });

    test('a huge range is refused by the memory limit before it is built', () => {
      const result = render('{% for i in (1..1000000000) %}{{i}}{% endfor %}');
      expect(result.output).toBe('');
      expect(result.warning?.code).toBe('81018');
    });
  });

  describe('output is limited to 16 KB of UTF-8', () => {
    const big = (length: number) => makeContext({ widgets: { w: { text: 'x'.repeat(length), euro: '€'.repeat(length) } } });

    test('exactly 16384 bytes render', () => {
      expect(render('{{widgets.w.text}}', big(LIQUID_OUTPUT_LIMIT_BYTES)).output).toHaveLength(LIQUID_OUTPUT_LIMIT_BYTES);
    });

    test('one byte more renders empty with 81018 and limitExceeded', () => {
      const result = render('{{widgets.w.text}}!', big(LIQUID_OUTPUT_LIMIT_BYTES));
      expect(result.output).toBe('');
      expect(result.warning?.code).toBe('81018');
      expect(result.warning?.message).toContain('16385 bytes');
      expect(result.limitExceeded).toBe('outputSize');
    });

    test('bytes, not characters: 5,462 euro signs are 16,386 bytes', () => {
      expect(render('{{widgets.w.euro}}', big(5461)).output).toHaveLength(5461);
      expect(render('{{widgets.w.euro}}', big(5462)).limitExceeded).toBe('outputSize');
    });

    test('astral characters count 4 bytes', () => {
      const emoji = makeContext({ widgets: { w: { text: '😀'.repeat(4096) } } });
      expect(render('{{widgets.w.text}}', emoji).warning).toBeUndefined();
      expect(render('{{widgets.w.text}}.', emoji).limitExceeded).toBe('outputSize');
    });

    test('text without Liquid is subject to the limit too', () => {
      expect(render('y'.repeat(LIQUID_OUTPUT_LIMIT_BYTES + 1)).limitExceeded).toBe('outputSize');
    });
  });

  describe('fast path and caching', () => {
    test('text without {{ or {% comes back as it is, even with stray braces', () => {
      for (const text of ['', 'plain', 'a } b %} c }}', '{ "json": true }', '{%x', '{{']) {
        const result = render(text);
        if (text.includes('{{') || text.includes('{%')) expect(result.warning?.code).toBe('81018');
        else expect(result).toEqual({ output: text });
      }
    });

    test('the same template renders against different contexts (parse cache)', () => {
      const template = 'Hi {{flow.data.name}}';
      const other = makeContext();
      other.flow.data = { name: 'Bob' };
      expect(render(template).output).toBe('Hi Ann');
      expect(render(template, other).output).toBe('Hi Bob');
      expect(render(template).output).toBe('Hi Ann');
    });

    test('the cache stays correct past its bound', () => {
      for (let index = 0; index < 1200; index++) {
        expect(render(`{{ ${index} | plus: 1 }}`).output).toBe(String(index + 1));
      }
      expect(render('{{ 0 | plus: 1 }}').output).toBe('1');
    });
  });

  describe('the execution context is never changed by a template', () => {
    test('increment, decrement and assign stay inside the render', () => {
      const target = makeContext();
      const before = JSON.stringify(target);
      expect(render('{% increment flow %}{% decrement widgets %}{% assign flow = 1 %}{{flow}}', target).warning).toBeUndefined();
      expect(JSON.stringify(target)).toBe(before);
      expect(render('{{flow.data.name}}', target).output).toBe('Ann');
    });
  });

  describe('property helpers', () => {
    test('renderPropertyValue renders strings and keeps other JSON as it is', () => {
      expect(renderPropertyValue(engine, '{{flow.data.name}}', context)).toEqual({ value: 'Ann' });
      expect(renderPropertyValue(engine, 3600, context)).toEqual({ value: 3600 });
      expect(renderPropertyValue(engine, { a: '{{x}}' }, context)).toEqual({ value: { a: '{{x}}' } });
      expect(renderPropertyValue(engine, '{{ x | nope }}', context).warning?.code).toBe('81018');
    });

    test('renderPropertyText gives text for any JSON', () => {
      expect(renderPropertyText(engine, '{{flow.data.name}}', context)).toEqual({ output: 'Ann' });
      expect(renderPropertyText(engine, 3600, context)).toEqual({ output: '3600' });
      expect(renderPropertyText(engine, false, context)).toEqual({ output: 'false' });
      expect(renderPropertyText(engine, null, context)).toEqual({ output: '' });
      expect(renderPropertyText(engine, undefined, context)).toEqual({ output: '' });
      expect(renderPropertyText(engine, { a: [1] }, context)).toEqual({ output: '{"a":[1]}' });
    });

    test('engine.render tolerates a non-string template from raw JSON', () => {
      expect(engine.render(42 as unknown as string, context)).toEqual({ output: '42' });
    });
  });

  describe("liquidjs's browser build (the one bundled into the workflow sandbox)", () => {
    test('behaves the same and never reaches for the DOM', () => {
      jest.isolateModules(() => {
        jest.doMock('liquidjs', () => jest.requireActual('liquidjs/dist/liquid.browser.umd.js'));
        const browser = require('../../workflows/engine/liquid') as typeof import('../../workflows/engine/liquid');
        // Proof that the mock took: the browser build's default file system is the DOM.
        const { Liquid } = require('liquidjs') as typeof import('liquidjs');
        expect(() => new Liquid().parseAndRenderSync('{% include "greeting" %}')).toThrow('document is not defined');
        const browserEngine = browser.createTemplateEngine();
        expect(browserEngine.render('{{widgets.check-support.parsed.x}} {{ "2024-03-10T15:30:00Z" | date: "%H:%M %z" }}', context)).toEqual({
          output: '5 08:30 -0700',
        });
        const include = browserEngine.render('{% include "greeting" %}', context);
        expect(include.output).toBe('');
        expect(include.warning?.message).not.toContain('document is not defined');
        expect(browserEngine.render('{% for i in (1..16) %}{% endfor %}', context).limitExceeded).toBe('loopIterations');
      });
    });
  });
});
