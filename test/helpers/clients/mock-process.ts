import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { BIN, ROOT } from '../cli';

export interface MockProcess {
  url: string;
  child: ChildProcessWithoutNullStreams;
  /** Everything the mock printed so far. */
  output(): string;
  /** Resolves with the exit code and the whole output once the process ends (by itself, or after `stop`). */
  exited: Promise<{ code: number | null; stdout: string; stderr: string }>;
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/** `errspec mock ...` from dist/ as a user runs it, once it prints where it listens (bounded: 20 s, then killed). */
export function startMockProcess(args: string[]): Promise<MockProcess> {
  const child = spawn(process.execPath, [BIN, 'mock', ...args], { cwd: ROOT, env: { ...process.env, FORCE_COLOR: '0' }, stdio: 'pipe' });
  let stdout = '';
  let stderr = '';
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    });
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`mock did not listen within 20 s: ${stdout}${stderr}`)), 20_000);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      const m = /listening on (http:\/\/[^\s]+)/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve({
          url: m[1],
          child,
          output: () => stdout,
          exited,
          stop: (signal = 'SIGTERM') => {
            child.kill(signal);
            return exited;
          },
        });
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`mock exited before listening: ${stdout}${stderr}`));
    });
  });
}
