// The studio CLI without a server: the canonical JSON that flows are exported in, the step line format,
// and how wrong calls are answered (exit code 2 and the usage, before any request is made).
import { formatStep } from '../../cli/commands/executions';
import { canonicalJson } from '../../cli/canonical-json';
import { runStudioCli } from '../../cli/run';
import type { Terminal } from '../../cli/terminal';

function memoryTerminal(): Terminal & { stdout: { text: string; write(text: string): void }; stderr: { text: string; write(text: string): void } } {
  const sink = () => ({
    text: '',
    write(text: string) {
      this.text += text;
    },
  });
  return { stdout: sink(), stderr: sink() };
}

// Nothing listens here: a command that reached the network would fail with exit code 1, not 2.
const NO_SERVER = { STUDIO_API_URL: 'http://127.0.0.1:9' };

describe('canonicalJson', () => {
  it('sorts keys at every depth, keeps array order, indents by two spaces and ends with a newline', () => {
    const value = { states: [{ type: 't', name: 'b', properties: { z: 1, a: [3, 1, 2] } }, { name: 'a' }], initial_state: 'b', description: 'd' };
    expect(canonicalJson(value)).toBe(
      [
        '{',
        '  "description": "d",',
        '  "initial_state": "b",',
        '  "states": [',
        '    {',
        '      "name": "b",',
        '      "properties": {',
        '        "a": [',
        '          3,',
        '          1,',
        '          2',
        '        ],',
        '        "z": 1',
        '      },',
        '      "type": "t"',
        '    },',
        '    {',
        '      "name": "a"',
        '    }',
        '  ]',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('sorts integer-like keys as text too (JSON.stringify would put them first)', () => {
    expect(canonicalJson({ b: 1, 10: 2, 2: 3 })).toBe('{\n  "10": 2,\n  "2": 3,\n  "b": 1\n}\n');
  });

  it('writes scalars, empty containers and escapes as JSON does, and is a fixed point', () => {
    const value = { empty: {}, list: [], text: 'line\n"quoted" ✓', nothing: null, yes: true, number: -1.5e-7 };
    const text = canonicalJson(value);
    expect(JSON.parse(text)).toEqual(value);
    expect(text).toContain('"empty": {},');
    expect(text).toContain('"list": [],');
    expect(text).toContain(`"text": ${JSON.stringify(value.text)}`);
    expect(canonicalJson(JSON.parse(text))).toBe(text);
  });

  it('keeps a "__proto__" key as data', () => {
    const value = JSON.parse('{"__proto__": {"x": 1}, "a": 2}') as unknown;
    expect(canonicalJson(value)).toBe('{\n  "__proto__": {\n    "x": 1\n  },\n  "a": 2\n}\n');
  });
});

describe('formatStep', () => {
  it('shows position, date and from → event → to', () => {
    const step = { transitionedFrom: 'ask', name: 'incomingMessage', transitionedTo: 'thanks', dateCreated: new Date('2026-01-02T03:04:05.678Z'), parentStepSid: null };
    expect(formatStep(step, 3)).toBe('   3  2026-01-02T03:04:05Z  ask → incomingMessage → thanks');
    expect(formatStep({ ...step, parentStepSid: 'FT1' }, 12)).toBe('  12  2026-01-02T03:04:05Z  ask → incomingMessage → thanks  (in a subflow)');
  });
});

describe('runStudioCli: wrong calls', () => {
  it.each([
    [[], 'No command given.'],
    [['flows', 'lst'], 'Unknown command: flows lst'],
    [['constructor'], 'Unknown command: constructor'],
    [['flows', 'deploy'], 'flows deploy takes <file>'],
    [['flows', 'export', 'FW1', 'a.json', 'extra'], 'flows export takes <FlowSid> [file]'],
    [['flows', 'list', '--sid', 'FW1'], '--sid does not apply to flows list'],
    [['flows', 'list', '--bogus'], "Unknown option '--bogus'"],
    [['flows', 'deploy', 'flow.json', '--status', 'live'], '--status must be draft or published (got "live")'],
    [['executions', 'list', 'FW1', '--status', 'running'], '--status must be active or ended (got "running")'],
  ])('%j exits 2 and says why', async (argv, message) => {
    const terminal = memoryTerminal();
    expect(await runStudioCli(argv, terminal, NO_SERVER)).toBe(2);
    expect(terminal.stderr.text).toContain(message);
    expect(terminal.stdout.text).toBe('');
  });

  it('help prints every command with an example', async () => {
    const terminal = memoryTerminal();
    expect(await runStudioCli(['--help'], terminal, NO_SERVER)).toBe(0);
    for (const command of ['flows deploy', 'flows validate', 'flows list', 'flows export', 'executions list', 'executions show', 'executions follow', 'executions end']) {
      expect(terminal.stdout.text).toContain(`  ${command}`);
      expect(terminal.stdout.text).toContain(`npm run studio -- ${command}`);
    }
  });

  it('a missing file is a failure (exit 1) that names the file', async () => {
    const terminal = memoryTerminal();
    expect(await runStudioCli(['flows', 'validate', '/nonexistent/flow.json'], terminal, NO_SERVER)).toBe(1);
    expect(terminal.stderr.text).toContain('Cannot read /nonexistent/flow.json');
  });
});
