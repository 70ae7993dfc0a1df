// The environment contract's parsing (common/config.ts): defaults, and clear errors for bad values.
import { ENVIRONMENT, loadConfig } from '../../common/config';

describe('loadConfig', () => {
  test('defaults come from ENVIRONMENT', () => {
    const config = loadConfig({});
    expect(config.port).toBe(Number(ENVIRONMENT.PORT));
    expect(config.taskQueue).toBe(ENVIRONMENT.TEMPORAL_TASK_QUEUE);
    expect(config.workerMaxCachedWorkflows).toBe(Number(ENVIRONMENT.WORKER_MAX_CACHED_WORKFLOWS));
  });

  test('WORKER_MAX_CACHED_WORKFLOWS takes a whole number, 0 included (cache off)', () => {
    expect(loadConfig({ WORKER_MAX_CACHED_WORKFLOWS: '600' }).workerMaxCachedWorkflows).toBe(600);
    expect(loadConfig({ WORKER_MAX_CACHED_WORKFLOWS: '0' }).workerMaxCachedWorkflows).toBe(0);
  });

  test.each(['-1', '1.5', 'many'])('WORKER_MAX_CACHED_WORKFLOWS=%s is refused with the variable named', (value) => {
    expect(() => loadConfig({ WORKER_MAX_CACHED_WORKFLOWS: value })).toThrow(/WORKER_MAX_CACHED_WORKFLOWS must be a whole number/);
  });

  test('a port out of range is refused with the variable named', () => {
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/PORT must be a port number/);
  });
});
