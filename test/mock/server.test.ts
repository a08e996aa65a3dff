import { spawn } from 'node:child_process';
import net from 'node:net';
import { request } from 'undici';
import { startMock, STATE_PATH, type RunningMock } from '../../src/mock/server';
import { loadProfile } from '../../src/profile/load';
import { BIN } from '../helpers/cli';

const get = async (url: string, headers: Record<string, string> = {}) => {
  const res = await request(url, { headers });
  return { status: res.statusCode, headers: res.headers, body: (await res.body.json()) as Record<string, unknown> };
};

describe('reference mock', () => {
  let mock: RunningMock;
  afterEach(async () => mock?.close());

  test('answers each opescare probe with its documented error', async () => {
    const profile = loadProfile('opescare');
    mock = await startMock(profile);
    const search = `${mock.url}/api/v1/connect/patient/search?health_id=OPC-2024-00001`;
    expect((await get(search)).body).toEqual({ error: 'token_invalid', message: 'Bearer token missing.', status: 401 });
    expect((await get(search, { authorization: 'Bearer errspec-invalid-credential' })).status).toBe(401);
    const unknown = await get(`${mock.url}/api/v1/connect/patient/search?health_id=OPC-2024-99999`, { authorization: 'Bearer any-client-token' });
    expect(unknown).toEqual(expect.objectContaining({ status: 404, body: expect.objectContaining({ error: 'patient_not_found' }) }));
  });

  test('rate-limits after N requests with the vendor 429 and Retry-After', async () => {
    mock = await startMock(loadProfile('opescare'), { faults: { rateLimitAfter: 3 } });
    const url = `${mock.url}/api/v1/connect/patient/search?health_id=OPC-2024-99999`;
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 5; i++) {
      last = await get(url, { authorization: 'Bearer t' });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([404, 404, 404, 429, 429]);
    expect(last!.body).toEqual(expect.objectContaining({ error: 'rate_limit_exceeded', status: 429 }));
    expect(Number(last!.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(mock.requests).toBe(5);
  });

  test('answers every Nth request with the documented 5xx', async () => {
    mock = await startMock(loadProfile('opescare'), { faults: { serverErrorEvery: 2 } });
    const url = `${mock.url}/api/v1/connect/patient/search?health_id=OPC-2024-99999`;
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await get(url, { authorization: 'Bearer t' })).status);
    expect(statuses).toEqual([404, 500, 404, 500]);
  });

  test('a provider state selects that probe\'s documented answer (Pact state change)', async () => {
    mock = await startMock(loadProfile('opescare'));
    await request(`${mock.url}${STATE_PATH}`, { method: 'POST', body: JSON.stringify({ state: 'the client is over its rate limit', action: 'setup' }), headers: { 'content-type': 'application/json' } });
    const limited = await get(`${mock.url}/api/v1/connect/patient/search?health_id=OPC-2024-00001`, { authorization: 'Bearer t' });
    expect(limited.status).toBe(429);
    await request(`${mock.url}${STATE_PATH}`, { method: 'POST', body: JSON.stringify({ state: 'the client is over its rate limit', action: 'teardown' }) });
    expect(mock.requests).toBe(1);
  });
});

test('errspec mock prints where it listens, serves, and stops on SIGTERM', async () => {
  const child = spawn(process.execPath, [BIN, 'mock', '--vendor', 'healthcloud', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on('close', () => reject(new Error(`mock exited before listening: ${out}`)));
  });
  const res = await request(`${url}/anything`);
  expect(res.statusCode).toBe(401);
  await res.body.text();
  const code = await new Promise<number | null>((resolve) => {
    child.on('close', resolve);
    child.kill('SIGTERM');
  });
  expect(code).toBe(0);
});

describe('issue 14 item 9: a request target that is no URL', () => {
  let mock: RunningMock | undefined;
  afterAll(async () => mock?.close());

  /** One raw request over a socket; the answer's status line (bounded in time). */
  const raw = (url: string, text: string): Promise<string> =>
    new Promise((resolve, reject) => {
      const { port, hostname } = new URL(url);
      const socket = net.connect(Number(port), hostname, () => socket.write(text));
      let answer = '';
      const timer = setTimeout(() => socket.destroy(new Error(`no answer: ${answer}`)), 5_000);
      socket.on('data', (d: Buffer) => {
        answer += d.toString('latin1');
        if (answer.includes('\r\n')) {
          clearTimeout(timer);
          socket.destroy();
          resolve(answer.slice(0, answer.indexOf('\r\n')));
        }
      });
      socket.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });

  test('GET //[/ is answered 400 and the mock keeps serving', async () => {
    mock = await startMock(loadProfile('opescare'));
    for (const target of ['//[/', '//[', 'http://[/x']) {
      expect(await raw(mock.url, `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`)).toBe('HTTP/1.1 400 Bad Request');
    }
    const search = await get(`${mock.url}/api/v1/connect/patient/search?health_id=OPC-2024-00001`);
    expect(search.status).toBe(401);
  });
});
