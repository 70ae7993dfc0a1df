// Finds (or, once per machine, builds) the official Temporal CLI that `npm start` and the integration
// tests use as their embedded dev server. The CLI is a ~150 MB Go binary, so it lives in a per-user cache
// outside the repository, and two processes that need it at once (jest's global setup and `npm start`)
// share one build through a lock instead of racing two `go install`s into the same file.
//
// Run directly (`tsx scripts/temporal-cli.ts`), it prints the binary's path on stdout and its progress on
// stderr, which lets CI build the CLI in a step of its own before the tests need it.
import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { errorMessage, sleep, splitLines } from './process-output';

/** The newest CLI tag that `go install` can build (later tags carry `replace` directives). */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal';

export type TemporalCliSource = 'TEMPORAL_CLI_PATH' | 'PATH' | 'cache' | 'go-install' | 'sdk-download';

export interface TemporalCli {
  path: string;
  source: TemporalCliSource;
  /** What `temporal --version` printed, e.g. "temporal version 0.0.0-DEV (Server 1.29.1, UI 2.42.1)". */
  version: string;
}

export interface FindTemporalCliOptions {
  log?: (line: string) => void;
  /** Build with `go install` when no binary is found and Go is available (default true). */
  allowBuild?: boolean;
  /** Fall back to the SDK's download from temporal.download (needs internet; default true). */
  allowDownload?: boolean;
  /** The environment to read TEMPORAL_CLI_PATH, PATH and XDG_CACHE_HOME from (tests pass their own). */
  env?: NodeJS.ProcessEnv;
  /** The cache directory (default `${XDG_CACHE_HOME:-~/.cache}/studio-on-temporal`). */
  cacheDir?: string;
  /** How long to wait for another process's build before giving up (default 30 minutes). */
  lockTimeoutMs?: number;
}

const EXE = process.platform === 'win32' ? '.exe' : '';

/** `${XDG_CACHE_HOME:-~/.cache}/studio-on-temporal`: outside the repo so `git clean` or a fresh clone keeps the build. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : path.join(os.homedir(), '.cache');
  return path.join(base, 'studio-on-temporal');
}

/** Where the cached binary lives inside a cache directory. */
export function cachedCliPath(cacheDir: string): string {
  return path.join(cacheDir, 'bin', `temporal${EXE}`);
}

export async function findTemporalCli(options: FindTemporalCliOptions = {}): Promise<TemporalCli> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => undefined);
  const cacheDir = options.cacheDir ?? defaultCacheDir(env);
  const cachePath = cachedCliPath(cacheDir);
  const tried: string[] = [];

  // 1. An explicit choice is never second-guessed: if it is wrong, say so rather than silently using another binary.
  const explicit = env.TEMPORAL_CLI_PATH;
  if (explicit) {
    const resolved = path.resolve(explicit);
    if (!isExecutableFile(resolved)) {
      throw new Error(
        `TEMPORAL_CLI_PATH is set to "${explicit}", but ${fs.existsSync(resolved) ? 'that file is not executable' : 'no such file exists'}. ` +
          'Point it at a Temporal CLI binary, or unset it to use the one on PATH or the cached build.',
      );
    }
    const version = await cliVersion(resolved);
    if (version === undefined) {
      throw new Error(`TEMPORAL_CLI_PATH is set to "${explicit}", but "${explicit} --version" does not print a Temporal CLI version.`);
    }
    log(`Using the Temporal CLI from TEMPORAL_CLI_PATH: ${resolved} (${version})`);
    return { path: resolved, source: 'TEMPORAL_CLI_PATH', version };
  }
  tried.push('TEMPORAL_CLI_PATH (unset)');

  // 2. A CLI the user installed (brew, the install script) is the one they expect us to use.
  const onPath = findOnPath(`temporal${EXE}`, env);
  if (onPath) {
    const version = await cliVersion(onPath);
    if (version !== undefined) {
      log(`Using the Temporal CLI on PATH: ${onPath} (${version})`);
      return { path: onPath, source: 'PATH', version };
    }
    log(`Ignoring ${onPath} on PATH: "temporal --version" does not print a Temporal CLI version.`);
    tried.push(`PATH (${onPath} is not a Temporal CLI)`);
  } else {
    tried.push('PATH (no "temporal")');
  }

  // 3. Our own earlier build or download.
  const cached = await usableCachedCli(cachePath, log);
  if (cached) return cached;
  tried.push(`cache (${cachePath} missing)`);

  const go = findGo(env);
  const canBuild = (options.allowBuild ?? true) && go !== undefined;
  const canDownload = options.allowDownload ?? true;
  if (!canBuild && !canDownload) {
    if (options.allowBuild !== false && go === undefined) tried.push('go install (no "go" on PATH)');
    throw new Error(
      `No Temporal CLI found. Tried: ${tried.join('; ')}. ` +
        `Install Go >= 1.25 and run \`GOBIN=${path.dirname(cachePath)} go install ${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION}\`, ` +
        'install the Temporal CLI on PATH, or set TEMPORAL_CLI_PATH.',
    );
  }

  // 4./5. Build or download, once per machine: the lock makes a second process wait for the first one's result.
  fs.mkdirSync(cacheDir, { recursive: true });
  return withLock(path.join(cacheDir, 'temporal-cli.lock'), log, options.lockTimeoutMs ?? 30 * 60_000, async () => {
    const builtMeanwhile = await usableCachedCli(cachePath, log);
    if (builtMeanwhile) return builtMeanwhile;
    const failures: string[] = [];
    if (canBuild && go !== undefined) {
      try {
        await goInstall(go, cachePath, env, log);
        return await describeBuilt(cachePath, 'go-install');
      } catch (err) {
        if (!canDownload) throw err;
        failures.push(errorMessage(err));
        log(`go install failed; trying the SDK's download instead.`);
      }
    } else if (options.allowBuild !== false) {
      log('Go is not on PATH, so the Temporal CLI cannot be built here; trying the SDK download instead.');
    }
    try {
      await sdkDownload(cacheDir, cachePath, log);
      return await describeBuilt(cachePath, 'sdk-download');
    } catch (err) {
      failures.push(errorMessage(err));
      throw new Error(
        `Could not obtain the Temporal CLI.\n${failures.join('\n')}\n` +
          'Install the Temporal CLI on PATH or set TEMPORAL_CLI_PATH (or install Go >= 1.25 so it can be built).',
      );
    }
  });
}

async function usableCachedCli(cachePath: string, log: (line: string) => void): Promise<TemporalCli | undefined> {
  if (!isExecutableFile(cachePath)) return undefined;
  const version = await cliVersion(cachePath);
  if (version === undefined) {
    // A binary that does not run (truncated copy, wrong architecture) would fail later with a worse message.
    log(`The cached Temporal CLI at ${cachePath} does not run; it will be rebuilt.`);
    fs.rmSync(cachePath, { force: true });
    return undefined;
  }
  log(`Using the cached Temporal CLI: ${cachePath} (${version})`);
  return { path: cachePath, source: 'cache', version };
}

async function describeBuilt(cachePath: string, source: TemporalCliSource): Promise<TemporalCli> {
  const version = await cliVersion(cachePath);
  if (version === undefined) throw new Error(`The Temporal CLI placed at ${cachePath} does not run ("--version" failed).`);
  return { path: cachePath, source, version };
}

function isExecutableFile(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) return false;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function findOnPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

function findGo(env: NodeJS.ProcessEnv): string | undefined {
  const onPath = findOnPath(`go${EXE}`, env);
  if (onPath) return onPath;
  // The official Go tarball installs here, and non-login shells (CI steps, IDE terminals) often lack it on PATH.
  // Only consulted with the real environment, so a test's restricted PATH really means "no Go".
  const standard = `/usr/local/go/bin/go${EXE}`;
  return env === process.env && isExecutableFile(standard) ? standard : undefined;
}

/** The first line of `cli --version` when it looks like the Temporal CLI's, else undefined. */
function cliVersion(cli: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(cli, ['--version'], { timeout: 30_000 }, (err, stdout) => {
      const first = String(stdout).trim().split('\n')[0]?.trim() ?? '';
      resolve(!err && /^temporal version /i.test(first) ? first : undefined);
    });
  });
}

async function goInstall(go: string, cachePath: string, env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<void> {
  const target = `${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION}`;
  // Build into a private directory and rename at the end, so nobody ever runs a half-written binary.
  const staging = path.join(path.dirname(cachePath), `.staging-${process.pid}`);
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  log(`Building the Temporal CLI ${TEMPORAL_CLI_VERSION} with go install (first run takes a few minutes)…`);
  log(`  $ GOBIN=${path.dirname(cachePath)} ${go} install ${target}`);
  const started = Date.now();
  const tail: string[] = [];
  let downloads = 0;
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(go, ['install', target], {
        env: { ...env, GOBIN: staging },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const onLine = (line: string) => {
        if (!line.trim()) return;
        tail.push(line);
        if (tail.length > 40) tail.shift();
        // Hundreds of "go: downloading <module>" lines say nothing useful one by one; count them instead.
        if (line.startsWith('go: downloading ')) downloads += 1;
        else log(`  go: ${line.replace(/^go: /, '')}`);
      };
      splitLines(child.stdout, onLine);
      splitLines(child.stderr, onLine);
      const heartbeat = setInterval(() => {
        log(`  … still building (${formatDuration(Date.now() - started)}, ${downloads} modules downloaded)`);
      }, 20_000);
      child.on('error', (err) => {
        clearInterval(heartbeat);
        reject(err);
      });
      child.on('close', (exitCode) => {
        clearInterval(heartbeat);
        resolve(exitCode);
      });
    });
    const built = path.join(staging, `temporal${EXE}`);
    if (code !== 0 || !fs.existsSync(built)) {
      throw new Error(
        `go install ${target} failed (exit code ${code}) after ${formatDuration(Date.now() - started)}. Last output:\n` +
          tail.map((l) => `  ${l}`).join('\n'),
      );
    }
    fs.renameSync(built, cachePath);
    log(`Built the Temporal CLI in ${formatDuration(Date.now() - started)} (${downloads} modules downloaded): ${cachePath}`);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * The SDK can only download the CLI as a side effect of starting an ephemeral server, so start one on a free
 * port, stop it, and keep the binary it left in downloadDir (moved to our fixed name so its TTL never applies).
 */
async function sdkDownload(cacheDir: string, cachePath: string, log: (line: string) => void): Promise<void> {
  const downloadDir = path.join(cacheDir, 'download');
  fs.mkdirSync(downloadDir, { recursive: true });
  log(`Downloading the Temporal CLI through the Temporal SDK into ${downloadDir} (needs internet access)…`);
  const started = Date.now();
  const { TestWorkflowEnvironment } = await import('@temporalio/testing');
  let startError: unknown;
  try {
    const testEnv = await TestWorkflowEnvironment.createLocal({
      server: { executable: { type: 'cached-download', downloadDir } },
    });
    await testEnv.teardown();
  } catch (err) {
    // The download may well have succeeded even if the server then missed the SDK's 5 s start-up window.
    startError = err;
  }
  const downloaded = fs
    .readdirSync(downloadDir)
    .filter((name) => name.startsWith('temporal-') && !name.endsWith('.downloading') && !name.endsWith('.tar.gz') && !name.endsWith('.zip'))
    .map((name) => path.join(downloadDir, name))
    .filter((file) => fs.statSync(file).isFile())
    .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0];
  if (!downloaded) {
    throw new Error(`The SDK download of the Temporal CLI failed: ${startError ? errorMessage(startError) : `no binary appeared in ${downloadDir}`}`);
  }
  fs.mkdirSync(path.dirname(cachePath), { recursive: true });
  // A rename (same file system) is atomic and does not keep a second 250 MB copy around.
  fs.chmodSync(downloaded, 0o755);
  fs.renameSync(downloaded, cachePath);
  log(`Downloaded the Temporal CLI in ${formatDuration(Date.now() - started)}: ${cachePath}`);
}

interface LockOwner {
  pid: number;
  host: string;
  since: string;
}

/**
 * A directory lock: mkdir is atomic on every file system we care about. A lock whose owner died (same host,
 * pid gone) or that is older than the longest plausible build is taken over, so a Ctrl-C never wedges the cache.
 */
export async function withLock<T>(lockDir: string, log: (line: string) => void, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  const staleAfterMs = 60 * 60_000;
  const deadline = Date.now() + timeoutMs;
  let lastNotice = 0;
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      const owner: LockOwner = { pid: process.pid, host: os.hostname(), since: new Date().toISOString() };
      fs.writeFileSync(path.join(lockDir, 'owner.json'), JSON.stringify(owner));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = readOwner(lockDir);
    const ageMs = lockAgeMs(lockDir);
    const dead = owner !== undefined && owner.host === os.hostname() && !processAlive(owner.pid);
    // An owner.json not yet written (the owner is between mkdir and write) is not stale unless the lock is old.
    if (dead || ageMs > staleAfterMs) {
      log(`Removing a stale Temporal CLI build lock (${dead ? `process ${owner?.pid} is gone` : 'older than an hour'}): ${lockDir}`);
      fs.rmSync(lockDir, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out waiting for another process${owner ? ` (pid ${owner.pid})` : ''} to finish building the Temporal CLI (lock ${lockDir}).`);
    }
    if (Date.now() - lastNotice > 30_000) {
      log(`Another process${owner ? ` (pid ${owner.pid})` : ''} is building the Temporal CLI; waiting for it (lock ${lockDir})…`);
      lastNotice = Date.now();
    }
    await sleep(1000);
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lockDir, { recursive: true, force: true });
  }
}

function readOwner(lockDir: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(fs.readFileSync(path.join(lockDir, 'owner.json'), 'utf8')) as Partial<LockOwner>;
    return typeof owner.pid === 'number' && typeof owner.host === 'string' ? (owner as LockOwner) : undefined;
  } catch {
    return undefined;
  }
}

function lockAgeMs(lockDir: string): number {
  try {
    return Date.now() - fs.statSync(lockDir).mtimeMs;
  } catch {
    return 0;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return seconds < 60 ? `${seconds}s` : `${Math.floor(seconds / 60)}m ${String(seconds % 60).padStart(2, '0')}s`;
}

if (require.main === module) {
  // stdout carries only the path, so `$(tsx scripts/temporal-cli.ts)` works in shell scripts.
  findTemporalCli({ log: (line) => process.stderr.write(`${line}\n`) }).then(
    (cli) => process.stdout.write(`${cli.path}\n`),
    (err: unknown) => {
      process.stderr.write(`${errorMessage(err)}\n`);
      process.exitCode = 1;
    },
  );
}
