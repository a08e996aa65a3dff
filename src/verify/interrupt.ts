import { channel } from 'node:diagnostics_channel';

/**
 * How `errspec verify` tells the conformance suites it was interrupted. Jest gives each test file its
 * own `process` (signal listeners there never fire) and its own module registry, but core modules are
 * shared: a named diagnostics channel is one object for the whole process.
 */
const CHANNEL = 'errspec:verify:interrupt';

type InterruptMessage =
  | { kind: 'interrupt'; signal: NodeJS.Signals }
  /** A suite starting late asks whether the run was already interrupted; the CLI fills in `signal`. */
  | { kind: 'query'; signal?: NodeJS.Signals };

/** The CLI's end: records the first signal and answers suites that start after it. */
export interface InterruptSource {
  /** The signal received, once one was. */
  readonly signal: NodeJS.Signals | undefined;
  interrupt(signal: NodeJS.Signals): void;
  dispose(): void;
}

export function interruptSource(): InterruptSource {
  const interrupts = channel(CHANNEL);
  let received: NodeJS.Signals | undefined;
  const answer = (message: unknown): void => {
    const m = message as InterruptMessage;
    if (m.kind === 'query' && received) m.signal = received;
  };
  interrupts.subscribe(answer);
  return {
    get signal() {
      return received;
    },
    interrupt(signal) {
      if (received) return;
      received = signal;
      interrupts.publish({ kind: 'interrupt', signal } satisfies InterruptMessage);
    },
    dispose: () => interrupts.unsubscribe(answer),
  };
}

/** A suite's end: an AbortSignal that aborts when the CLI is interrupted (already aborted if it was before). */
export interface InterruptWatch {
  signal: AbortSignal;
  dispose(): void;
}

export function watchInterrupt(): InterruptWatch {
  const interrupts = channel(CHANNEL);
  const controller = new AbortController();
  const onMessage = (message: unknown): void => {
    const m = message as InterruptMessage;
    if (m.kind === 'interrupt') controller.abort(m.signal);
  };
  interrupts.subscribe(onMessage);
  const query: InterruptMessage = { kind: 'query' };
  interrupts.publish(query);
  if (query.signal) controller.abort(query.signal);
  return { signal: controller.signal, dispose: () => interrupts.unsubscribe(onMessage) };
}
