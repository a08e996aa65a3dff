import { channel } from 'node:diagnostics_channel';

/**
 * How `errspec verify` hands its engine to the conformance suites. Jest gives each test file its own
 * module registry, so each suite would load undici, ajv and yaml, compile the schemas and parse the
 * profiles again; core modules are shared, so a named diagnostics channel reaches the CLI, which answers
 * with the engine modules it has already loaded (the same idea as interrupt.ts).
 */
const CHANNEL = 'errspec:verify:engine';

interface EngineRequest {
  engine?: unknown;
}

/** The CLI's end: answers every suite with `load()` (called once). Returns the function that stops answering. */
export function shareEngine(load: () => unknown): () => void {
  const engines = channel(CHANNEL);
  let engine: unknown;
  const answer = (message: unknown): void => {
    engine ??= load();
    (message as EngineRequest).engine = engine;
  };
  engines.subscribe(answer);
  return () => engines.unsubscribe(answer);
}

/** A suite's end: the engine errspec verify shares, or undefined under a user's own Jest. */
export function sharedEngine<T>(): T | undefined {
  const engines = channel(CHANNEL);
  if (!engines.hasSubscribers) return undefined;
  const request: EngineRequest = {};
  engines.publish(request);
  return request.engine as T | undefined;
}
