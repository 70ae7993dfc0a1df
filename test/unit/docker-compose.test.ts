// docker-compose.yml is only exercised by hand (it needs Docker and pulls images), so this test keeps it in step
// with the code it deploys: the run-time contract of common/config.ts and the search attributes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN, ENVIRONMENT } from '../../common/config';
import { CLI_SEARCH_ATTRIBUTE_TYPE, devServerArgs } from '../../scripts/dev-server';
import { ALL_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';

const ROOT = path.resolve(__dirname, '../..');

interface Service {
  image?: string;
  build?: unknown;
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: Array<string | number | { target: number; published?: string | number }>;
  depends_on?: string[] | Record<string, { condition?: string }>;
  configs?: Array<{ source: string; target: string }>;
}

const compose = parse(fs.readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, Service>;
  configs?: Record<string, { content?: string }>;
};
const services = compose.services;
const APP_SERVICES = ['api', 'worker', 'emulator'] as const;

function service(name: string): Service {
  const found = services[name];
  if (!found) throw new Error(`docker-compose.yml has no service "${name}"`);
  return found;
}

/** The environment as written (before interpolation), whichever of the two syntaxes is used. */
function rawEnvironment(name: string): Record<string, string> {
  const env = service(name).environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(env.map((entry) => {
      const eq = entry.indexOf('=');
      return eq < 0 ? [entry, ''] : [entry.slice(0, eq), entry.slice(eq + 1)];
    }));
  }
  return Object.fromEntries(Object.entries(env).map(([key, value]) => [key, value === null ? '' : String(value)]));
}

const INTERPOLATION = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}/g;

/** What Compose makes of a value when none of the variables it interpolates is set. */
function withDefaults(value: string): string {
  return value.replace(/\$\$/g, '\u0000').replace(INTERPOLATION, (_m, _name, _op, fallback: string | undefined) => fallback ?? '').replace(/\u0000/g, '$');
}

function interpolatedNames(value: string): string[] {
  return [...value.matchAll(INTERPOLATION)].map((match) => match[1] as string);
}

function resolvedEnvironment(name: string): Record<string, string> {
  return Object.fromEntries(Object.entries(rawEnvironment(name)).map(([key, value]) => [key, withDefaults(value)]));
}

/** [host, container] port pairs. */
function portPairs(name: string): Array<[string, string]> {
  return (service(name).ports ?? []).map((port) => {
    if (typeof port === 'object') return [String(port.published ?? port.target), String(port.target)];
    const parts = withDefaults(String(port)).replace(/\/(tcp|udp)$/, '').split(':');
    const container = parts[parts.length - 1] as string;
    return [parts.length > 1 ? (parts[parts.length - 2] as string) : container, container];
  });
}

function commandLine(name: string): string {
  const { command } = service(name);
  return Array.isArray(command) ? command.join(' ') : String(command ?? '');
}

describe('docker-compose.yml', () => {
  test('defines the whole system', () => {
    for (const name of ['postgresql', 'temporal', 'temporal-ui', 'api', 'worker', 'emulator']) expect(services[name]).toBeDefined();
    expect(services['register-search-attributes'] ?? services['temporal-admin-tools']).toBeDefined();
    expect(service('postgresql').image).toMatch(/^postgres:16/);
    expect(service('temporal').image).toMatch(/^temporalio\/auto-setup:/);
    expect(service('temporal-ui').image).toMatch(/^temporalio\/ui:/);
    for (const name of APP_SERVICES) expect(service(name).build).toBeDefined();
  });

  test('api, worker and emulator run the npm scripts start:api, start:worker, start:emulator', () => {
    expect(commandLine('api')).toBe('npm run start:api');
    expect(commandLine('worker')).toBe('npm run start:worker');
    expect(commandLine('emulator')).toBe('npm run start:emulator');
  });

  test('published ports are the defaults of the run-time contract', () => {
    expect(portPairs('api')).toEqual([[ENVIRONMENT.PORT, ENVIRONMENT.PORT]]);
    expect(portPairs('emulator')).toEqual([[ENVIRONMENT.EMULATOR_PORT, ENVIRONMENT.EMULATOR_PORT]]);
    // temporalio/ui listens on 8080 inside its container.
    expect(portPairs('temporal-ui')).toEqual([[ENVIRONMENT.TEMPORAL_UI_PORT, '8080']]);
    expect(portPairs('temporal')).toEqual([['7233', '7233']]);
    // The processes listen where the ports are mapped.
    expect(resolvedEnvironment('api').PORT).toBe(ENVIRONMENT.PORT);
    expect(resolvedEnvironment('emulator').EMULATOR_PORT).toBe(ENVIRONMENT.EMULATOR_PORT);
  });

  test('the app services name only variables of common/config.ts ENVIRONMENT', () => {
    const known = new Set(Object.keys(ENVIRONMENT));
    for (const name of APP_SERVICES) {
      const env = rawEnvironment(name);
      expect(Object.keys(env).length).toBeGreaterThan(0);
      for (const [key, value] of Object.entries(env)) {
        expect({ service: name, variable: key, known: known.has(key) }).toEqual({ service: name, variable: key, known: true });
        // A value taken from the host must come from a variable of the same contract, so one .env serves both.
        for (const used of interpolatedNames(value)) {
          expect({ service: name, variable: key, interpolates: used, known: known.has(used) }).toEqual({
            service: name,
            variable: key,
            interpolates: used,
            known: true,
          });
        }
      }
    }
  });

  test('api, worker and emulator share one account, and its default is the local one', () => {
    for (const variable of ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'PUBLIC_URL'] as const) {
      const values = APP_SERVICES.map((name) => rawEnvironment(name)[variable]);
      expect({ variable, values }).toEqual({ variable, values: APP_SERVICES.map(() => values[0]) });
      expect(values[0]).toBeTruthy();
    }
    expect(resolvedEnvironment('api').TWILIO_ACCOUNT_SID).toBe(DEFAULT_ACCOUNT_SID);
    expect(resolvedEnvironment('api').TWILIO_AUTH_TOKEN).toBe(DEFAULT_AUTH_TOKEN);
  });

  test('the api and the worker reach the same Temporal, the emulator and the flow store', () => {
    const api = rawEnvironment('api');
    const worker = rawEnvironment('worker');
    for (const variable of ['TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'TWILIO_API_BASE_URL', 'DATABASE_URL'] as const) {
      expect({ variable, worker: worker[variable] }).toEqual({ variable, worker: api[variable] });
    }
    expect(withDefaults(api.TEMPORAL_ADDRESS ?? '')).toBe('temporal:7233');
    expect(withDefaults(api.TWILIO_API_BASE_URL ?? '')).toBe(`http://emulator:${ENVIRONMENT.EMULATOR_PORT}`);
    expect(withDefaults(api.DATABASE_URL ?? '')).toMatch(/^postgres(ql)?:\/\/[^@]+@postgresql:5432\/studio$/);
    // The emulator delivers webhooks to the api service.
    expect(resolvedEnvironment('emulator').PUBLIC_URL).toBe(`http://api:${ENVIRONMENT.PORT}`);
    // Temporal creates the namespace the app uses.
    expect(rawEnvironment('temporal').DEFAULT_NAMESPACE).toBe(api.TEMPORAL_NAMESPACE);
    expect(rawEnvironment('temporal-ui').TEMPORAL_ADDRESS).toBe('temporal:7233');
  });

  test('registers every search attribute of workflows/search-attributes.ts with its type', () => {
    const registrar = services['register-search-attributes'] ?? service('temporal-admin-tools');
    const script = [registrar.entrypoint, registrar.command].flat().filter(Boolean).join('\n');
    const registered = new Map<string, string>();
    for (const match of script.matchAll(/--name[ =]+([A-Za-z0-9_]+)\s*\\?\s*--type[ =]+([A-Za-z]+)/g)) {
      registered.set(match[1] as string, match[2] as string);
    }
    const expected = new Map(ALL_SEARCH_ATTRIBUTES.map((key) => [key.name, CLI_SEARCH_ATTRIBUTE_TYPE[key.type]]));
    expect(Object.fromEntries(registered)).toEqual(Object.fromEntries(expected));
    expect(script).toMatch(/temporal operator search-attribute create/);
    // The app must not start before the attributes exist: a start that sets an unknown attribute is rejected.
    const registrarName = services['register-search-attributes'] ? 'register-search-attributes' : 'temporal-admin-tools';
    for (const name of ['api', 'worker'] as const) {
      const dependsOn = service(name).depends_on;
      expect(dependsOn && !Array.isArray(dependsOn) ? dependsOn[registrarName]?.condition : undefined).toBe('service_completed_successfully');
    }
  });

  test('Temporal runs with the dev server\'s dynamic config: one partition per task queue', () => {
    const file = rawEnvironment('temporal').DYNAMIC_CONFIG_FILE_PATH;
    const mounted = (service('temporal').configs ?? []).find((entry) => entry.target === file);
    expect(mounted).toBeDefined();
    const settings = parse(compose.configs?.[mounted!.source]?.content ?? '') as Record<string, Array<{ value: unknown }>>;
    const devServer = devServerArgs({ cliPath: 'temporal', port: 7233 });
    for (const name of ['matching.numTaskqueueReadPartitions', 'matching.numTaskqueueWritePartitions']) {
      expect(settings[name]).toEqual([{ value: 1 }]);
      expect(devServer).toContain(`${name}=1`);
    }
  });

  test('the Dockerfile copies only source directories that exist', () => {
    const dockerfile = fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^FROM node:20-slim/m);
    expect(dockerfile).toMatch(/npm ci/);
    expect(dockerfile).toMatch(/CMD \["npm", "run", "start:api"\]/);
    const copied = [...dockerfile.matchAll(/^COPY (?!--)(.+) \S+$/gm)].flatMap((match) => (match[1] as string).split(/\s+/));
    for (const source of copied) expect({ source, exists: fs.existsSync(path.join(ROOT, source)) }).toEqual({ source, exists: true });
    for (const dir of ['common', 'workflows', 'activities', 'worker', 'api', 'emulator']) expect(copied).toContain(dir);
  });
});
