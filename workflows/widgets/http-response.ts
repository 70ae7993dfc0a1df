// What Make HTTP Request and Run Function write about an answer (docs/studio-reference.md §2.8-2.9):
// body, content_type, status_code, and `parsed` only for a JSON object served as JSON (a top-level
// array, a number or a string is not parsed).
import type { HttpResponseOutcome } from '../engine/effects';
import type { JsonObject, JsonValue } from '../engine/types';

const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json$/;

/** widgets.<name> for an answer that arrived (whatever its status). */
export function responseOutput(outcome: HttpResponseOutcome): JsonObject {
  const output: JsonObject = { status_code: outcome.statusCode, content_type: outcome.contentType ?? '', body: outcome.body ?? '' };
  const parsed = parsedJsonObject(outcome);
  if (parsed) output.parsed = parsed;
  return output;
}

/** The body as an object when it is a JSON object and the content type says JSON (application/json, or …+json). */
export function parsedJsonObject(outcome: HttpResponseOutcome): JsonObject | undefined {
  const mediaType = (outcome.contentType ?? '').split(';')[0].trim().toLowerCase();
  if (!JSON_MEDIA_TYPE.test(mediaType) || !outcome.body) return undefined;
  try {
    const value: unknown = JSON.parse(outcome.body);
    return isJsonObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `update` merged into `base`, objects key by key at every depth; anything else in `update` replaces. */
export function deepMerge(base: JsonObject, update: JsonObject): JsonObject {
  const merged: JsonObject = {};
  for (const [key, value] of Object.entries(base)) setOwn(merged, key, value);
  for (const [key, value] of Object.entries(update)) {
    const previous = Object.hasOwn(merged, key) ? merged[key] : undefined;
    setOwn(merged, key, isJsonObject(previous) && isJsonObject(value) ? deepMerge(previous, value) : value);
  }
  return merged;
}

/** Assignment that also stores a key such as "__proto__" from a parsed answer as data. */
function setOwn(target: JsonObject, key: string, value: JsonValue): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
