import { MissingEnvError } from '../errors';

/** A secret from the environment variable an option names; unset or empty is a usage error naming both. */
export function envSecret(name: string, env: NodeJS.ProcessEnv, option: string): string {
  const value = env[name];
  if (value === undefined || value === '') throw new MissingEnvError(`${option} ${name}: environment variable ${name} is not set or empty`);
  return value;
}
