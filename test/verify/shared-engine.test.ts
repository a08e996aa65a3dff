import { shareEngine, sharedEngine } from '../../src/verify/shared-engine';

describe('the engine errspec verify shares with its suites', () => {
  test('no one shares: a suite under a user\'s own Jest loads its own', () => {
    expect(sharedEngine()).toBeUndefined();
  });

  test('the CLI loads it once and every suite gets that one, until it stops sharing', () => {
    const engine = { name: 'engine' };
    const load = jest.fn(() => engine);
    const stop = shareEngine(load);
    try {
      expect(sharedEngine()).toBe(engine);
      expect(sharedEngine()).toBe(engine);
      expect(load).toHaveBeenCalledTimes(1);
    } finally {
      stop();
    }
    expect(sharedEngine()).toBeUndefined();
  });
});
