import { targetKindOf } from './target';
import { runSummary } from '../src/engine/summary';
import { create } from 'xmlbuilder2';
import type { VendorRun } from '../src/types';
import { details, xmlSafe } from './junit-text';
import { coverageProperties } from './coverage';

export { details, xmlSafe } from './junit-text';

/**
 * xmlbuilder2 takes `&name;` and `&#n;` in text for entity references and writes them as they are: an
 * HTML error page's `&nbsp;` quoted in a message would be an undefined entity and the file not XML.
 * Every `&` is escaped before it gets there (xmlbuilder2 leaves `&amp;` alone).
 */
const literal = (value: string): string => value.replace(/&/g, '&amp;');

/**
 * JUnit XML (Ant/Jenkins schema, validated in the tests against Jenkins' junit-4.xsd): one testsuite per
 * vendor, one testcase per (exchange, check). That schema allows no `skipped` total on <testsuites> and
 * no attributes on <skipped>, so a skip's message is its text.
 */
export function renderJunit(runs: VendorRun[]): string {
  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele('testsuites', { name: 'errspec' });
  let total = 0, failures = 0, errors = 0, time = 0;
  runs.forEach((run, index) => {
    const cases = run.exchanges.flatMap((e) => e.findings.map((f) => ({ e, f })));
    // The engine's summary, never a count of this writer's own: one testcase per check, `target > reachable` included.
    const s = runSummary(run);
    const suiteFailures = s.failed;
    const suiteErrors = s.errors;
    const suiteSkipped = s.skipped;
    const seconds = run.durationMs / 1000;
    const suite = root.ele('testsuite', {
      name: literal(xmlSafe(run.vendor)),
      id: String(index),
      package: 'errspec',
      hostname: 'localhost',
      // JUnit timestamps carry no zone (Ant's ISO8601_DATETIME_PATTERN); errspec's are UTC.
      timestamp: run.startedAt.replace(/(\.\d+)?Z$/, ''),
      tests: String(s.checks),
      failures: String(suiteFailures),
      errors: String(suiteErrors),
      skipped: String(suiteSkipped),
      time: seconds.toFixed(3),
    });
    const properties = suite.ele('properties')
      .ele('property', { name: 'target', value: literal(xmlSafe(run.target)) }).up()
      .ele('property', { name: 'target-kind', value: targetKindOf(run) }).up()
      .ele('property', { name: 'source', value: run.source }).up();
    for (const [name, value] of coverageProperties(run.coverage)) properties.ele('property', { name, value: literal(xmlSafe(value)) });
    if (run.unreachable) {
      suite.ele('testcase', { classname: literal(xmlSafe(run.vendor)), name: 'target > reachable', time: '0.000' })
        .ele('error', { message: literal(xmlSafe(run.unreachable)), type: 'unreachable' }).txt(literal(xmlSafe(run.unreachable)));
    }
    for (const { e, f } of cases) {
      // The request's time goes on the exchange's first check (checks themselves take no time), so times add up.
      const first = e.findings[0] === f;
      const testcase = suite.ele('testcase', {
        classname: literal(xmlSafe(run.vendor)),
        name: literal(xmlSafe(`${e.id} > ${f.check}`)),
        time: (first ? (e.durationMs ?? 0) / 1000 : 0).toFixed(3),
      });
      if (f.outcome === 'fail') testcase.ele('failure', { message: literal(xmlSafe(f.message)), type: f.check }).txt(literal(details(e, f)));
      else if (f.outcome === 'error') testcase.ele('error', { message: literal(xmlSafe(f.message)), type: 'transport' }).txt(literal(details(e, f)));
      else if (f.outcome === 'skip') testcase.ele('skipped').txt(literal(xmlSafe(f.message)));
      else if (f.outcome === 'warn') testcase.ele('system-out').txt(literal(xmlSafe(`warning: ${details(e, f)}`)));
    }
    total += s.checks;
    failures += suiteFailures;
    errors += suiteErrors;
    time += seconds;
  });
  root.att({ tests: String(total), failures: String(failures), errors: String(errors), time: time.toFixed(3) });
  return root.end({ prettyPrint: true }) + '\n';
}
