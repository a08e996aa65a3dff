import { coverageProperties } from './coverage';
import { targetKindOf } from './target';
import { XMLBuilder } from 'fast-xml-parser';
import { runSummary } from '../src/engine/summary';
import type { EvaluatedExchange, Summary, VendorRun } from '../src/types';
import { details, ESCAPES, MARKUP_ALL, xmlEscape, xmlSafe } from './junit-text';

export { details, xmlEscape, xmlSafe } from './junit-text';

/**
 * The one JUnit writer (Ant/Jenkins schema, validated in the tests against Jenkins' junit-4.xsd): one
 * testsuite per vendor, one testcase per (exchange, check). That schema allows no `skipped` total on
 * <testsuites> and no attributes on <skipped>, so a skip's message is its text.
 *
 * It writes in pieces so a run too large to hold streams (reporters/stream.ts): the head of a suite,
 * each exchange's testcases (one per line, built where the exchange is checked), the tail. fast-xml-parser's
 * XMLBuilder does the markup of the heads (xmlbuilder2 measured 60-140 µs a testcase, 10-20x it); the
 * testcases come from a template (junitExchangeText). Both escape as xmlEscape does: every `&` is escaped,
 * so an HTML page's `&nbsp;` quoted in a message stays text; characters XML 1.0 cannot carry are made
 * visible by xmlSafe first.
 */
/**
 * The builder's escaping: xmlEscape's markup replacement, in one pass (its default also writes `'` as
 * `&apos;`, which neither double-quoted attributes nor text need). The builder hands the replacement to
 * String.prototype.replace, which takes a function.
 */
const entities = [{ regex: MARKUP_ALL, val: ((c: string) => ESCAPES[c]) as unknown as string }];
const options = { ignoreAttributes: false, attributeNamePrefix: '@', suppressEmptyNode: true, processEntities: true, entities } as const;
const builder = new XMLBuilder({ ...options, format: false } as ConstructorParameters<typeof XMLBuilder>[0]);
const pretty = new XMLBuilder({ ...options, format: true, indentBy: '  ' } as ConstructorParameters<typeof XMLBuilder>[0]);

/** Where a suite's testcases go in the head built around them. */
const CASES = 'errspec-testcases-here';

/** A run without its exchanges: what the head of a suite needs. */
export interface SuiteHead extends Pick<VendorRun, 'vendor' | 'target' | 'targetKind' | 'source' | 'startedAt' | 'durationMs' | 'unreachable' | 'coverage'> {
  /** The run's totals as `runSummary` counts them. */
  summary: Summary;
}

const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

/** `<testsuites ...>` with the totals of all suites. */
export function testsuitesOpen(totals: { tests: number; failures: number; errors: number; seconds: number }): string {
  const xml = builder.build({ testsuites: { '@name': 'errspec', '@tests': String(totals.tests), '@failures': String(totals.failures), '@errors': String(totals.errors), '@time': totals.seconds.toFixed(3), [CASES]: '' } }) as string;
  return xml.slice(0, xml.indexOf(`<${CASES}/>`));
}

export const TESTSUITES_CLOSE = '</testsuites>\n';

/** A suite's opening lines (its properties, and the `target > reachable` error of an unreachable target), and its closing. */
export function suiteFrame(head: SuiteHead, index: number): { open: string; close: string } {
  // The run's one summary (`runSummary`: an unreachable target already counts as one check and one error).
  const s = head.summary;
  const suite: Record<string, unknown> = {
    '@name': xmlSafe(head.vendor),
    '@id': String(index),
    '@package': 'errspec',
    '@hostname': 'localhost',
    // JUnit timestamps carry no zone (Ant's ISO8601_DATETIME_PATTERN); errspec's are UTC.
    '@timestamp': head.startedAt.replace(/(\.\d+)?Z$/, ''),
    '@tests': String(s.checks),
    '@failures': String(s.failed),
    '@errors': String(s.errors),
    '@skipped': String(s.skipped),
    '@time': (head.durationMs / 1000).toFixed(3),
    properties: {
      property: [
        { '@name': 'target', '@value': xmlSafe(head.target) },
        { '@name': 'target-kind', '@value': targetKindOf(head) },
        { '@name': 'source', '@value': head.source },
        ...coverageProperties(head.coverage).map(([name, value]) => ({ '@name': name, '@value': xmlSafe(value) })),
      ],
    },
    ...(head.unreachable
      ? { testcase: { '@classname': xmlSafe(head.vendor), '@name': 'target > reachable', '@time': '0.000', error: { '@message': xmlSafe(head.unreachable), '@type': 'unreachable', '#text': xmlSafe(head.unreachable) } } }
      : {}),
    [CASES]: '',
  };
  const xml = pretty.build({ testsuite: suite }) as string;
  const at = xml.indexOf(`<${CASES}/>`);
  const indent = (text: string): string => text.replace(/^(?=.)/gm, '  ');
  return { open: indent(xml.slice(0, at).trimEnd()), close: '  </testsuite>\n' };
}

/**
 * The testcases of one exchange, one line each ('' when it has no findings). Written as a template, not
 * with the builder: a testcase is a fixed shape of four elements whose only variable parts are escaped by
 * xmlEscape, and a capture of 100,000 entries has about a million of them. The builder spent 6.4 µs on
 * one (a third of `check --json --junit`'s CPU, 3.0 s of 9.1 s on 50,000 entries; bench/check.ts); the
 * template, under 1 µs. The suite head and totals, written once, stay on the builder. The tests validate
 * both against Jenkins' junit-4.xsd and parse them back.
 */
export function junitExchangeText(vendor: string, exchange: EvaluatedExchange): string {
  const findings = exchange.findings;
  if (findings.length === 0) return '';
  const classname = xmlEscape(vendor);
  const id = xmlEscape(exchange.id);
  let text = '';
  for (let i = 0; i < findings.length; i++) {
    const f = findings[i];
    // The request's time goes on the exchange's first check (checks themselves take no time), so times add up.
    const time = i === 0 ? ((exchange.durationMs ?? 0) / 1000).toFixed(3) : '0.000';
    const check = xmlEscape(f.check);
    const open = `${i === 0 ? '' : '\n'}    <testcase classname="${classname}" name="${id} &gt; ${check}" time="${time}"`;
    if (f.outcome === 'fail') text += `${open}><failure message="${xmlEscape(f.message)}" type="${check}">${xmlEscape(details(exchange, f))}</failure></testcase>`;
    else if (f.outcome === 'error') text += `${open}><error message="${xmlEscape(f.message)}" type="transport">${xmlEscape(details(exchange, f))}</error></testcase>`;
    else if (f.outcome === 'skip') text += `${open}><skipped>${xmlEscape(f.message)}</skipped></testcase>`;
    else if (f.outcome === 'warn') text += `${open}><system-out>${xmlEscape(`warning: ${details(exchange, f)}`)}</system-out></testcase>`;
    else text += `${open}/>`;
  }
  return text;
}

/** The whole report of these runs, as the streamed writer writes it piece by piece. */
export function renderJunit(runs: VendorRun[]): string {
  const parts: string[] = [];
  const totals = { tests: 0, failures: 0, errors: 0, seconds: 0 };
  runs.forEach((run, index) => {
    // The engine's summary, never a count of this writer's own: one testcase per check, `target > reachable` included.
    const summary = runSummary(run);
    const frame = suiteFrame({ ...run, summary }, index);
    parts.push(`${frame.open}\n`);
    for (const exchange of run.exchanges) {
      const text = junitExchangeText(run.vendor, exchange);
      if (text !== '') parts.push(`${text}\n`);
    }
    parts.push(frame.close);
    totals.tests += summary.checks;
    totals.failures += summary.failed;
    totals.errors += summary.errors;
    totals.seconds += run.durationMs / 1000;
  });
  return `${XML_DECLARATION}${testsuitesOpen(totals)}\n${parts.join('')}${TESTSUITES_CLOSE}`;
}

export { XML_DECLARATION };
