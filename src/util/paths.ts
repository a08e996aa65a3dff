import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

let cachedRoot: string | undefined;

/** The errspec package root, found by walking up to our package.json (works from src/ and dist/src/). */
export function packageRoot(): string {
  if (cachedRoot) return cachedRoot;
  let dir = __dirname;
  for (let i = 0; i < 8; i++) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === 'errspec') {
      cachedRoot = dir;
      return dir;
    }
    dir = path.dirname(dir);
  }
  throw new Error(`errspec package root not found above ${__dirname}`);
}

export const schemasDir = (): string => path.join(packageRoot(), 'schemas');
export const vendorsDir = (): string => path.join(packageRoot(), 'contracts', 'vendors');
export const standardsFile = (): string => path.join(packageRoot(), 'contracts', 'standards.yaml');

/** The package version, for reports. */
export function toolVersion(): string {
  return JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')).version;
}
