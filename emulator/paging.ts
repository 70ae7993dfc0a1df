// Twilio's list envelopes. The twilio client follows `next_page_url` / `next_page_uri` as given, so the
// URLs are built from the request's own host and keep its filters.
import type { Request } from 'express';
import { badRequest } from './twilio-errors';
import { baseUrlOf, integerParam, queryParams } from './request-params';

const PAGING_KEYS = new Set(['Page', 'PageSize', 'PageToken']);

interface PageWindow {
  page: number;
  pageSize: number;
  start: number;
}

function pageWindow(req: Request, defaultPageSize: number, maxPageSize: number): PageWindow {
  const query = queryParams(req);
  const pageSize = integerParam(query, 'PageSize') ?? defaultPageSize;
  const page = integerParam(query, 'Page') ?? 0;
  if (pageSize < 1 || pageSize > maxPageSize) throw badRequest(`PageSize must be between 1 and ${maxPageSize}`);
  if (page < 0) throw badRequest('Page must be 0 or more');
  return { page, pageSize, start: page * pageSize };
}

/** The request's filters (everything but paging), in their original order. */
function filterQuery(req: Request): string {
  const url = new URL(req.originalUrl, 'http://placeholder');
  const kept = new URLSearchParams();
  for (const [key, value] of url.searchParams) if (!PAGING_KEYS.has(key)) kept.append(key, value);
  const text = kept.toString();
  return text ? `${text}&` : '';
}

function pathOf(req: Request): string {
  return new URL(req.originalUrl, 'http://placeholder').pathname;
}

/** Conversations / Flex v1 style: `{<key>: [...], meta: {page, page_size, first_page_url, ...}}`. */
export function metaPage<T>(req: Request, key: string, items: readonly T[], serialize: (item: T) => unknown, maxPageSize = 100): Record<string, unknown> {
  const { page, pageSize, start } = pageWindow(req, 50, maxPageSize);
  const prefix = `${baseUrlOf(req)}${pathOf(req)}?${filterQuery(req)}`;
  const pageUrl = (n: number) => `${prefix}PageSize=${pageSize}&Page=${n}`;
  const hasNext = start + pageSize < items.length;
  return {
    [key]: items.slice(start, start + pageSize).map(serialize),
    meta: {
      page,
      page_size: pageSize,
      first_page_url: pageUrl(0),
      previous_page_url: page > 0 ? pageUrl(page - 1) : null,
      url: pageUrl(page),
      next_page_url: hasNext ? pageUrl(page + 1) : null,
      key,
    },
  };
}

/** API 2010-04-01 style: relative `*_uri` fields beside the records. */
export function legacyPage<T>(req: Request, key: string, items: readonly T[], serialize: (item: T) => unknown): Record<string, unknown> {
  const { page, pageSize, start } = pageWindow(req, 50, 1000);
  const prefix = `${pathOf(req)}?${filterQuery(req)}`;
  const pageUri = (n: number) => `${prefix}PageSize=${pageSize}&Page=${n}`;
  const records = items.slice(start, start + pageSize).map(serialize);
  const hasNext = start + pageSize < items.length;
  return {
    [key]: records,
    end: records.length === 0 ? start : start + records.length - 1,
    first_page_uri: pageUri(0),
    next_page_uri: hasNext ? pageUri(page + 1) : null,
    page,
    page_size: pageSize,
    previous_page_uri: page > 0 ? pageUri(page - 1) : null,
    start,
    uri: pageUri(page),
  };
}
