import { getPointer } from '../util/json-pointer';
import { defineCheck, fail, needsJson, pass, skip, warn } from './define';

/**
 * A documentation link "for the specific code" (medblocks doc_url, healthcloud docsUrl) names that code:
 * a link that names another documented code misleads whoever follows it; one that names none only warns.
 */
export default defineCheck({
  id: 'doc-url',
  title: 'The documentation link names the returned code',
  appliesTo: (profile, status) => status >= 400 && profile.doc.envelope.docUrl !== undefined,
  run: (ctx) => {
    const notJson = needsJson(ctx);
    if (notJson) return notJson;
    const { profile, facts, json } = ctx;
    const locator = profile.doc.envelope.docUrl!;
    const rule = profile.rule(locator.rule);
    const url = getPointer(json, locator.pointer);
    if (typeof url !== 'string') return skip(`no documentation link at ${locator.pointer}: see envelope-schema`);
    if (facts.code === undefined) return skip('no code found in the body: see envelope-schema');
    const tokens = url.split(/[^A-Za-z0-9_-]+/);
    if (tokens.includes(facts.code)) return pass(`${locator.pointer} names ${facts.code}`, { rule });
    const named = new Set(tokens.filter((token) => profile.codeDef(token) !== undefined));
    if (named.size > 0) {
      return fail(`${locator.pointer} links to the documentation of ${[...named].join(', ')}, not of ${facts.code}: ${url}`, { rule, expected: `a link naming ${facts.code}`, actual: url });
    }
    return warn(`${locator.pointer} names no documented code (expected one naming ${facts.code}): ${url}`, { rule, expected: `a link naming ${facts.code}`, actual: url });
  },
});
