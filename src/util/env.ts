import { MissingEnvError, UsageError } from '../errors';
import { MIN_SECRET_LENGTH } from './redact';

/**
 * A secret shorter than MIN_SECRET_LENGTH cannot be redacted without redacting ordinary text (`abc`
 * is in many bodies): it is refused, exit 2, rather than sent and then left in the reports.
 */
export function refuseShortSecret(value: string, what: string): string {
  if (value.length < MIN_SECRET_LENGTH) {
    throw new UsageError(`${what}: the value is shorter than ${MIN_SECRET_LENGTH} characters, too short to be redacted from reports reliably: refused`);
  }
  return value;
}

/** A secret from the environment variable an option names; unset, empty or too short is a usage error naming both. */
export function envSecret(name: string, env: NodeJS.ProcessEnv, option: string): string {
  const value = env[name];
  if (value === undefined || value === '') throw new MissingEnvError(`${option} ${name}: environment variable ${name} is not set or empty`);
  return refuseShortSecret(value, `${option} ${name}`);
}
