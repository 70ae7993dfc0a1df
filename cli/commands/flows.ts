// `studio flows …`: deploy (create or update), validate, list and export flow definitions, so that
// flows can live in git as files and be deployed from there.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { StudioApi } from '../api-client';
import { canonicalJson } from '../canonical-json';
import { CommandError, EXIT_USAGE, formatTable, printLine, shortDate, type Terminal } from '../terminal';

export type FlowStatus = 'draft' | 'published';

export interface DeployOptions {
  /** Update this flow; without it a new flow is created. */
  sid?: string;
  /** Default `published`: a deploy serves live traffic (Studio's "Publish"); `draft` is Studio's "Save". */
  status?: FlowStatus;
  /** The revision's commit message. */
  message?: string;
  /** Friendly name: default the current one (update), else the definition's description, else the file name. */
  name?: string;
}

interface ValidationIssue {
  message: string;
  property_path?: string;
}

function readDefinitionFile(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new CommandError(`Cannot read ${file}: ${(error as Error).message}`);
  }
}

function defaultFriendlyName(file: string, definitionText: string): string {
  try {
    const description = (JSON.parse(definitionText) as { description?: unknown }).description;
    if (typeof description === 'string' && description.trim() !== '') return description.trim();
  } catch {
    // Not JSON: the API says why when the definition is sent.
  }
  return path.basename(file).replace(/\.json$/i, '');
}

function parseStatus(status: string | undefined): FlowStatus {
  if (status === undefined) return 'published';
  if (status !== 'draft' && status !== 'published') throw new CommandError(`--status must be draft or published (got "${status}")`, EXIT_USAGE);
  return status;
}

/** Studio's validation errors (the 400 of create/update/Validate carries them in details.errors). */
function validationIssues(error: unknown): ValidationIssue[] | null {
  const details = (error as { details?: { errors?: unknown } }).details;
  return Array.isArray(details?.errors) ? (details.errors as ValidationIssue[]) : null;
}

function printIssues(terminal: Terminal, sink: 'stdout' | 'stderr', issues: ValidationIssue[]): void {
  for (const issue of issues) printLine(terminal[sink], `  ${issue.property_path ?? '#'}  ${issue.message}`);
}

export async function deployFlow(api: StudioApi, terminal: Terminal, file: string, options: DeployOptions = {}): Promise<{ sid: string; revision: number }> {
  // The file's text goes to the API as is: what is stored is what is in git, and a JSON syntax
  // error gets the API's own message.
  const status = parseStatus(options.status);
  const definition = readDefinitionFile(file);
  try {
    const flow = options.sid
      ? await api.client.studio.v2.flows(options.sid).update({ status, definition, commitMessage: options.message, friendlyName: options.name })
      : await api.client.studio.v2.flows.create({ friendlyName: options.name ?? defaultFriendlyName(file, definition), status, definition, commitMessage: options.message });
    printLine(terminal.stdout, `${options.sid ? 'Updated' : 'Created'} flow ${flow.sid} "${flow.friendlyName}": revision ${flow.revision} (${flow.status})`);
    printLine(terminal.stdout, `  webhook  ${flow.webhookUrl}`);
    printLine(terminal.stdout, `  view     ${api.url}/flows/${flow.sid}`);
    const warnings = (flow.warnings ?? []) as ValidationIssue[];
    if (warnings.length > 0) {
      printLine(terminal.stdout, `${warnings.length} warning${warnings.length === 1 ? '' : 's'}:`);
      printIssues(terminal, 'stdout', warnings);
    }
    return { sid: flow.sid, revision: flow.revision };
  } catch (error) {
    const issues = validationIssues(error);
    if (!issues) throw error;
    printLine(terminal.stderr, `${file} was not deployed: the definition is not valid (${issues.length} error${issues.length === 1 ? '' : 's'}):`);
    printIssues(terminal, 'stderr', issues);
    throw new CommandError(`${file} is not a valid flow definition`);
  }
}

/** Prints the result of Studio's Validate; throws (exit 1) when the definition is invalid. */
export async function validateFlow(api: StudioApi, terminal: Terminal, file: string): Promise<void> {
  const definition = readDefinitionFile(file);
  try {
    await api.client.studio.v2.flowValidate.update({ friendlyName: defaultFriendlyName(file, definition), status: 'draft', definition });
  } catch (error) {
    const issues = validationIssues(error);
    if (!issues) throw error;
    printLine(terminal.stdout, `${file}: not valid, ${issues.length} error${issues.length === 1 ? '' : 's'}:`);
    printIssues(terminal, 'stdout', issues);
    throw new CommandError(`${file} is not a valid flow definition`);
  }
  printLine(terminal.stdout, `${file}: valid`);
}

export async function listFlows(api: StudioApi, terminal: Terminal): Promise<void> {
  const flows = await api.client.studio.v2.flows.list();
  if (flows.length === 0) return printLine(terminal.stdout, 'No flows.');
  const rows = flows.map((flow) => [flow.sid, flow.status, String(flow.revision), shortDate(flow.dateUpdated), flow.friendlyName]);
  for (const line of formatTable(['SID', 'STATUS', 'REVISION', 'UPDATED', 'NAME'], rows)) printLine(terminal.stdout, line);
}

/** Writes the flow's definition in canonical form (canonical-json.ts) to `file`, or to stdout without one. */
export async function exportFlow(api: StudioApi, terminal: Terminal, flowSid: string, file?: string): Promise<string> {
  const flow = await api.client.studio.v2.flows(flowSid).fetch();
  const text = canonicalJson(flow.definition);
  if (file === undefined || file === '-') {
    terminal.stdout.write(text);
  } else {
    fs.writeFileSync(file, text);
    printLine(terminal.stdout, `Exported flow ${flow.sid} "${flow.friendlyName}" revision ${flow.revision} to ${file}`);
  }
  return text;
}
