// The canonical text of a flow definition in git: keys sorted recursively (by code unit, integer-like
// keys too, which JSON.stringify would put first), 2-space indent, a trailing newline. Arrays keep their
// order: a flow's states and transitions are ordered. The same value always gives the same bytes, so
// exported flows diff cleanly and an export → deploy → export round trip is byte-identical.

export function canonicalJson(value: unknown): string {
  return `${write(value, '')}\n`;
}

function write(value: unknown, indent: string): string {
  if (value === null || typeof value !== 'object') {
    // Non-JSON values (undefined, functions) cannot come out of JSON.parse; write them as JSON.stringify would in an array.
    return JSON.stringify(value) ?? 'null';
  }
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((item) => inner + write(item, inner)).join(',\n')}\n${indent}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record)
    .filter((key) => record[key] !== undefined)
    .sort();
  if (keys.length === 0) return '{}';
  return `{\n${keys.map((key) => `${inner}${JSON.stringify(key)}: ${write(record[key], inner)}`).join(',\n')}\n${indent}}`;
}
