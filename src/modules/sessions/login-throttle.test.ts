import { describe, expect, it } from 'vitest';
import { LoginThrottle } from './login-throttle.js';

describe('LoginThrottle', () => {
  const config = { maxFailuresPerLogin: 3, maxFailuresPerIp: 5, windowSeconds: 60 };

  it('throttles a login after its failures, from any IP, until they leave the window', () => {
    let now = 1_000_000;
    const throttle = new LoginThrottle(config, () => now);
    for (const ip of ['10.0.0.1', '10.0.0.2', '10.0.0.3']) {
      expect(throttle.check('Bob', ip)).toEqual({ allowed: true });
      throttle.fail('Bob', ip);
      now += 1000;
    }
    expect(throttle.check('bob', '10.0.0.9')).toEqual({
      allowed: false,
      scope: 'login',
      retryAfterSeconds: 57,
    });
    expect(throttle.check('alice', '10.0.0.9')).toEqual({ allowed: true });
    now += 57_000;
    expect(throttle.check('bob', '10.0.0.9')).toEqual({ allowed: true });
  });

  it('throttles an IP that tries many logins', () => {
    const throttle = new LoginThrottle(config, () => 0);
    for (let i = 0; i < 5; i++) throttle.fail(`user${i}`, '10.0.0.1');
    expect(throttle.check('someone-else', '10.0.0.1')).toMatchObject({ allowed: false, scope: 'ip' });
    expect(throttle.check('someone-else', '10.0.0.2')).toEqual({ allowed: true });
  });

  it('forgets a login’s failures after a success', () => {
    const throttle = new LoginThrottle(config, () => 0);
    throttle.fail('bob', '10.0.0.1');
    throttle.fail('bob', '10.0.0.1');
    throttle.succeed('BOB');
    throttle.fail('bob', '10.0.0.1');
    expect(throttle.check('bob', '10.0.0.2')).toEqual({ allowed: true });
  });
});
