// Reading Twilio's form parameters. Bodies are parsed with `extended: false`, so dotted names such as
// `MessagingBinding.Address` stay literal keys and repeated keys (`Configuration.Filters`) become arrays.
// The device API also takes JSON, whose values may be numbers or booleans.
import type { Request } from 'express';
import { badRequest, TwilioErrorCode } from './twilio-errors';

export type Params = Record<string, unknown>;

export function bodyParams(req: Request): Params {
  const body: unknown = req.body;
  return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Params) : {};
}

export function queryParams(req: Request): Params {
  return req.query as Params;
}

function asStrings(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value.flatMap(asStrings);
  if (typeof value === 'object') return [JSON.stringify(value)];
  return [String(value)];
}

/** The first value of a parameter, or undefined when absent. */
export function stringParam(params: Params, name: string): string | undefined {
  return asStrings(params[name])[0];
}

/** Like stringParam, but an empty string counts as absent (Twilio treats `X=` as "not set"). */
export function optionalParam(params: Params, name: string): string | undefined {
  const value = stringParam(params, name);
  return value === undefined || value === '' ? undefined : value;
}

/** Every value of a repeated parameter (`A=1&A=2`), skipping empty ones. */
export function listParam(params: Params, name: string): string[] {
  return asStrings(params[name]).filter((value) => value !== '');
}

export function booleanParam(params: Params, name: string): boolean | undefined {
  const value = optionalParam(params, name);
  if (value === undefined) return undefined;
  const lower = value.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  throw badRequest(`${name} must be true or false, got "${value}"`);
}

export function integerParam(params: Params, name: string): number | undefined {
  const value = optionalParam(params, name);
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed)) throw badRequest(`${name} must be an integer, got "${value}"`);
  return parsed;
}

/** A parameter whose value must be one of a closed set (compared case-insensitively, as Twilio does for enums). */
export function enumParam<T extends string>(params: Params, name: string, allowed: readonly T[]): T | undefined {
  const value = optionalParam(params, name);
  if (value === undefined) return undefined;
  const match = allowed.find((candidate) => candidate.toLowerCase() === value.toLowerCase());
  if (match === undefined) throw badRequest(`${name} must be one of ${allowed.join(', ')}, got "${value}"`);
  return match;
}

/** Attributes are stored as given, but must hold structurally valid JSON. */
export function attributesParam(params: Params, name = 'Attributes'): string | undefined {
  const value = stringParam(params, name);
  if (value === undefined) return undefined;
  if (value === '') return '{}';
  try {
    JSON.parse(value);
  } catch {
    throw badRequest(`${name} must be valid JSON`, TwilioErrorCode.attributesNotValidJson);
  }
  return value;
}

/** A parameter holding a JSON object (Flex `Channel`, `Routing`). */
export function jsonObjectParam(params: Params, name: string): Record<string, unknown> | undefined {
  const raw = params[name];
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) return raw as Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(String(raw));
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // Reported below with the same message as a non-object.
  }
  throw badRequest(`${name} must be a JSON object`);
}

/** A path parameter (`:name`) as one string; express 5 types them loosely because of `*splat`. */
export function pathParam(req: Request, name: string): string {
  const value: unknown = (req.params as Record<string, unknown>)[name];
  return Array.isArray(value) ? value.join('/') : typeof value === 'string' ? value : '';
}

/** True when the caller asked for webhooks on a REST action (Twilio's echo rule). */
export function webhooksRequested(req: Request): boolean {
  return (req.get('X-Twilio-Webhook-Enabled') ?? '').toLowerCase() === 'true';
}

/** Where this emulator is reachable, as the caller sees it: absolute `url`/`links` fields start here. */
export function baseUrlOf(req: Request): string {
  return `${req.protocol}://${req.get('host') ?? '127.0.0.1'}`;
}
