import { defineCheck, fail, isError, pass, warn } from './define';
import { mediaTypeEssence } from '../util/media-type';

/** The error body is labelled with the vendor's JSON media type. */
export default defineCheck({
  id: 'media-type',
  title: 'The error body has the documented media type',
  appliesTo: (_profile, status) => isError(status),
  run: ({ profile, headers }) => {
    const { mediaTypes, toleratedMediaTypes = [], mediaTypeRule } = profile.doc.envelope;
    const rule = profile.rule(mediaTypeRule);
    const raw = headers['content-type'];
    // Repeated headers arrive joined with ", "; a media type never holds an unquoted comma.
    const several = raw?.split(',').map((v) => v.trim()).filter((v) => v !== '');
    if (several && several.length > 1) {
      return fail(`${several.length} Content-Type headers (${several.join(' and ')}): Content-Type has one value, so a client cannot tell which applies`, {
        rule, expected: mediaTypes, actual: several,
      });
    }
    const actual = raw === undefined ? undefined : mediaTypeEssence(raw);
    if (actual && mediaTypes.includes(actual)) return pass(`Content-Type ${actual}`, { rule });
    if (actual && toleratedMediaTypes.includes(actual)) {
      return warn(`Content-Type ${actual} is tolerated; ${mediaTypes.join(' or ')} is the documented type`, {
        rule, expected: mediaTypes, actual,
      });
    }
    return fail(`expected Content-Type ${mediaTypes.join(' or ')}, got ${raw ?? 'none'}`, {
      rule, expected: mediaTypes, actual: raw ?? null,
    });
  },
});
