// The studio command line: parses `<group> <command> [arguments] [--options]`, runs the command against
// the Studio API and turns every outcome into an exit code (0 done, 1 failed, 2 called wrongly).
// Testable: the terminal and the environment are injected; cli/studio.ts is the process entry.
import { parseArgs } from 'node:util';
import { connectStudioApi, studioApiUrl, type StudioApi } from './api-client';
import { endExecution, followExecution, listExecutions, showExecution } from './commands/executions';
import { deployFlow, exportFlow, listFlows, validateFlow, type FlowStatus } from './commands/flows';
import { CommandError, EXIT_FAILURE, EXIT_USAGE, printLine, type Terminal } from './terminal';

type OptionName = 'sid' | 'status' | 'message' | 'name';
type Options = Partial<Record<OptionName, string>>;

interface Command {
  usage: string;
  summary: string;
  example: string;
  /** Names of the required positional arguments, then of the optional ones. */
  required: string[];
  optional?: string[];
  options?: OptionName[];
  run(api: StudioApi, terminal: Terminal, positionals: string[], options: Options): Promise<unknown>;
}

const COMMANDS: Record<string, Command> = {
  'flows deploy': {
    usage: 'flows deploy <file> [--sid FW…] [--status draft|published] [--message "…"] [--name "…"]',
    summary: 'create a flow from a definition file, or update flow --sid with it (a new revision); published unless --status draft',
    example: 'flows deploy flows/survey.json --sid FW0123… --message "ask for a rating"',
    required: ['file'],
    options: ['sid', 'status', 'message', 'name'],
    run: (api, terminal, [file], options) => deployFlow(api, terminal, file, { ...options, status: options.status as FlowStatus | undefined }),
  },
  'flows validate': {
    usage: 'flows validate <file>',
    summary: "check a definition with Studio's Validate; prints each error with its property path, exit 1 if invalid",
    example: 'flows validate flows/survey.json',
    required: ['file'],
    run: (api, terminal, [file]) => validateFlow(api, terminal, file),
  },
  'flows list': {
    usage: 'flows list',
    summary: 'list the flows',
    example: 'flows list',
    required: [],
    run: (api, terminal) => listFlows(api, terminal),
  },
  'flows export': {
    usage: 'flows export <FlowSid> [file]',
    summary: 'write the flow definition in canonical form (sorted keys, 2-space indent) to file, or stdout',
    example: 'flows export FW0123… flows/survey.json',
    required: ['FlowSid'],
    optional: ['file'],
    run: (api, terminal, [flowSid, file]) => exportFlow(api, terminal, flowSid, file),
  },
  'executions list': {
    usage: 'executions list <FlowSid> [--status active|ended]',
    summary: "list a flow's executions, newest first",
    example: 'executions list FW0123… --status active',
    required: ['FlowSid'],
    options: ['status'],
    run: (api, terminal, [flowSid], options) => listExecutions(api, terminal, flowSid, options),
  },
  'executions show': {
    usage: 'executions show <FlowSid> <ExecutionSid>',
    summary: 'show an execution and its steps in order (from → event → to)',
    example: 'executions show FW0123… FN4567…',
    required: ['FlowSid', 'ExecutionSid'],
    run: (api, terminal, [flowSid, executionSid]) => showExecution(api, terminal, flowSid, executionSid),
  },
  'executions follow': {
    usage: 'executions follow <FlowSid> <ExecutionSid>',
    summary: 'print the steps of an execution as they happen, until it ends',
    example: 'executions follow FW0123… FN4567…',
    required: ['FlowSid', 'ExecutionSid'],
    run: (api, terminal, [flowSid, executionSid]) => followExecution(api, terminal, flowSid, executionSid),
  },
  'executions end': {
    usage: 'executions end <FlowSid> <ExecutionSid>',
    summary: 'end an active execution',
    example: 'executions end FW0123… FN4567…',
    required: ['FlowSid', 'ExecutionSid'],
    run: (api, terminal, [flowSid, executionSid]) => endExecution(api, terminal, flowSid, executionSid),
  },
};

export function usageText(): string {
  return [
    'Usage: npm run studio -- <command>   (or: npx tsx cli/studio.ts <command>)',
    '',
    'Commands:',
    ...Object.values(COMMANDS).flatMap((command) => [`  ${command.usage}`, `      ${command.summary}`]),
    '',
    'Examples:',
    ...Object.values(COMMANDS).map((command) => `  npm run studio -- ${command.example}`),
    '',
    'Environment: STUDIO_API_URL (default http://127.0.0.1:$PORT, PORT default 3000),',
    '             TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (default: the local development account).',
  ].join('\n');
}

/** A twilio RestException (or anything else) as one line a person can act on. */
function describeFailure(error: unknown, apiUrl: string): string {
  const failure = error as { status?: number; code?: number | string; message?: string; details?: Record<string, unknown> };
  if (typeof failure.status === 'number' && typeof failure.code === 'number') {
    const details = failure.details && !Array.isArray(failure.details.errors) ? ` ${JSON.stringify(failure.details)}` : '';
    return `Error ${failure.code} (HTTP ${failure.status}): ${failure.message}${details}`;
  }
  if (failure.code === 'ECONNREFUSED' || failure.code === 'ENOTFOUND') {
    return `Cannot reach the Studio API at ${apiUrl} (${failure.code}). Is it running (npm start)? Set STUDIO_API_URL to point elsewhere.`;
  }
  if (typeof failure.status === 'number') return `Error: HTTP ${failure.status} from ${apiUrl}: ${failure.message ?? ''}`.trim();
  return `Error: ${failure.message ?? String(error)}`;
}

export async function runStudioCli(argv: string[], terminal: Terminal, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    printLine(terminal.stderr, (error as Error).message);
    printLine(terminal.stderr, usageText());
    return EXIT_USAGE;
  }
  if (parsed.help) {
    printLine(terminal.stdout, usageText());
    return 0;
  }
  const key = parsed.positionals.slice(0, 2).join(' ');
  const command = Object.hasOwn(COMMANDS, key) ? COMMANDS[key] : undefined;
  if (!command) {
    printLine(terminal.stderr, parsed.positionals.length ? `Unknown command: ${key}` : 'No command given.');
    printLine(terminal.stderr, usageText());
    return EXIT_USAGE;
  }
  const argumentsGiven = parsed.positionals.slice(2);
  const allowed = command.options ?? [];
  const wrongOption = (Object.keys(parsed.options) as OptionName[]).find((name) => !allowed.includes(name));
  const maximum = command.required.length + (command.optional?.length ?? 0);
  if (argumentsGiven.length < command.required.length || argumentsGiven.length > maximum || wrongOption) {
    const reason = wrongOption ? `--${wrongOption} does not apply to ${key}` : `${key} takes ${[...command.required.map((name) => `<${name}>`), ...(command.optional ?? []).map((name) => `[${name}]`)].join(' ') || 'no arguments'}`;
    printLine(terminal.stderr, `${reason}. Usage: npm run studio -- ${command.usage}`);
    return EXIT_USAGE;
  }

  const api = connectStudioApi(env);
  try {
    await command.run(api, terminal, argumentsGiven, parsed.options);
    return 0;
  } catch (error) {
    if (error instanceof CommandError) {
      printLine(terminal.stderr, error.message);
      return error.exitCode;
    }
    printLine(terminal.stderr, describeFailure(error, studioApiUrl(env)));
    return EXIT_FAILURE;
  }
}

function parse(argv: string[]): { positionals: string[]; options: Options; help: boolean } {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      sid: { type: 'string' },
      status: { type: 'string' },
      message: { type: 'string', short: 'm' },
      name: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const { help, ...options } = values;
  return { positionals, options: options as Options, help: help === true || positionals[0] === 'help' };
}
