// Operator table for Split Based On's 17 condition types (DESIGN.md decision 4). Every type has
// positive and negative cases; Studio's documented examples are marked "Studio doc".
import { CONDITION_TYPES, evaluateCondition } from '../../workflows/engine/split-conditions';

interface ConditionCase {
  tested: string;
  value: unknown;
  isMatch: boolean;
  why?: string;
}

interface ConditionRule {
  rule: string;
  cases: ConditionCase[];
}

const TABLE: ConditionRule[] = [
  {
    rule: 'equal_to',
    cases: [
      { tested: 'yes', value: 'yes', isMatch: true },
      { tested: '  YES ', value: 'yes', isMatch: true, why: 'trim + case-insensitive' },
      { tested: 'yes', value: ' Yes ', isMatch: true, why: 'the value is trimmed too' },
      { tested: 'yes', value: 'yeah', isMatch: false },
      { tested: '', value: '', isMatch: true },
      { tested: '42', value: 42, isMatch: true, why: 'a JSON number value compares as its text' },
      { tested: '42.0', value: '42', isMatch: false, why: 'a string test, not a numeric one' },
    ],
  },
  {
    rule: 'not_equal_to',
    cases: [
      { tested: 'yes', value: 'no', isMatch: true },
      { tested: ' Yes', value: 'YES ', isMatch: false },
      { tested: '', value: 'x', isMatch: true },
    ],
  },
  {
    rule: 'matches_any_of',
    cases: [
      { tested: 'YES', value: 'yes,yeah,yup', isMatch: true, why: 'Studio doc' },
      { tested: 'yup', value: 'yes, yeah , yup', isMatch: true, why: 'items are trimmed' },
      { tested: 'yes', value: 'yes,Yes', isMatch: true, why: 'Studio tutorial' },
      { tested: 'Yes', value: 'yes,Yes', isMatch: true, why: 'Studio tutorial' },
      { tested: 'Yes.', value: 'Yes, Yes.', isMatch: true, why: 'Studio FAQ' },
      { tested: 'no', value: 'yes,Yes', isMatch: false, why: 'Studio tutorial' },
      { tested: 'ye', value: 'yes,yeah', isMatch: false, why: 'whole items only' },
      { tested: '', value: 'yes,,no,', isMatch: false, why: 'empty items are ignored' },
      { tested: '  ', value: ',', isMatch: false, why: 'a list of only empty items matches nothing' },
      { tested: 'no', value: 'yes,,no,', isMatch: true },
    ],
  },
  {
    rule: 'does_not_match_any_of',
    cases: [
      { tested: 'maybe', value: 'yes,yeah,yup', isMatch: true },
      { tested: 'YES', value: 'yes,yeah,yup', isMatch: false },
      { tested: ' yeah ', value: 'yes , yeah', isMatch: false },
      { tested: '', value: 'a,,b', isMatch: true, why: 'empty items are ignored' },
      { tested: 'x', value: '', isMatch: true, why: 'an empty list matches nothing' },
    ],
  },
  {
    rule: 'is_blank',
    cases: [
      { tested: '', value: '', isMatch: true },
      { tested: '   \t\n', value: null, isMatch: true, why: 'only white space' },
      { tested: ' ', value: 'ignored', isMatch: true, why: 'value is ignored' },
      { tested: 'a', value: '', isMatch: false },
      { tested: ' . ', value: undefined, isMatch: false },
    ],
  },
  {
    rule: 'is_not_blank',
    cases: [
      { tested: 'hello', value: '', isMatch: true },
      { tested: '0', value: 'whatever', isMatch: true, why: 'value is ignored' },
      { tested: '', value: 'x', isMatch: false },
      { tested: ' \t ', value: null, isMatch: false },
    ],
  },
  {
    rule: 'regex',
    cases: [
      { tested: '6', value: '[1-5]', isMatch: false, why: 'Studio doc' },
      { tested: '3', value: '[1-5]', isMatch: true },
      { tested: '35', value: '[1-5]', isMatch: false, why: 'must match the whole value' },
      { tested: 'abc123', value: '\\d+', isMatch: false, why: 'no partial matches' },
      { tested: 'HELLO', value: 'hel+o', isMatch: true, why: 'case-insensitive' },
      { tested: ' 42 ', value: '\\d+', isMatch: true, why: 'the tested value is trimmed' },
      { tested: 'ab', value: 'a|ab', isMatch: true, why: 'alternation inside the anchors' },
      { tested: 'xab', value: 'a|ab', isMatch: false },
      { tested: 'STOP', value: '(?i)stop|unsubscribe', isMatch: true, why: 'Java inline flag accepted' },
      { tested: 'cancel', value: '(?i)stop|unsubscribe', isMatch: false },
      { tested: 'a\nb', value: '(?s)a.b', isMatch: true, why: '(?s) is dotAll' },
      { tested: 'a\nb', value: 'a.b', isMatch: false },
      { tested: 'a\nb', value: '(?m)a$', isMatch: false, why: '(?m) cannot make a line match a whole-value match' },
      { tested: 'Yes', value: '(?i)(?s)y.s', isMatch: true, why: 'several flag groups' },
      { tested: 'Yes', value: '(?iu-s)yes', isMatch: true, why: 'Java flag syntax with a minus' },
      { tested: 'anything', value: '[unclosed', isMatch: false, why: 'invalid regex is false' },
      { tested: 'a', value: 'a)|(b', isMatch: false, why: 'cannot break out of the anchoring group' },
      { tested: 'aaa', value: 'a++', isMatch: false, why: 'Java-only syntax is invalid here' },
      { tested: 'a(?i)b', value: 'a(?i)b', isMatch: false, why: 'inline flags mid-pattern are invalid' },
      { tested: '', value: '', isMatch: true, why: 'the empty pattern matches the empty value' },
    ],
  },
  {
    rule: 'contains',
    cases: [
      { tested: 'aab', value: 'aa', isMatch: true, why: 'Studio doc' },
      { tested: 'aab', value: 'A', isMatch: true, why: 'Studio doc' },
      { tested: 'I want PIZZA now', value: ' pizza ', isMatch: true },
      { tested: 'aab', value: 'c', isMatch: false },
      { tested: 'aab', value: 'aba', isMatch: false },
      { tested: 'anything', value: '', isMatch: true, why: 'every string contains the empty string' },
    ],
  },
  {
    rule: 'does_not_contain',
    cases: [
      { tested: 'aab', value: 'c', isMatch: true },
      { tested: 'aab', value: 'AA', isMatch: false },
      { tested: 'aab', value: 'A', isMatch: false },
    ],
  },
  {
    rule: 'starts_with',
    cases: [
      { tested: ' Hoot', value: 'hoo', isMatch: true, why: 'Studio doc' },
      { tested: 'Hoot', value: ' HOOT ', isMatch: true },
      { tested: 'Hoot', value: 'oot', isMatch: false },
      { tested: 'Ho', value: 'Hoot', isMatch: false },
    ],
  },
  {
    rule: 'does_not_start_with',
    cases: [
      { tested: 'Hoot', value: 'oot', isMatch: true },
      { tested: ' Hoot', value: 'hoo', isMatch: false },
      { tested: '', value: 'a', isMatch: true },
    ],
  },
  {
    rule: 'less_than',
    cases: [
      { tested: '900', value: '1000', isMatch: true, why: 'numeric, not lexical' },
      { tested: ' 12.5 ', value: '13', isMatch: true, why: 'trimmed decimals' },
      { tested: '-2', value: '-1.5', isMatch: true },
      { tested: '-0', value: '0', isMatch: false, why: '-0 equals 0' },
      { tested: '.5', value: '0.6', isMatch: true },
      { tested: '12345678901234567890', value: '12345678901234567891', isMatch: true, why: 'exact, beyond double precision' },
      { tested: '1000', value: '900', isMatch: false },
      { tested: '5', value: '5.000', isMatch: false, why: 'equal is not less' },
      { tested: 'abc', value: '5', isMatch: false, why: 'no comparison on letters' },
      { tested: '4', value: 'five', isMatch: false },
      { tested: '', value: '5', isMatch: false },
      { tested: '1e2', value: '1000', isMatch: false, why: 'exponent notation is not a plain decimal' },
      { tested: '1,000', value: '2000', isMatch: false, why: 'no thousands separators' },
      { tested: '3', value: 4, isMatch: true, why: 'a JSON number value' },
    ],
  },
  {
    rule: 'greater_than',
    cases: [
      { tested: '900', value: '1000', isMatch: false, why: 'Studio doc' },
      { tested: '1000', value: '900', isMatch: true },
      { tested: '+10', value: '9.99', isMatch: true },
      { tested: '0.30', value: '0.3', isMatch: false, why: 'equal is not greater' },
      { tested: '-1', value: '-2', isMatch: true },
      { tested: '12.', value: '11.9', isMatch: true },
      { tested: 'Infinity', value: '1', isMatch: false },
      { tested: 'NaN', value: '1', isMatch: false },
      { tested: '0x10', value: '1', isMatch: false },
      { tested: 'b', value: 'a', isMatch: false, why: 'no comparison on letters' },
    ],
  },
  {
    rule: 'is_before_time',
    cases: [
      { tested: '17:00', value: '16:35', isMatch: false, why: 'Studio doc' },
      { tested: '16:35', value: '17:00', isMatch: true },
      { tested: ' 09:05 ', value: '10:00', isMatch: true },
      { tested: '00:00', value: '23:59', isMatch: true },
      { tested: '12:00', value: '12:00', isMatch: false, why: 'strict' },
      { tested: '9:05', value: '10:00', isMatch: false, why: 'single digits must be zero-padded' },
      { tested: '24:00', value: '23:00', isMatch: false },
      { tested: '09:05:00', value: '10:00', isMatch: false },
      { tested: 'noon', value: '13:00', isMatch: false },
    ],
  },
  {
    rule: 'is_after_time',
    cases: [
      { tested: '17:00', value: '16:35', isMatch: true },
      { tested: '16:35', value: '17:00', isMatch: false },
      { tested: '23:59', value: '00:00', isMatch: true },
      { tested: '12:60', value: '12:00', isMatch: false, why: 'malformed minutes' },
      { tested: '17:00', value: '', isMatch: false },
    ],
  },
  {
    rule: 'is_before_date',
    cases: [
      { tested: '2017-09-04', value: '2019-08-12', isMatch: true },
      { tested: '2019-08-12', value: '2017-09-04', isMatch: false },
      { tested: '2024-01-01', value: '2024-01-01', isMatch: false, why: 'strict' },
      { tested: '2024-2-01', value: '2024-03-01', isMatch: false, why: 'zero-padded only' },
      { tested: '2023-02-29', value: '2024-03-01', isMatch: false, why: 'not a calendar date' },
      { tested: '2024-02-29', value: '2024-03-01', isMatch: true, why: 'leap day' },
      { tested: '2024-13-01', value: '2025-01-01', isMatch: false },
      { tested: '08/12/2019', value: '2020-01-01', isMatch: false },
    ],
  },
  {
    rule: 'is_after_date',
    cases: [
      { tested: '2019-08-12', value: '2017-09-04', isMatch: true, why: 'Studio doc' },
      { tested: '2017-09-04', value: '2019-08-12', isMatch: false },
      { tested: ' 2020-01-01 ', value: '2019-12-31', isMatch: true },
      { tested: '2100-02-29', value: '2000-01-01', isMatch: false, why: '2100 is not a leap year' },
      { tested: '2000-02-29', value: '1999-01-01', isMatch: true, why: '2000 is a leap year' },
    ],
  },
];

describe('split conditions', () => {
  test('the table covers every one of the 17 condition types, with positive and negative cases', () => {
    expect(CONDITION_TYPES).toHaveLength(17);
    expect(TABLE.map((entry) => entry.rule).sort()).toEqual([...CONDITION_TYPES].sort());
    for (const entry of TABLE) {
      expect({ rule: entry.rule, positive: entry.cases.some((c) => c.isMatch) }).toEqual({ rule: entry.rule, positive: true });
      expect({ rule: entry.rule, negative: entry.cases.some((c) => !c.isMatch) }).toEqual({ rule: entry.rule, negative: true });
    }
  });

  for (const { rule, cases } of TABLE) {
    describe(rule, () => {
      test.each(cases)('$tested vs $value → $isMatch', ({ tested, value, isMatch }) => {
        expect(evaluateCondition(rule, tested, value)).toBe(isMatch);
      });
    });
  }

  test('an unknown condition type is false and never throws', () => {
    expect(evaluateCondition('has_any_value', 'x', '')).toBe(false);
    expect(evaluateCondition('', '', '')).toBe(false);
  });

  test('non-string values never throw', () => {
    expect(evaluateCondition('equal_to', 'true', true)).toBe(true);
    expect(evaluateCondition('equal_to', '', null)).toBe(true);
    expect(evaluateCondition('equal_to', '{"a":1}', { a: 1 })).toBe(true);
    expect(evaluateCondition('regex', 'x', { not: 'a pattern' })).toBe(false);
    expect(evaluateCondition('contains', 42 as unknown as string, '4')).toBe(true);
  });

  test('a pathological list or regex value is handled without throwing', () => {
    expect(evaluateCondition('regex', 'a', '(')).toBe(false);
    expect(evaluateCondition('regex', 'a', '\\')).toBe(false);
    expect(evaluateCondition('matches_any_of', 'a', ',,,')).toBe(false);
  });
});
