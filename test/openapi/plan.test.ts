import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OpenApiInvalidError } from '../../src/errors';
import { loadOpenApi } from '../../src/openapi/load';
import { planFromOpenApi } from '../../src/openapi/plan';
import { loadProfile } from '../../src/profile/load';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'openapi');
const DOCUMENTS: [vendor: string, file: string, version: '3.0' | '3.1'][] = [
  ['opescare', 'opescare.yaml', '3.0'],
  ['medblocks', 'medblocks.yaml', '3.1'],
  ['nhs-england', 'nhs-england.json', '3.1'],
  ['fhir-r4', 'fhir-r4.yaml', '3.0'],
  ['healthcloud', 'healthcloud.yaml', '3.1'],
];

const tmpFile = (name: string, text: string): string => {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'errspec-openapi-')), name);
  writeFileSync(file, text);
  return file;
};

describe('probes derived from an OpenAPI document of each vendor\'s sandbox surface', () => {
  test.each(DOCUMENTS)('%s: %s (OpenAPI %s) yields every kind of probe, each with a stable id, a rule and a mock answer', (vendor, file, version) => {
    const profile = loadProfile(vendor);
    expect(loadOpenApi(path.join(FIXTURES, file)).version).toBe(version);
    const plan = planFromOpenApi(profile, path.join(FIXTURES, file));
    const ids = plan.probes.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const probe of plan.probes) {
      expect(probe.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(probe.rule).toBe(profile.doc.statusRule);
      expect(probe.mock.status).toBeGreaterThanOrEqual(400);
      expect(profile.probes.some((p) => p.id === probe.id)).toBe(false);
    }
    for (const kind of ['-no-credential', '-malformed-body', '-unknown-', '-undeclared-']) expect(ids.some((id) => id.includes(kind))).toBe(true);
    // These documents agree with the contracts: no warnings about them.
    expect(plan.document).toEqual([]);
    expect(plan.left).toEqual([]);
    // Derived again, the same ids: they are JUnit names in users' CI history.
    expect(planFromOpenApi(profile, path.join(FIXTURES, file)).probes.map((p) => p.id)).toEqual(ids);
  });

  test('opescare: what each probe sends and expects', () => {
    const plan = planFromOpenApi(loadProfile('opescare'), path.join(FIXTURES, 'opescare.yaml'));
    const summary = plan.probes.map((p) => `${p.id} ${p.method} ${p.path} ${p.auth} ${p.expect.status.join('|')}`);
    expect(summary).toEqual([
      'search-patient-no-credential GET /api/v1/connect/patient/search?health_id=OPC-2024-00001 none 401',
      'get-facility-unknown-facility-id GET /api/v1/connect/facilities/{unknownFacilityId} valid 404',
      'request-consent-malformed-body POST /api/v1/connect/consents valid 400',
      'connect-patient-search-undeclared-patch PATCH /api/v1/connect/patient/search?health_id=OPC-2024-00001 valid 404|405',
      'get-facility-no-credential GET /api/v1/connect/facilities/FAC-00001 none 401',
      'connect-facilities-facility-id-undeclared-patch PATCH /api/v1/connect/facilities/{unknownFacilityId} valid 404|405',
      'request-consent-no-credential POST /api/v1/connect/consents none 401',
      'connect-consents-undeclared-get GET /api/v1/connect/consents valid 404|405',
    ]);
    const malformed = plan.probes.find((p) => p.id === 'request-consent-malformed-body')!;
    expect(malformed.headers).toEqual({ 'content-type': 'application/json' });
    expect(() => JSON.parse(malformed.body!)).toThrow();
    // The closest profile probe's answer: the facility 404, not the patient one.
    expect((plan.probes.find((p) => p.id === 'get-facility-unknown-facility-id')!.mock.body as { error: string }).error).toBe('facility_not_found');
  });

  test('a vendor that documents 405 is expected to answer an undeclared method with 405, and its mock says which are allowed', () => {
    const plan = planFromOpenApi(loadProfile('fhir-r4'), path.join(FIXTURES, 'fhir-r4.yaml'));
    const undeclared = plan.probes.find((p) => p.id === 'patient-id-undeclared-patch')!;
    expect(undeclared.expect.status).toEqual([405]);
    expect(undeclared.mock.headers?.allow).toBe('GET, PUT');
    // /metadata needs no credential (security: []): no no-credential probe for it.
    expect(plan.probes.some((p) => p.id === 'capabilities-no-credential')).toBe(false);
  });

  test('required header parameters are sent with a value of the right shape (NHS X-Request-ID)', () => {
    const plan = planFromOpenApi(loadProfile('nhs-england'), path.join(FIXTURES, 'nhs-england.json'));
    expect(plan.probes.find((p) => p.id === 'read-patient-no-credential')!.headers).toEqual({ 'x-request-id': '00000000-0000-4000-8000-000000000001' });
    expect(plan.probes.find((p) => p.id === 'read-patient-unknown-id')!.headers).toEqual({ 'x-request-id': '00000000-0000-4000-8000-000000000001' });
    expect(plan.probes.find((p) => p.id === 'create-task-malformed-body')!.headers).toEqual({ 'content-type': 'application/fhir+json' });
  });

  test('a path parameter the document forgot to declare is still filled', () => {
    const doc = 'openapi: 3.0.3\ninfo: { title: t, version: "1" }\npaths:\n  /api/v1/connect/facilities/{facilityId}:\n    get:\n      responses: { "404": { description: gone } }\n';
    const plan = planFromOpenApi(loadProfile('opescare'), tmpFile('undeclared.yaml', doc));
    expect(plan.probes.map((p) => `${p.id} ${p.method} ${p.path}`)).toEqual([
      'get-api-v1-connect-facilities-facility-id-unknown-facility-id GET /api/v1/connect/facilities/{unknownFacilityId}',
      'api-v1-connect-facilities-facility-id-undeclared-patch PATCH /api/v1/connect/facilities/{unknownFacilityId}',
    ]);
  });

  test('the server path is not doubled when the base URL already ends with it', () => {
    const profile = loadProfile('opescare');
    const file = path.join(FIXTURES, 'opescare.yaml');
    expect(planFromOpenApi(profile, file, { baseUrl: 'https://sandbox.example/api/v1/' }).probes[0].path).toBe('/connect/patient/search?health_id=OPC-2024-00001');
    expect(planFromOpenApi(profile, file, { baseUrl: 'https://sandbox.example' }).probes[0].path).toBe('/api/v1/connect/patient/search?health_id=OPC-2024-00001');
  });

  test('--max-probes keeps one probe of each kind in turn and names the ones left out', () => {
    const plan = planFromOpenApi(loadProfile('opescare'), path.join(FIXTURES, 'opescare.yaml'), { maxProbes: 3 });
    expect(plan.probes.map((p) => p.id)).toEqual(['search-patient-no-credential', 'get-facility-unknown-facility-id', 'request-consent-malformed-body']);
    expect(plan.left).toHaveLength(5);
    expect(plan.notes).toContain(`openapi: left out by --max-probes 3: ${plan.left.join(', ')}`);
    expect(plan.notes[0]).toContain('3 operations, 8 probes derived, 3 sent (--max-probes 3)');
  });
});

describe('where a document\'s declared errors disagree with the vendor contract', () => {
  const drifting = `
openapi: 3.0.3
info: { title: drifting, version: "1" }
security: [{ bearer: [] }]
paths:
  /patients/{id}:
    get:
      responses:
        "200": { description: ok }
        "404":
          description: not found
          content:
            application/json:
              example: { error: patient_not_found, message: 42 }
  /consents:
    post:
      operationId: createConsent
      security: []
      requestBody:
        content:
          application/json: { schema: { type: object } }
      responses:
        "201": { description: created }
        "4XX":
          description: client error
          content:
            application/json:
              schema: { $ref: "#/components/schemas/LooseError" }
        "500":
          description: server error
          content:
            text/html: { schema: { type: string } }
  /external:
    get:
      operationId: external
      responses:
        "401": { $ref: "other.yaml#/components/responses/Unauthorized" }
        "429": { description: slow down }
components:
  securitySchemes:
    bearer: { type: http, scheme: bearer }
  schemas:
    LooseError:
      type: object
      required: [error]
      properties:
        error: { type: string }
        status: { type: integer }
`;

  test('an undeclared 401 and 429, an example off the envelope, a schema missing required fields and a wrong media type are warnings', () => {
    const plan = planFromOpenApi(loadProfile('opescare'), tmpFile('drifting.yaml', drifting));
    const byId = Object.fromEntries(plan.document.map((e) => [e.id, e.findings.map((f) => `${f.check} ${f.outcome}`)]));
    expect(byId).toEqual({
      'get-patients-id-openapi': ['openapi-declares-401 warn', 'openapi-declares-429 warn', 'openapi-error-envelope warn'],
      'create-consent-openapi': ['openapi-error-envelope warn'],
    });
    const messages = plan.document.flatMap((e) => e.findings.map((f) => f.message)).join('\n');
    expect(messages).toContain('GET /patients/{id} needs a credential but declares no 401 response');
    expect(messages).toContain('404 application/json example 1: / must have required property \'status\', /message must be string');
    expect(messages).toContain('4XX application/json schema: /message is required by the envelope but not declared');
    expect(messages).toContain('4XX application/json schema: /status is required by the envelope but optional in the document');
    expect(messages).toContain('500 is declared as text/html, not application/json');
    expect(plan.document.every((e) => e.ok)).toBe(true);
    expect(plan.notes).toContain('openapi: references not followed: other.yaml#/components/responses/Unauthorized (file not readable)');
    expect(plan.notes.some((n) => n.startsWith('openapi: openapi-declares-401 disagrees on 1 operation: get-patients-id-openapi'))).toBe(true);
  });

  test('--strict turns them into failures', () => {
    const plan = planFromOpenApi(loadProfile('opescare'), tmpFile('drifting.yaml', drifting), { strict: true });
    expect(plan.document.every((e) => !e.ok && e.findings.every((f) => f.outcome === 'fail' && f.message.startsWith('(strict) ')))).toBe(true);
  });

  test('nested envelopes are compared property by property (medblocks error.*)', () => {
    const doc = {
      openapi: '3.1.0',
      info: { title: 't', version: '1' },
      paths: {
        '/patients': {
          get: {
            responses: {
              '400': { description: 'bad', content: { 'application/json': { schema: { type: 'object', required: ['error'], properties: { error: { type: 'object', required: ['code'], properties: { code: { type: 'string' }, message: { type: 'string' } } } } } } } },
            },
          },
        },
      },
    };
    const plan = planFromOpenApi(loadProfile('medblocks'), tmpFile('nested.json', JSON.stringify(doc)));
    const message = plan.document[0].findings.find((f) => f.check === 'openapi-error-envelope')!.message;
    expect(message).toContain('/error/type is required by the envelope but not declared');
    expect(message).toContain('/error/message is required by the envelope but optional in the document');
    expect(message).not.toContain('/error/code');
  });
});

describe('documents errspec cannot read', () => {
  test.each([
    ['swagger.yaml', 'swagger: "2.0"\ninfo: { title: t, version: "1" }\npaths: {}\n', /Swagger 2.0 is not supported/],
    ['none.yaml', 'info: { title: t }\n', /no "openapi" version field/],
    ['future.yaml', 'openapi: 4.0.0\npaths: {}\n', /future.yaml:1: openapi 4.0.0 is not supported/],
    ['broken.yaml', 'openapi: 3.0.3\npaths:\n  /x: [\n', /broken.yaml:\d+: invalid YAML/],
    ['list.json', '[1, 2]', /the top level is not an object/],
    ['nopaths.yaml', 'openapi: 3.0.3\ninfo: { title: t, version: "1" }\n', /has no "paths"/],
  ])('%s is an OpenApiInvalidError naming the file', (name, text, message) => {
    const file = tmpFile(name, text);
    expect(() => loadOpenApi(file)).toThrow(OpenApiInvalidError);
    expect(() => loadOpenApi(file)).toThrow(message);
  });

  test('an OpenAPI 3.1 document of components only has nothing to probe', () => {
    const plan = planFromOpenApi(loadProfile('opescare'), tmpFile('components.yaml', 'openapi: 3.1.0\ninfo: { title: t, version: "1" }\ncomponents: {}\n'));
    expect(plan.probes).toEqual([]);
    expect(plan.notes[0]).toContain('0 operations, 0 probes derived');
  });
});
