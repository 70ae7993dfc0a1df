// The run view: GET /flows/{FlowSid} and /flows/{FlowSid}/executions/{ExecutionSid} serve one static
// page (api/pages/) that draws the flow as Studio's canvas does and a run's path on it. The page reads
// everything from the Studio v2 JSON API, so it sits behind the same Basic auth (same realm: a browser
// that logged in for the page reuses the credentials for the API calls without asking again).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Router } from 'express';
import type { Config } from '../../common/config';
import { basicAuth } from '../auth';

const PAGES_DIRECTORY = path.join(__dirname, '..', 'pages');

/** The page's static assets: code and style only, no data, so they need no login. */
const ASSET_TYPES: Record<string, string> = {
  'run-view.js': 'text/javascript; charset=utf-8',
  'run-view.css': 'text/css; charset=utf-8',
};

// Everything the page loads comes from this server; its script builds the DOM without innerHTML.
const CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'";

export function pagesRouter(config: Pick<Config, 'accountSid' | 'authToken'>): Router {
  const router = Router();
  const requireLogin = basicAuth(config.accountSid, config.authToken);
  const runViewPage = fs.readFileSync(path.join(PAGES_DIRECTORY, 'run-view.html'), 'utf8');
  const assets = new Map(Object.keys(ASSET_TYPES).map((name) => [name, fs.readFileSync(path.join(PAGES_DIRECTORY, name), 'utf8')]));

  router.get(['/flows/:flowSid', '/flows/:flowSid/executions/:executionSid'], requireLogin, (_req, res) => {
    res.set({ 'Content-Security-Policy': CONTENT_SECURITY_POLICY, 'Cache-Control': 'no-store' }).type('html').send(runViewPage);
  });

  router.get('/pages/:asset', (req, res, next) => {
    const content = assets.get(req.params.asset);
    if (content === undefined) return next();
    res.set({ 'Content-Type': ASSET_TYPES[req.params.asset], 'Cache-Control': 'no-cache' }).send(content);
  });

  return router;
}
