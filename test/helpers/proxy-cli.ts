import { serveCli, type ServingCli } from './cli';

export type RunningProxyCli = ServingCli;

/** Start `errspec proxy` as a user would and wait for its `listening on` line. */
export function startProxyCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunningProxyCli> {
  return serveCli(['proxy', ...args], env);
}
