import { getPointer } from '../util/json-pointer';
import { defineCheck, isError, needsJson, pass, skip, warn } from './define';


/** An error answered with an OperationOutcome describes the error: at least one issue is error or fatal. */
export default defineCheck({
  id: 'error-severity',
  title: 'An error OperationOutcome carries an error or fatal issue',
  appliesTo: (profile, status) => isError(status) && 'extractor' in profile.doc.envelope.code,
  rules: (profile) => ('extractor' in profile.doc.envelope.code ? ['fhir-r4.error-issue'] : []),
  run: (ctx) => {
    const notJson = needsJson(ctx);
    if (notJson) return notJson;
    const rule = ctx.profile.rule('fhir-r4.error-issue');
    const issues = getPointer(ctx.json, '/issue');
    if (!Array.isArray(issues) || issues.length === 0) return skip('no issue list: see envelope-schema');
    const severities = issues.map((i: { severity?: unknown } | null) => (i && typeof i === 'object' ? i.severity : undefined));
    if (severities.some((s) => s === 'error' || s === 'fatal')) return pass('an issue of severity error or fatal describes the error', { rule });
    return warn(`HTTP ${ctx.status} with issues of severity ${[...new Set(severities.map(String))].join(', ')} only: none describes the error`, {
      rule, expected: 'an issue of severity error or fatal', actual: severities,
    });
  },
});
