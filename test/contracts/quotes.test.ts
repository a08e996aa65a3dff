// Quotes are quotes: every seed-sourced rule, code row and header rule holds words its seed really has.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadProfile, standards, vendorIds } from '../../src/profile/load';

/** The vendor documents sit beside the checkout in CI (../shared/seeds); a bare clone has none. */
const SEEDS = path.resolve(__dirname, '..', '..', '..', 'shared', 'seeds');
const haveSeeds = existsSync(SEEDS);
if (!haveSeeds) console.warn(`quotes.test: ${SEEDS} is absent: the verbatim-quote test is skipped`);

/** Table layout differs between a seed and its quote (pipes, padding, line breaks); the words may not. */
const normalize = (text: string): string => text.replace(/[|\s]+/g, '');

function seedText(prefix: string): string {
  const file = readdirSync(SEEDS).find((f) => f.startsWith(`${prefix}_`));
  if (!file) throw new Error(`no seed ${prefix} in ${SEEDS}`);
  return normalize(readFileSync(path.join(SEEDS, file), 'utf8'));
}

interface Quoted { where: string; source: string; text: string; quote?: string[] }

function quotedItems(vendor: string): Quoted[] {
  const doc = loadProfile(vendor).doc;
  const seed = `seed ${doc.seed.slice(0, 3)}`;
  return [
    ...Object.entries(doc.rules).map(([id, r]) => ({ where: `rule ${id}`, ...r })),
    ...Object.entries(doc.codes).map(([code, c]) => ({ where: `code ${code}`, source: c.source ?? seed, text: c.text, quote: c.quote })),
    ...(doc.headers ?? []).map((h) => ({ where: `header ${h.id}`, source: h.source, text: h.text, quote: h.quote })),
  ];
}

(haveSeeds ? describe : describe.skip).each(vendorIds())('%s quotes its seed verbatim', (vendor) => {
  const items = quotedItems(vendor).filter((item) => item.source.startsWith('seed '));

  test('it has seed-sourced rules at all', () => {
    expect(items.length).toBeGreaterThanOrEqual(4);
  });

  test('every quote (or a text that stands as one) is in the seed', () => {
    const missing = items.flatMap((item) => {
      const seed = seedText(item.source.slice('seed '.length, 'seed '.length + 3));
      const words = item.quote ?? [item.text];
      return words.filter((w) => !seed.includes(normalize(w))).map((w) => `${item.where}: ${w}`);
    });
    expect(missing).toEqual([]);
  });
});

test('no standard rule credits errspec\'s own reading to a standard without saying so', () => {
  const bound = standards()['rfc9110.retry-after-bound'];
  expect(bound.source).toMatch(/^errspec/);
  expect(bound.text).toContain("errspec's reading");
});
