// RFC 9457 problem details as an envelope, in a profile written from scratch (test/fixtures/profiles/appointments.errspec.yaml).
import path from 'node:path';
import { evaluate } from '../../src/engine/evaluate';
import { loadProfile } from '../../src/profile/load';
import { exchangeOf } from '../helpers/exchange';

const profile = loadProfile(path.join(__dirname, '..', 'fixtures', 'profiles', 'appointments.errspec.yaml'));
const PROBLEM = { 'content-type': 'application/problem+json' };

const verdicts = (status: number, body: unknown, headers: Record<string, string> = PROBLEM) => {
  const findings = evaluate(profile, exchangeOf(status, body, headers)).findings;
  const of = (outcome: string) => findings.filter((f) => f.outcome === outcome).map((f) => `${f.check} ${f.rule?.id}`).sort();
  return { fail: of('fail'), warn: of('warn') };
};

describe('RFC 9457 problem details', () => {
  test('a problem with extension members passes, with no warning: clients MUST ignore extensions they do not recognize', () => {
    expect(verdicts(404, { type: 'https://api.example/problems/not-found', title: 'Not found', status: 404, code: 'APPOINTMENT_NOT_FOUND', traceId: 'abc', errors: [{ pointer: '/id' }] })).toEqual({ fail: [], warn: [] });
  });

  test('no type (about:blank) and no status member pass: both are optional', () => {
    expect(verdicts(404, { title: 'Not found', code: 'APPOINTMENT_NOT_FOUND' })).toEqual({ fail: [], warn: [] });
  });

  test('a status member other than the HTTP status fails rfc9457.status, and nothing else', () => {
    expect(verdicts(404, { type: 'about:blank', status: 400, code: 'APPOINTMENT_NOT_FOUND' })).toEqual({ fail: ['status-field-matches rfc9457.status'], warn: [] });
  });

  test('a status member that is not an integer fails the envelope', () => {
    expect(verdicts(404, { status: '404', code: 'APPOINTMENT_NOT_FOUND' }).fail).toEqual(['envelope-schema rfc9457.status', 'status-field-matches rfc9457.status']);
  });

  test('application/json instead of application/problem+json fails rfc9457.media-type, and nothing else', () => {
    expect(verdicts(404, { status: 404, code: 'APPOINTMENT_NOT_FOUND' }, { 'content-type': 'application/json' })).toEqual({ fail: ['media-type rfc9457.media-type'], warn: [] });
  });

  test('the rules quote RFC 9457 and cite it', () => {
    expect(profile.rule('rfc9457.status')).toMatchObject({ source: 'RFC 9457 §3.1.2', quote: ['Generators MUST use the same status code in the actual HTTP response, to assure that generic HTTP software that does not understand this format still behaves correctly.'] });
    expect(profile.codeRule('UNAUTHENTICATED').source).toBe('Appointments API reference, "Errors"');
  });
});
