import type { EvaluatedExchange, Finding } from '../src/types';

/** The text of JUnit reports, apart from xmlbuilder2: the streamed writer uses it without loading that. */

/** XML 1.0 cannot carry most control characters even escaped: replace them visibly. */
const INVALID_XML = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
export const xmlSafe = (text: string): string =>
  text.replace(INVALID_XML, (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`);

const show = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

/** The text of a failure, error or warning: message, rule, expected and actual values, request and reproduction. */
export function details(exchange: EvaluatedExchange, finding: Finding): string {
  const lines = [finding.message];
  if (finding.rule) lines.push(`rule: ${finding.rule.id} (${finding.rule.source}): ${finding.rule.text}`);
  if (finding.expected !== undefined) lines.push(`expected: ${show(finding.expected)}`);
  if (finding.actual !== undefined) lines.push(`actual: ${show(finding.actual)}`);
  lines.push(`request: ${exchange.request.method} ${exchange.request.url}`);
  if (exchange.response) lines.push(`response: HTTP ${exchange.response.status}`);
  if (finding.repro) lines.push(`reproduce: ${finding.repro}`);
  return xmlSafe(lines.join('\n'));
}
