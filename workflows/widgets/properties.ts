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
