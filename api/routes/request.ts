// Reading Twilio-style requests: form parameters, paging, and our own base URL for absolute links.
import type { Request } from 'express';
import { badRequest } from '../twilio-error';

/** A single form parameter as a string; undefined when absent. A repeated key keeps its first value. */
export function formParam(req: Request, name: string): string | undefined {
  const body = req.body as Record<string, unknown> | undefined;
  const value = body?.[name];
  if (value === undefined) return undefined;
  if (Array.isArray(value)) return typeof value[0] === 'string' ? value[0] : undefined;
  return typeof value === 'string' ? value : undefined;
}

export function queryParam(req: Request, name: string): string | undefined {
  const value = req.query[name];
  if (Array.isArray(value)) return typeof value[0] === 'string' ? value[0] : undefined;
  return typeof value === 'string' ? value : undefined;
}

/** Twilio's paging: PageSize 1..1000 (default 50) and a zero-based Page. */
export function paging(req: Request): { page: number; pageSize: number } {
  const pageSizeText = queryParam(req, 'PageSize');
  const pageText = queryParam(req, 'Page');
  const pageSize = pageSizeText === undefined ? 50 : Number(pageSizeText);
  const page = pageText === undefined ? 0 : Number(pageText);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) throw badRequest('PageSize must be an integer between 1 and 1000');
  if (!Number.isInteger(page) || page < 0) throw badRequest('Page must be a non-negative integer');
  return { page, pageSize };
}

export function baseUrl(req: Request): string {
  return `${req.protocol}://${req.get('host') ?? 'localhost'}`;
}
