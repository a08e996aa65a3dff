import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { send } from '../../src/probes/http';

/**
 * A black-holed address on loopback: a listener (backlog 0) that never accepts, its queue filled, so
 * the kernel drops further SYNs and a connect hangs. Node accepts every connection itself, so the
 * listener is a Python one; without python3 the test says so and passes.
 */
const hasPython = spawnSync('python3', ['-c', 'pass']).status === 0;
const LISTENER = 'import socket,time\ns=socket.socket()\ns.bind(("127.0.0.1",0))\ns.listen(0)\nprint(s.getsockname()[1],flush=True)\ntime.sleep(60)';

describe('issue 14 item 6: --timeout bounds the TCP connect', () => {
  let listener: ChildProcess | undefined;
  const fillers: net.Socket[] = [];
  afterAll(() => {
    for (const f of fillers) f.destroy();
    listener?.kill();
  });

  (hasPython ? test : test.skip)('probes to a listener that never accepts each end within the timeout (plus slack)', async () => {
    listener = spawn('python3', ['-c', LISTENER], { stdio: ['ignore', 'pipe', 'ignore'] });
    const port = await new Promise<number>((resolve) => listener!.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
    for (let i = 0; i < 4; i++) fillers.push(net.connect(port, '127.0.0.1').on('error', () => undefined));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const timeoutMs = 500;
    const probes = 3;
    const started = performance.now();
    for (let i = 0; i < probes; i++) {
      const result = await send({ method: 'GET', url: `http://127.0.0.1:${port}/`, headers: {} }, { timeoutMs, maxBodyBytes: 1024 });
      expect(result.transportError?.code).toBe('UND_ERR_CONNECT_TIMEOUT');
    }
    // Generous: undici's timers are coarse (about 1 s for a 500 ms timeout); before, each connect took undici's default 10 s.
    expect(performance.now() - started).toBeLessThan(probes * (timeoutMs + 2_000) + 1_000);
  }, 30_000);
});
