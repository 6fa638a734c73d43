import { configFromEnv } from './config.js';

describe('configFromEnv', () => {
  it('uses defaults for an empty environment', () => {
    expect(configFromEnv({}, 'host-a')).toEqual({
      httpHost: '0.0.0.0',
      httpPort: 8080,
      logLevel: 'info',
      namespace: 'default',
      podName: 'host-a',
      leaderElection: true,
      concurrency: 4,
      runnerImage: 'servirt-runner:0.1.0',
    });
  });

  it('reads every variable', () => {
    const env = {
      SERVIRT_HTTP_HOST: '127.0.0.1',
      SERVIRT_HTTP_PORT: '0',
      LOG_LEVEL: 'debug',
      POD_NAMESPACE: 'servirt-system',
      POD_NAME: 'servirt-7c9d',
      SERVIRT_LEADER_ELECTION: 'false',
      SERVIRT_CONCURRENCY: '8',
      SERVIRT_RUNNER_IMAGE: 'registry.example/servirt:1.2.3',
    };
    expect(configFromEnv(env, 'ignored')).toEqual({
      httpHost: '127.0.0.1',
      httpPort: 0,
      logLevel: 'debug',
      namespace: 'servirt-system',
      podName: 'servirt-7c9d',
      leaderElection: false,
      concurrency: 8,
      runnerImage: 'registry.example/servirt:1.2.3',
    });
  });

  it.each([
    [{ SERVIRT_HTTP_PORT: 'eighty' }, /SERVIRT_HTTP_PORT/],
    [{ SERVIRT_HTTP_PORT: '70000' }, /SERVIRT_HTTP_PORT/],
    [{ SERVIRT_HTTP_PORT: '80.5' }, /SERVIRT_HTTP_PORT/],
    [{ LOG_LEVEL: 'verbose' }, /LOG_LEVEL must be one of/],
    [{ SERVIRT_CONCURRENCY: '0' }, /SERVIRT_CONCURRENCY/],
    [{ SERVIRT_LEADER_ELECTION: 'yes' }, /SERVIRT_LEADER_ELECTION must be true or false/],
  ])('rejects %j', (env, message) => {
    expect(() => configFromEnv(env, 'h')).toThrow(message);
  });
});
