import { defineCheck, isError, pass, warn } from './define';

/** A status the vendor never documents is drift, not a broken promise: warn. */
export default defineCheck({
  id: 'documented-status',
  title: 'The HTTP status is one the vendor documents',
  appliesTo: (_profile, status) => isError(status),
  run: ({ profile, status }) => {
    const rule = profile.rule(profile.doc.statusRule);
    return profile.isDocumentedStatus(status)
      ? pass(`${status} is documented: ${profile.doc.statuses[String(status)]}`, { rule })
      : warn(`${status} is not among the documented statuses ${profile.documentedStatuses().join(', ')}`, {
          rule, expected: profile.documentedStatuses(), actual: status,
        });
  },
});
