// Temporal's Java test server (io.temporal:temporal-test-server from Maven Central) gives
// time-skipping tests: Studio's default 3600 s reply timeout and its 30-day execution lifetime are
// tested without waiting. This script fetches its jars once with Maven into the project's cache
// (outside the repo) and writes a launcher that the SDK runs through its `existing-path` option.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defaultCacheDir } from './temporal-cli';

export const TEST_SERVER_VERSION = '1.31.0';

const POM = `<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
<groupId>local.studio-on-temporal</groupId><artifactId>java-test-server</artifactId><version>1</version>
<dependencies><dependency><groupId>io.temporal</groupId><artifactId>temporal-test-server</artifactId><version>${TEST_SERVER_VERSION}</version></dependency></dependencies>
</project>
`;

function onPath(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/**
 * The path of an executable that starts the Java test server (`<launcher> <port> --enable-time-skipping`),
 * or null with the reason when Java or Maven is missing.
 */
export type JavaTestServer = { path: string; reason?: undefined } | { path: null; reason: string };

export function findJavaTestServer(log: (line: string) => void = () => undefined): JavaTestServer {
  const directory = path.join(defaultCacheDir(), `java-test-server-${TEST_SERVER_VERSION}`);
  const launcher = path.join(directory, 'temporal-test-server');
  const libraries = path.join(directory, 'lib');
  if (fs.existsSync(launcher) && fs.existsSync(path.join(libraries, `temporal-test-server-${TEST_SERVER_VERSION}.jar`))) return { path: launcher };
  if (!onPath('java')) return { path: null, reason: 'java is not installed' };
  if (!onPath('mvn')) return { path: null, reason: 'mvn (Maven) is not installed' };
  fs.mkdirSync(directory, { recursive: true });
  fs.writeFileSync(path.join(directory, 'pom.xml'), POM);
  log(`Fetching io.temporal:temporal-test-server:${TEST_SERVER_VERSION} with Maven (once)…`);
  const result = spawnSync('mvn', ['-q', '-B', 'dependency:copy-dependencies', `-DoutputDirectory=${libraries}`], { cwd: directory, encoding: 'utf8' });
  if (result.status !== 0) return { path: null, reason: `mvn failed: ${(result.stdout + result.stderr).slice(-2000)}` };
  fs.writeFileSync(launcher, `#!/bin/sh\nexec java -cp "${libraries}/*" io.temporal.testserver.TestServer "$@"\n`, { mode: 0o755 });
  return { path: launcher };
}

if (require.main === module) {
  const found = findJavaTestServer((line) => process.stderr.write(line + '\n'));
  if (found.path) process.stdout.write(found.path + '\n');
  else {
    process.stderr.write(`Java test server unavailable: ${found.reason}\n`);
    process.exit(1);
  }
}
