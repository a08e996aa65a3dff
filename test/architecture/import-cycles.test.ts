// Data flows one way: no module of src/, reporters/ or suites/ may import, directly or not, a module that imports it.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const ROOT = path.resolve(__dirname, '..', '..');
const FOLDERS = ['src', 'reporters', 'suites'];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sources(full);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [full] : [];
  });
}

/** Relative imports and re-exports of a file, type-only ones included: they tie modules together too. */
function importsOf(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return info.importedFiles
    .map((f) => f.fileName)
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => {
      const base = path.resolve(path.dirname(file), spec);
      for (const candidate of [`${base}.ts`, path.join(base, 'index.ts')]) {
        try {
          if (statSync(candidate).isFile()) return candidate;
        } catch {
          // not this one
        }
      }
      return undefined;
    })
    .filter((f): f is string => f !== undefined);
}

/** Every cycle's strongly connected component (Tarjan), as relative paths. */
function cycles(files: string[]): string[][] {
  const graph = new Map(files.map((f) => [f, importsOf(f).filter((g) => files.includes(g))]));
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    indices.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!indices.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, indices.get(w)!));
    }
    if (low.get(v) === indices.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(path.relative(ROOT, w));
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.sort());
    }
  };
  for (const f of files) if (!indices.has(f)) visit(f);
  return found;
}

test('src/, reporters/ and suites/ have no import cycle', () => {
  const files = FOLDERS.flatMap((folder) => sources(path.join(ROOT, folder)));
  expect(files.length).toBeGreaterThan(50);
  expect(cycles(files)).toEqual([]);
});

test('the cycle finder finds a cycle (so the test above can fail)', () => {
  const dir = path.join(ROOT, 'test', 'fixtures', 'import-cycle');
  expect(cycles(sources(dir))).toEqual([['test/fixtures/import-cycle/a.ts', 'test/fixtures/import-cycle/b.ts']]);
});
