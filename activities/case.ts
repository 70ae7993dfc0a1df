// Twilio's client gives camelCase objects; Studio's context holds a Conversation in the API's
// snake_case and a message as Studio's PascalCase webhook-style keys. Conversions live here.
import type { JsonObject, JsonValue } from '../workflows/engine/types';

function toJsonValue(value: unknown, key: (name: string) => string): JsonValue {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((item) => toJsonValue(item, key));
  if (typeof value === 'object') {
    const result: JsonObject = {};
    for (const [name, item] of Object.entries(value as Record<string, unknown>)) {
      if (typeof item === 'function' || name.startsWith('_')) continue;
      result[key(name)] = toJsonValue(item, key);
    }
    return result;
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return String(value);
}

const snake = (name: string) => name.replace(/[A-Z]/g, (letter) => '_' + letter.toLowerCase());
const pascal = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);

/** A Twilio resource in the REST API's own snake_case (nested objects too). */
export function snakeCaseResource(resource: { toJSON(): object } | object): JsonObject {
  const plain = 'toJSON' in resource && typeof resource.toJSON === 'function' ? resource.toJSON() : resource;
  return toJsonValue(plain, snake) as JsonObject;
}

/** A message with Studio's top-level PascalCase keys (Sid, Body, From, To, Status, ...). */
export function pascalCaseMessage(resource: { toJSON(): object } | object): JsonObject {
  const plain = ('toJSON' in resource && typeof resource.toJSON === 'function' ? resource.toJSON() : resource) as Record<string, unknown>;
  const result: JsonObject = {};
  for (const [name, value] of Object.entries(plain)) {
    if (typeof value === 'function' || name.startsWith('_')) continue;
    result[pascal(name)] = toJsonValue(value, snake);
  }
  return result;
}
