import type { EvaluatedExchange, Finding } from '../src/types';

/** The text of JUnit reports, apart from xmlbuilder2: the streamed writer uses it without loading that. */

/** XML 1.0 cannot carry most control characters even escaped: replace them visibly. */
const INVALID_XML = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
/**
 * A quick test that a text may hold one (any surrogate too, so a valid pair takes the exact path): without the
 * `u` flag V8 scans a text several times faster, and almost no text needs the replacement.
 */
const MAYBE_INVALID = /[\x00-\x08\x0B\x0C\x0E-\x1F\uD800-\uDFFF\uFFFE\uFFFF]/;
export const xmlSafe = (text: string): string =>
  MAYBE_INVALID.test(text) ? text.replace(INVALID_XML, (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`) : text;

export const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };
const MARKUP = /[&<>"]/;
export const MARKUP_ALL = /[&<>"]/g;
/**
 * A text as XML character data or a double-quoted attribute value: made XML-safe, then every `&`, `<`, `>`
 * and `"` escaped (so an HTML page's `&nbsp;` quoted in a message stays text).
 */
export function xmlEscape(text: string): string {
  const safe = xmlSafe(text);
  return MARKUP.test(safe) ? safe.replace(MARKUP_ALL, (c) => ESCAPES[c]) : safe;
}

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
