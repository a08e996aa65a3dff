import '../../src/jest';
import { json, startServer, type TestServer } from '../helpers/server';
import { OPESCARE_404 as CONFORMANT, OPESCARE_404_WRONG_STATUS_FIELD as DEVIANT } from '../helpers/opescare-bodies';


describe('expect(response).toMatchErrorContract(vendor)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer((req, res) => json(res, 404, req.url === '/deviant' ? DEVIANT : CONFORMANT));
  });
  afterAll(() => server.close());

  test('passes for a conformant {status, headers, body}, synchronously', () => {
    expect({ status: 404, headers: { 'content-type': 'application/json' }, body: CONFORMANT }).toMatchErrorContract('opescare');
  });

  test('passes for a conformant fetch Response (awaited)', async () => {
    await expect(await fetch(`${server.url}/good`)).toMatchErrorContract('opescare');
  });

  test('a failure message lists the failed check, the rule, what was expected and what came back', () => {
    let message = '';
    try {
      expect({ status: 404, headers: { 'content-type': 'application/json' }, body: DEVIANT }).toMatchErrorContract('opescare');
    } catch (error) {
      message = (error as Error).message;
    }
    // Jest's own matcher hint, then errspec's list (colours stripped).
    const plain = message.replace(/\u001b\[[0-9;]*m/g, '');
    expect(plain).toContain('expect(response).toMatchErrorContract("opescare")');
    expect(plain).toContain('HTTP 404 broke 1 check of the opescare error contract:');
    expect(plain).toMatch(/✕ status-field-matches \(opescare\.status-field\): .+/);
    expect(plain).toContain('Expected: 404');
    expect(plain).toContain('Received: 400');
    expect(plain).toContain('OpesCare Connect API "Errors & Troubleshooting"');
  });

  test('a deviant fetch Response fails with the same message (awaited)', async () => {
    const response = await fetch(`${server.url}/deviant`);
    await expect(expect(response).toMatchErrorContract('opescare')).rejects.toThrow(/status-field-matches/);
  });

  test('.not passes for a deviant response and fails for a conformant one, saying so', () => {
    expect({ status: 404, headers: { 'content-type': 'application/json' }, body: DEVIANT }).not.toMatchErrorContract('opescare');
    expect(() => expect({ status: 404, headers: { 'content-type': 'application/json' }, body: CONFORMANT }).not.toMatchErrorContract('opescare'))
      .toThrow(/met the opescare error contract/);
  });

  test('something that is not a response fails with a message saying what it takes', () => {
    expect(() => expect('404').toMatchErrorContract('opescare')).toThrow(/expected a Response, an undici response or \{status, headers, body\}/);
  });
});
