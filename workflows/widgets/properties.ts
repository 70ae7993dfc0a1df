// Small helpers for reading widget properties the way Studio writes them: strings that may be Liquid,
// empty strings that mean "not set", numbers that arrive as strings (or, in real exports, as numbers).

/** Renders a property, or gives undefined when it is absent or renders empty ("not set"). */
export function renderedOptional(render: (template: unknown) => string, value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const rendered = render(value);
  return rendered === '' ? undefined : rendered;
}

/** A whole number of seconds from a string or number property; `fallback` when absent or malformed. */
export function secondsProperty(render: (template: unknown) => string, value: unknown, fallback: number): number {
  if (value === undefined || value === null || value === '') return fallback;
  const seconds = Number(typeof value === 'number' ? value : render(value).trim());
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : fallback;
}

/** `[{key, value}]` pairs (URL, form or subflow parameters), each value rendered; a pair without a usable key is skipped. */
export function renderedPairs(render: (template: unknown) => string, list: unknown): { key: string; value: string }[] {
  if (!Array.isArray(list)) return [];
  const pairs: { key: string; value: string }[] = [];
  for (const item of list as unknown[]) {
    if (typeof item !== 'object' || item === null) continue;
    const { key, value } = item as Record<string, unknown>;
    const name = typeof key === 'number' ? String(key) : key;
    if (typeof name !== 'string' || name === '') continue;
    pairs.push({ key: name, value: render(value) });
  }
  return pairs;
}
