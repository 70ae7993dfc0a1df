// The finder's order and its build path, with fake executables (shell scripts) and a private environment, so no
// real Go build or download happens here.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cachedCliPath, defaultCacheDir, findTemporalCli, TEMPORAL_CLI_MODULE, TEMPORAL_CLI_VERSION, withLock } from '../../scripts/temporal-cli';

const ROOT = path.resolve(__dirname, '../..');
let tmp: string;

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'temporal-cli-test-'));
});
afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

function writeScript(file: string, body: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return file;
}

/** A stand-in for the CLI: prints a version line like the real one. */
function fakeCli(dir: string, label: string): string {
  return writeScript(path.join(tmp, dir, 'temporal'), `echo "temporal version ${label} (Server 1.29.1, UI 2.42.1)"`);
}

/** A stand-in for go: records its arguments, says what real go says, and leaves a fake CLI in $GOBIN. */
function fakeGo(options: { sleepSeconds?: number; fail?: boolean } = {}): string {
  const record = path.join(tmp, 'go-calls.txt');
  return writeScript(
    path.join(tmp, 'go-bin', 'go'),
    [
      // The finder hands go the test's restricted PATH; the script's own tools live in the usual places.
      'PATH="/usr/bin:/bin:$PATH"',
      `echo "$@" >> '${record}'`,
      'echo "go: downloading go.temporal.io/server v1.29.1" >&2',
      options.sleepSeconds ? `sleep ${options.sleepSeconds}` : '',
      options.fail ? 'echo "go: cannot find main module" >&2; exit 1' : '',
      'mkdir -p "$GOBIN"',
      `printf '#!/bin/sh\\necho "temporal version 0.0.0-DEV (fake build)"\\n' > "$GOBIN/temporal"`,
      'chmod 755 "$GOBIN/temporal"',
    ].join('\n'),
  );
}

function goCalls(): string[] {
  const record = path.join(tmp, 'go-calls.txt');
  return fs.existsSync(record) ? fs.readFileSync(record, 'utf8').trim().split('\n') : [];
}

const noFallbacks = { allowBuild: false, allowDownload: false } as const;

describe('findTemporalCli', () => {
  test('TEMPORAL_CLI_PATH wins over PATH and the cache', async () => {
    const explicit = fakeCli('explicit', '1.0.0-explicit');
    fakeCli('on-path', '1.0.0-path');
    const cacheDir = path.join(tmp, 'cache');
    writeScript(cachedCliPath(cacheDir), 'echo "temporal version cached"');
    const cli = await findTemporalCli({
      ...noFallbacks,
      cacheDir,
      env: { TEMPORAL_CLI_PATH: explicit, PATH: path.join(tmp, 'on-path') },
    });
    expect(cli).toEqual({ path: explicit, source: 'TEMPORAL_CLI_PATH', version: 'temporal version 1.0.0-explicit (Server 1.29.1, UI 2.42.1)' });
  });

  test('a TEMPORAL_CLI_PATH that does not exist is a clear error, not a silent fallback', async () => {
    fakeCli('on-path', '1.0.0-path');
    const missing = path.join(tmp, 'nowhere', 'temporal');
    await expect(
      findTemporalCli({ ...noFallbacks, cacheDir: path.join(tmp, 'cache'), env: { TEMPORAL_CLI_PATH: missing, PATH: path.join(tmp, 'on-path') } }),
    ).rejects.toThrow(`TEMPORAL_CLI_PATH is set to "${missing}", but no such file exists`);
  });

  test('a TEMPORAL_CLI_PATH that is not executable, or not the Temporal CLI, is a clear error', async () => {
    const notExecutable = path.join(tmp, 'plain-file');
    fs.writeFileSync(notExecutable, 'not a program');
    await expect(findTemporalCli({ ...noFallbacks, env: { TEMPORAL_CLI_PATH: notExecutable } })).rejects.toThrow('that file is not executable');
    const other = writeScript(path.join(tmp, 'other', 'tool'), 'echo "some other tool 2.0"');
    await expect(findTemporalCli({ ...noFallbacks, env: { TEMPORAL_CLI_PATH: other } })).rejects.toThrow('does not print a Temporal CLI version');
  });

  test('PATH beats the cache', async () => {
    const onPath = fakeCli('on-path', '1.0.0-path');
    const cacheDir = path.join(tmp, 'cache');
    writeScript(cachedCliPath(cacheDir), 'echo "temporal version cached"');
    const cli = await findTemporalCli({ ...noFallbacks, cacheDir, env: { PATH: [path.join(tmp, 'empty'), path.join(tmp, 'on-path')].join(path.delimiter) } });
    expect(cli.source).toBe('PATH');
    expect(cli.path).toBe(onPath);
  });

  test('the cache is used when PATH has no temporal', async () => {
    const cacheDir = path.join(tmp, 'cache');
    const cached = writeScript(cachedCliPath(cacheDir), 'echo "temporal version cached"');
    const lines: string[] = [];
    const cli = await findTemporalCli({ ...noFallbacks, cacheDir, env: { PATH: path.join(tmp, 'empty') }, log: (l) => lines.push(l) });
    expect(cli).toEqual({ path: cached, source: 'cache', version: 'temporal version cached' });
    expect(lines.join('\n')).toContain(`Using the cached Temporal CLI: ${cached}`);
  });

  test('a "temporal" on PATH that is some other program is skipped', async () => {
    writeScript(path.join(tmp, 'impostor', 'temporal'), 'echo "Temporal: a time-tracking tool"');
    const cacheDir = path.join(tmp, 'cache');
    writeScript(cachedCliPath(cacheDir), 'echo "temporal version cached"');
    const cli = await findTemporalCli({ ...noFallbacks, cacheDir, env: { PATH: path.join(tmp, 'impostor') } });
    expect(cli.source).toBe('cache');
  });

  test('a cached binary that does not run is discarded and rebuilt', async () => {
    const cacheDir = path.join(tmp, 'cache');
    writeScript(cachedCliPath(cacheDir), 'exit 3');
    fakeGo();
    const cli = await findTemporalCli({ allowDownload: false, cacheDir, env: { PATH: path.join(tmp, 'go-bin') } });
    expect(cli.source).toBe('go-install');
    expect(cli.version).toBe('temporal version 0.0.0-DEV (fake build)');
  });

  test('nothing found and nothing allowed: the error says what was tried and what to do', async () => {
    const cacheDir = path.join(tmp, 'cache');
    const attempt = findTemporalCli({ ...noFallbacks, cacheDir, env: { PATH: path.join(tmp, 'empty') } });
    await expect(attempt).rejects.toThrow(/No Temporal CLI found\. Tried: TEMPORAL_CLI_PATH \(unset\); PATH \(no "temporal"\); cache/);
    await expect(attempt).rejects.toThrow(`go install ${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION}`);
    await expect(attempt).rejects.toThrow('TEMPORAL_CLI_PATH');
    // Go allowed but absent says so as well.
    await expect(findTemporalCli({ allowDownload: false, cacheDir, env: { PATH: path.join(tmp, 'empty') } })).rejects.toThrow(
      'go install (no "go" on PATH)',
    );
  });

  test('builds with go install into the cache when go is on PATH, and says so', async () => {
    fakeGo();
    const cacheDir = path.join(tmp, 'cache');
    const lines: string[] = [];
    const cli = await findTemporalCli({ allowDownload: false, cacheDir, env: { PATH: path.join(tmp, 'go-bin') }, log: (l) => lines.push(l) });
    expect(cli).toEqual({ path: cachedCliPath(cacheDir), source: 'go-install', version: 'temporal version 0.0.0-DEV (fake build)' });
    expect(goCalls()).toEqual([`install ${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION}`]);
    const output = lines.join('\n');
    expect(output).toContain(`Building the Temporal CLI ${TEMPORAL_CLI_VERSION} with go install (first run takes a few minutes)…`);
    expect(output).toMatch(/Built the Temporal CLI in \d+s \(1 modules downloaded\)/);
    // No staging directory or lock is left behind.
    expect(fs.readdirSync(path.dirname(cachedCliPath(cacheDir)))).toEqual(['temporal']);
    expect(fs.readdirSync(cacheDir).sort()).toEqual(['bin']);
    // The next call finds the build in the cache.
    expect((await findTemporalCli({ allowDownload: false, cacheDir, env: { PATH: path.join(tmp, 'go-bin') } })).source).toBe('cache');
    expect(goCalls()).toHaveLength(1);
  });

  test('a failed go install reports go\'s output', async () => {
    fakeGo({ fail: true });
    const cacheDir = path.join(tmp, 'cache');
    const attempt = findTemporalCli({ allowDownload: false, cacheDir, env: { PATH: path.join(tmp, 'go-bin') } });
    await expect(attempt).rejects.toThrow(/go install github\.com\/temporalio\/cli\/cmd\/temporal@v1\.5\.1 failed \(exit code 1\)/);
    await expect(attempt).rejects.toThrow('go: cannot find main module');
    expect(fs.existsSync(cachedCliPath(cacheDir))).toBe(false);
    expect(fs.existsSync(path.join(cacheDir, 'temporal-cli.lock'))).toBe(false);
  });

  test('two processes needing the CLI at once share one build', async () => {
    fakeGo({ sleepSeconds: 1 });
    const cacheDir = path.join(tmp, 'cache');
    const options = { allowDownload: false, cacheDir, env: { PATH: path.join(tmp, 'go-bin') } };
    const [first, second] = await Promise.all([findTemporalCli(options), findTemporalCli(options)]);
    expect(goCalls()).toHaveLength(1);
    expect(first.path).toBe(second.path);
    expect([first.source, second.source].sort()).toEqual(['cache', 'go-install']);
  });

  test('the default cache is under XDG_CACHE_HOME, else ~/.cache', () => {
    expect(defaultCacheDir({ XDG_CACHE_HOME: '/x/cache' })).toBe('/x/cache/studio-on-temporal');
    expect(defaultCacheDir({})).toBe(path.join(os.homedir(), '.cache', 'studio-on-temporal'));
    expect(cachedCliPath('/x/cache/studio-on-temporal')).toBe('/x/cache/studio-on-temporal/bin/temporal');
  });
});

describe('withLock', () => {
  test('takes over a lock whose owner is gone', async () => {
    const lockDir = path.join(tmp, 'lock');
    fs.mkdirSync(lockDir);
    // A pid above the kernel's pid_max cannot be alive.
    fs.writeFileSync(path.join(lockDir, 'owner.json'), JSON.stringify({ pid: 2 ** 22 + 1, host: os.hostname(), since: new Date().toISOString() }));
    const lines: string[] = [];
    await expect(withLock(lockDir, (l) => lines.push(l), 5000, async () => 'done')).resolves.toBe('done');
    expect(lines.join('\n')).toContain('Removing a stale Temporal CLI build lock');
    expect(fs.existsSync(lockDir)).toBe(false);
  });

  test('waits for a live owner and gives up at its timeout', async () => {
    const lockDir = path.join(tmp, 'lock');
    fs.mkdirSync(lockDir);
    fs.writeFileSync(path.join(lockDir, 'owner.json'), JSON.stringify({ pid: process.pid, host: os.hostname(), since: new Date().toISOString() }));
    const lines: string[] = [];
    await expect(withLock(lockDir, (l) => lines.push(l), 1500, async () => 'never')).rejects.toThrow(
      `Timed out waiting for another process (pid ${process.pid}) to finish building the Temporal CLI`,
    );
    expect(lines[0]).toContain(`Another process (pid ${process.pid}) is building the Temporal CLI; waiting for it`);
  });
});

describe('tsx scripts/temporal-cli.ts', () => {
  test('prints only the path on stdout', async () => {
    const explicit = fakeCli('explicit', '9.9.9');
    const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
      execFile(
        process.execPath,
        [require.resolve('tsx/cli'), path.join(ROOT, 'scripts/temporal-cli.ts')],
        { env: { ...process.env, TEMPORAL_CLI_PATH: explicit }, cwd: ROOT, timeout: 30_000 },
        (err, out, errOut) => (err ? reject(Object.assign(err, { stderr: errOut })) : resolve({ stdout: out, stderr: errOut })),
      );
    });
    expect(stdout).toBe(`${explicit}\n`);
    expect(stderr).toContain('Using the Temporal CLI from TEMPORAL_CLI_PATH');
  });
});
