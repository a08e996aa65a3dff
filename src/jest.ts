/**
 * `errspec/jest`: `expect(response).toMatchErrorContract('opescare')` in a user's own Jest tests.
 * Importing this module (in a test file or `setupFilesAfterEach`) registers the matcher with Jest's `expect`.
 */
import { checkResponse, checkResponseSync, isPlain, type CheckOptions, type CheckResult } from './api/check-response';
import type { ResponseLike } from './api/response';
import type { Profile } from './profile/profile';
import type { Finding } from './types';

export type { CheckOptions, CheckResult } from './api/check-response';

interface MatcherResult {
  pass: boolean;
  message: () => string;
}

/** The parts of Jest's matcher context the message uses; absent outside Jest. */
interface MatcherContextLike {
  isNot?: boolean;
  utils?: { printExpected(value: unknown): string; printReceived(value: unknown): string; matcherHint(name: string, received?: string, expected?: string, options?: object): string };
}

const show = (value: unknown): string => (typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? String(value));

/** Text on one line, cut at `max` characters: a quoted table or example keeps the message readable. */
function oneLine(text: string, max = Infinity): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** One finding as the failure message shows it: the check, the rule it enforces, what was expected and what came back. */
function describe(finding: Finding, ctx: MatcherContextLike): string {
  const mark = finding.outcome === 'warn' ? '!' : '✕';
  const lines = [`  ${mark} ${finding.check}${finding.rule ? ` (${finding.rule.id})` : ''}: ${finding.message}`];
  if (finding.expected !== undefined) lines.push(`      Expected: ${ctx.utils ? ctx.utils.printExpected(finding.expected) : show(finding.expected)}`);
  if (finding.actual !== undefined) lines.push(`      Received: ${ctx.utils ? ctx.utils.printReceived(finding.actual) : show(finding.actual)}`);
  const rule = finding.rule;
  if (rule) {
    lines.push(`      Rule: ${oneLine(rule.text)} (${rule.source})`);
    if (rule.quote?.length) lines.push(`      Quote: "${oneLine(rule.quote.join(' '), 240)}"`);
  }
  return lines.join('\n');
}

function verdict(result: CheckResult, vendorArg: string, ctx: MatcherContextLike): MatcherResult {
  const hint = ctx.utils ? ctx.utils.matcherHint('toMatchErrorContract', 'response', show(vendorArg), { isNot: ctx.isNot }) : `expect(response).toMatchErrorContract(${show(vendorArg)})`;
  const failed = result.findings.filter((f) => f.outcome === 'fail' || f.outcome === 'error');
  const warned = result.findings.filter((f) => f.outcome === 'warn');
  if (!result.ok) {
    const listed = [...failed, ...warned].map((f) => describe(f, ctx)).join('\n');
    return { pass: false, message: () => `${hint}\n\nHTTP ${result.status} broke ${failed.length} check${failed.length === 1 ? '' : 's'} of the ${result.vendor} error contract:\n${listed}` };
  }
  const passed = result.findings.filter((f) => f.outcome === 'pass').map((f) => f.check);
  const note = warned.length > 0 ? `\n(with ${warned.length} warning${warned.length === 1 ? '' : 's'}:\n${warned.map((f) => describe(f, ctx)).join('\n')})` : '';
  return {
    pass: true,
    message: () => `${hint}\n\nHTTP ${result.status} met the ${result.vendor} error contract (${passed.length > 0 ? `passed: ${passed.join(', ')}` : 'no check applies to a 2xx response'})${note}`,
  };
}

/**
 * The matcher: synchronous for `{status, headers, body}`, a promise (`await expect(...)`) for a fetch
 * or undici response, whose body has to be read.
 */
export function toMatchErrorContract(this: MatcherContextLike | undefined, received: ResponseLike, vendor: string | Profile, options: CheckOptions = {}): MatcherResult | Promise<MatcherResult> {
  const ctx = this ?? {};
  const name = typeof vendor === 'string' ? vendor : vendor.id;
  if (received === null || typeof received !== 'object') {
    return { pass: false, message: () => `toMatchErrorContract: expected a Response, an undici response or {status, headers, body}; received ${show(received)}` };
  }
  if (isPlain(received)) return verdict(checkResponseSync(vendor, received, options), name, ctx);
  return checkResponse({ ...options, vendor, response: received }).then((result) => verdict(result, name, ctx));
}

export const matchers = { toMatchErrorContract };

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    // eslint-disable-next-line @typescript-eslint/no-unused-vars, @typescript-eslint/no-empty-object-type
    interface Matchers<R, T = {}> {
      /** The response meets the vendor's error contract: no check fails (`await` it for a fetch or undici response). */
      toMatchErrorContract(vendor: string | Profile, options?: CheckOptions): R;
    }
  }
}

// Registered on import when Jest's `expect` is in scope (test files, setupFilesAfterEach).
const expectInScope = (globalThis as { expect?: { extend?: (m: object) => void } }).expect;
if (typeof expectInScope?.extend === 'function') expectInScope.extend(matchers);
