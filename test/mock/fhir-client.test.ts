// Issue 18: a real FHIR client (MedplumClient) against the fhir-r4 mock behaves as against a real server.
import { MedplumClient, OperationOutcomeError } from '@medplum/core';
import type { Patient } from '@medplum/fhirtypes';
import { request } from 'undici';
import { startMock, type RunningMock } from '../../src/mock/server';
import { loadProfile } from '../../src/profile/load';

describe('fhir-r4 mock with MedplumClient', () => {
  let mock: RunningMock;
  let medplum: MedplumClient;
  beforeAll(async () => {
    mock = await startMock(loadProfile('fhir-r4'));
    medplum = new MedplumClient({ baseUrl: `${mock.url}/`, fhirUrlPath: '', fetch, cacheTime: 0 });
    medplum.setAccessToken('client-token-of-the-test');
  });
  afterAll(async () => mock.close());

  const outcomeOf = async (promise: Promise<unknown>): Promise<{ code?: string; diagnostics?: string }> => {
    const error = await promise.then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(OperationOutcomeError);
    const issue = (error as OperationOutcomeError).outcome.issue[0];
    return { code: issue.code, diagnostics: issue.diagnostics };
  };

  test('reads the CapabilityStatement at /metadata, without a credential too', async () => {
    const capability = await medplum.get(medplum.fhirUrl('metadata'));
    expect(capability).toEqual(expect.objectContaining({ resourceType: 'CapabilityStatement', fhirVersion: '4.0.1', kind: 'instance' }));
    const open = await request(`${mock.url}/metadata`);
    expect(open.statusCode).toBe(200);
    expect(open.headers['content-type']).toBe('application/fhir+json');
    expect(((await open.body.json()) as { resourceType: string }).resourceType).toBe('CapabilityStatement');
  });

  test('creates a valid Patient and reads it back; an invalid one is 400 invalid', async () => {
    const created = await medplum.createResource<Patient>({ resourceType: 'Patient', name: [{ family: 'Chalmers', given: ['Peter'] }], birthDate: '1974-12-25' });
    expect(created.id).toMatch(/^[A-Za-z0-9-.]+$/);
    expect(created.meta?.versionId).toBe('1');
    const read = await medplum.readResource('Patient', created.id);
    expect(read.name?.[0].family).toBe('Chalmers');
    expect(await outcomeOf(medplum.createResource<Patient>({ resourceType: 'Patient', birthDate: 'not-a-date' }))).toEqual(expect.objectContaining({ code: 'invalid' }));
  });

  test('reading an unknown id is 404 not-found naming that id', async () => {
    const outcome = await outcomeOf(medplum.readResource('Patient', 'no-such-patient-42'));
    expect(outcome.code).toBe('not-found');
    expect(outcome.diagnostics).toContain('Patient/no-such-patient-42');
  });

  test('an update with a stale If-Match is 412; with the current version it succeeds', async () => {
    const created = await medplum.createResource<Patient>({ resourceType: 'Patient', name: [{ family: 'Versioned' }] });
    const updated = await medplum.updateResource<Patient>({ ...created, gender: 'female' }, { headers: { 'If-Match': 'W/"1"' } });
    expect(updated.meta?.versionId).toBe('2');
    const stale = medplum.updateResource<Patient>({ ...created, gender: 'male' }, { headers: { 'If-Match': 'W/"1"' } });
    const error = await stale.then(() => undefined, (e: unknown) => e as OperationOutcomeError);
    expect(error).toBeInstanceOf(OperationOutcomeError);
    expect(error!.outcome.issue[0].code).toBe('conflict');
    const raw = await request(`${mock.url}/Patient/${created.id}`, {
      method: 'PUT', headers: { authorization: 'Bearer t0ken', 'content-type': 'application/fhir+json', 'if-match': 'W/"1"' }, body: JSON.stringify({ ...created }),
    });
    expect(raw.statusCode).toBe(412);
    await raw.body.text();
  });

  test('a 401 carries WWW-Authenticate', async () => {
    const res = await request(`${mock.url}/Patient/example`);
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer /);
    await res.body.text();
  });
});
