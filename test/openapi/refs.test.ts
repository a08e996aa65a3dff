import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadOpenApi } from '../../src/openapi/load';
import { operationsOf } from '../../src/openapi/operations';
import { planFromOpenApi } from '../../src/openapi/plan';
import { loadProfile } from '../../src/profile/load';
import { startServer, type TestServer } from '../helpers/server';

/** Files under a fresh directory: { 'a.yaml': text, 'sub/b.yaml': text }. */
function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'errspec-refs-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

const api = (responses: string, extra = '') => `openapi: 3.1.0
info: { title: Refs, version: "1" }
paths:
  /things/{id}:
    get:
      security: [{ bearer: [] }]
      responses:
${responses}
components:
  securitySchemes:
    bearer: { type: http, scheme: bearer }
${extra}`;

describe('the OpenAPI loader follows $refs across local files, never fetches a remote one, and names every ref it left', () => {
  let remote: TestServer;
  beforeAll(async () => {
    remote = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/yaml' });
      res.end('description: fetched\n');
    });
  });
  afterAll(() => remote.close());

  test('relative paths at any depth: each reference resolves against the file it is written in', () => {
    const dir = tree({
      'api.yaml': api('        "404": { $ref: "responses/errors.yaml#/NotFound" }'),
      'responses/errors.yaml': 'NotFound:\n  description: Not found\n  content:\n    application/json:\n      schema: { $ref: "../schemas/error.yaml#/Error" }\n',
      'schemas/error.yaml': 'Error:\n  type: object\n  required: [error]\n  properties:\n    error: { $ref: "#/Code" }\nCode: { type: string, enum: [not_found] }\n',
    });
    const loaded = loadOpenApi(path.join(dir, 'api.yaml'));
    expect(loaded.unfollowed).toEqual([]);
    const [op] = operationsOf(loaded);
    expect(op.responses[0]).toMatchObject({ status: '404', description: 'Not found' });
    expect(op.responses[0].content[0].schema).toEqual({ type: 'object', required: ['error'], properties: { error: { type: 'string', enum: ['not_found'] } } });
  });

  test('a cycle across two files ends, and is named', () => {
    const dir = tree({
      'api.yaml': api('        "400": { $ref: "a.yaml#/Bad" }'),
      'a.yaml': 'Bad:\n  description: Bad\n  content:\n    application/json:\n      schema: { $ref: "b.yaml#/Node" }\nNode: { $ref: "b.yaml#/Node" }\n',
      'b.yaml': 'Node:\n  type: object\n  properties:\n    next: { $ref: "a.yaml#/Node" }\n',
    });
    const loaded = loadOpenApi(path.join(dir, 'api.yaml'));
    expect(loaded.unfollowed).toEqual([{ ref: 'a.yaml: b.yaml#/Node', reason: 'cycle' }]);
  });

  test('a remote reference is never fetched, and a missing file or target is named', () => {
    const dir = tree({
      'api.yaml': api(`        "401": { $ref: "${remote.url}/errors.yaml#/Unauthorized" }\n        "404": { $ref: "gone.yaml#/NotFound" }\n        "429": { $ref: "local.yaml#/Nope" }\n        "500": { $ref: "#/components/responses/Nope" }`),
      'local.yaml': 'Yes: { description: yes }\n',
    });
    const plan = planFromOpenApi(loadProfile('opescare'), path.join(dir, 'api.yaml'));
    expect(remote.requests).toHaveLength(0);
    expect(plan.notes).toContain(`openapi: references not followed: ${remote.url}/errors.yaml#/Unauthorized (remote: never fetched), gone.yaml#/NotFound (file not readable), local.yaml#/Nope (no such target), #/components/responses/Nope (no such target, or a cycle)`);
  });
});
