// Issue 14 item 11: a 6 MB OpenAPI document with 20,000 operations took 36-65 s and 1.4-1.7 GB; --max-probes bounds the work now.
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { planFromOpenApi, pathsFor } from '../../src/openapi/plan';
import { loadProfile } from '../../src/profile/load';

/** 10,000 paths of two operations each, their error responses shared through components (as real documents do). */
function bigDocument(): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  const errors = (...statuses: string[]) => Object.fromEntries(statuses.map((s) => [s, { $ref: '#/components/responses/Error' }]));
  for (let i = 0; i < 10_000; i++) {
    paths[`/things${i}/{id}`] = {
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
      get: { operationId: `getThing${i}`, summary: `Read thing number ${i} of the big document`, security: [{ bearer: [] }], responses: { 200: { description: 'the thing' }, ...errors('401', '404', '429') } },
      post: { operationId: `updateThing${i}`, summary: `Update thing number ${i} of the big document`, security: [{ bearer: [] }], requestBody: { content: { 'application/json': { schema: { type: 'object' } } } }, responses: { 200: { description: 'updated' }, ...errors('400', '401', '429') } },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Big', version: '1' },
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      responses: { Error: { description: 'An error', content: { 'application/json': { schema: { type: 'object', required: ['error', 'message', 'status'], properties: { error: { type: 'string' }, message: { type: 'string' }, status: { type: 'integer' } } } } } } },
    },
  };
}

describe('issue 14: a 6 MB OpenAPI document with 20,000 operations: --max-probes bounds the work, not only the probes sent', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'errspec-big-openapi-'));
  const doc = bigDocument();
  const files = { json: path.join(dir, 'big.json'), yaml: path.join(dir, 'big.yaml') };
  writeFileSync(files.json, JSON.stringify(doc));
  writeFileSync(files.yaml, stringify(doc));

  test.each(Object.entries(files))('%s: only the paths the budget needs are read, compared and derived from', (_kind, file) => {
    expect(statSync(file).size).toBeGreaterThan(4_000_000);
    const plan = planFromOpenApi(loadProfile('opescare'), file, { maxProbes: 10 });
    expect(plan.probes).toHaveLength(10);
    // Two operations per path, pathsFor(10) paths: the other 9,960 paths are never turned into operations.
    expect(plan.notes[0]).toContain(`${pathsFor(10) * 2} operations`);
    expect(plan.notes).toContain(`openapi: read the first ${pathsFor(10)} of 10000 paths (--max-probes 10 bounds the work); the rest were neither probed nor compared with the contract`);
    expect(plan.document.length).toBeLessThanOrEqual(pathsFor(10) * 2);
    // The left-out list is a bounded note, not a megabyte of ids.
    const left = plan.notes.find((n) => n.startsWith('openapi: left out'))!;
    expect(left).toMatch(/ and \d+ more$/);
  });

  test('a budget that covers the document still reads all of it', () => {
    const small = path.join(dir, 'small.json');
    writeFileSync(small, JSON.stringify({ ...doc, paths: Object.fromEntries(Object.entries(doc.paths as object).slice(0, 5)) }));
    const plan = planFromOpenApi(loadProfile('opescare'), small, { maxProbes: 50 });
    expect(plan.notes[0]).toContain('10 operations');
    expect(plan.notes.some((n) => n.includes('read the first'))).toBe(false);
  });
});
