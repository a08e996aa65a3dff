import type { ValidateFunction } from 'ajv';
import type { RuleRef } from '../types';
import { getPointer } from '../util/json-pointer';
import { schemas } from './schemas';
import type { CodeDef, HeaderRuleDef, ProbeDef, ProfileDoc, Quoted, RuleDef } from './types';

/** What the envelope says, pulled out by the profile's pointers and extractors. */
export interface EnvelopeFacts {
  code?: string;
  type?: string;
  /** For the `coding` extractor: the system the code was found under. */
  codingSystem?: string;
  /** For the `coding` extractor: systems of codings that were present but not accepted. */
  otherSystems?: string[];
}

/** A loaded, validated vendor profile with the lookups checks need. Immutable. */
export class Profile {
  readonly id: string;
  readonly title: string;
  private readonly statusSet: Set<number>;
  /** Every code's row, once: checks ask per exchange, and the profile never changes. */
  readonly codeDefs: readonly CodeDef[];
  private readonly codesByStatus = new Map<number, string[]>();

  constructor(
    readonly doc: ProfileDoc,
    private readonly rules: Record<string, RuleDef>,
    readonly file: string,
  ) {
    this.id = doc.id;
    this.title = doc.title;
    this.statusSet = new Set(Object.keys(doc.statuses).map(Number));
    this.codeDefs = Object.values(doc.codes);
  }

  get probes(): ProbeDef[] {
    return this.doc.probes;
  }

  get seedSource(): string {
    return seedSourceOf(this.doc.seed);
  }

  /** A rule's source as reports cite it: the profile's own seed by the vendor document's title (and URL), others as written. */
  cite(source: string): Pick<RuleRef, 'source' | 'url'> {
    const document = this.doc.document;
    if (source !== this.seedSource || !document) return { source };
    return document.url ? { source: document.title, url: document.url } : { source: document.title };
  }

  /** Rules as findings cite them, built once each: a large capture cites the same few rules 100,000s of times. Shared: never mutate one. */
  private readonly ruleRefs = new Map<string, Readonly<RuleRef>>();
  private readonly codeRuleRefs = new Map<string, Readonly<RuleRef>>();

  rule(id: string): RuleRef {
    let ref = this.ruleRefs.get(id);
    if (ref) return ref;
    const def = this.rules[id];
    if (!def) throw new Error(`rule ${id} is not defined for ${this.id}`);
    ref = Object.freeze({ id, ...this.cite(def.source), text: def.text, ...quoted(def) });
    this.ruleRefs.set(id, ref);
    return ref;
  }

  hasRule(id: string): boolean {
    return this.rules[id] !== undefined;
  }

  /** The profile's own rules a check can report: its rules, its schema's, its codes' and headers' (the standards rules checks cite: `reportableRules`). */
  ruleIdsInUse(): string[] {
    const doc = this.doc;
    // A rule of `grading:` is the mock's verdict on a client (src/mock/grade.ts), never a check's.
    const grading = new Set((doc.grading ?? []).map((g) => g.rule));
    const ids = new Set<string>([
      ...Object.keys(doc.rules).filter((id) => !grading.has(id)),
      ...schemas().ruleIdsOf(doc.envelope.schema),
      doc.envelope.mediaTypeRule,
      doc.statusRule,
      doc.unknownCode.rule,
      // A code's row is reported by the checks that can fail it: its status, its type, its required fields.
      ...Object.entries(doc.codes).filter(([, def]) => def.status.length > 0 || def.type !== undefined || def.requires).map(([code]) => this.codeRule(code).id),
      ...Object.values(doc.codes).flatMap((def) => (def.requires ?? []).map((r) => r.rule)),
      ...(doc.headers ?? []).map((h) => h.id),
      ...doc.probes.map((p) => p.rule),
    ]);
    if (doc.envelope.statusField) ids.add(doc.envelope.statusField.rule);
    if (doc.envelope.docUrl) ids.add(doc.envelope.docUrl.rule);
    if ('rule' in doc.envelope.code) ids.add(doc.envelope.code.rule);
    return [...ids].sort();
  }

  /** The rule behind one code's row of the vendor table. */
  codeRule(code: string): RuleRef {
    let ref = this.codeRuleRefs.get(code);
    if (ref) return ref;
    const def = this.codeDef(code);
    ref = Object.freeze({ id: `${this.id}.code.${code}`, ...this.cite(def?.source ?? this.seedSource), text: def?.text ?? '', ...(def ? quoted(def) : {}) });
    // Only documented codes are remembered: an undocumented one comes from the target and is unbounded.
    if (def) this.codeRuleRefs.set(code, ref);
    return ref;
  }

  codeDef(code: string): CodeDef | undefined {
    return Object.prototype.hasOwnProperty.call(this.doc.codes, code) ? this.doc.codes[code] : undefined;
  }

  codes(): string[] {
    return Object.keys(this.doc.codes);
  }

  isDocumentedStatus(status: number): boolean {
    return this.statusSet.has(status);
  }

  documentedStatuses(): number[] {
    return [...this.statusSet].sort((a, b) => a - b);
  }

  /** Statuses the seed pairs at least one code with: an unknown code there is drift. */
  statusHasCodes(status: number): boolean {
    return this.codesAt(status).length > 0;
  }

  codesAt(status: number): string[] {
    let codes = this.codesByStatus.get(status);
    if (!codes) {
      codes = Object.entries(this.doc.codes).filter(([, def]) => documentedAt(def, status)).map(([code]) => code);
      this.codesByStatus.set(status, codes);
    }
    return [...codes];
  }

  headerRules(status: number): HeaderRuleDef[] {
    return (this.doc.headers ?? []).filter((h) => h.on.includes(status));
  }

  envelopeValidator(): ValidateFunction {
    return schemas().validator(this.doc.envelope.schema);
  }

  /** Pull code, type and coding system out of a parsed body, per the profile's locators. */
  envelopeFacts(body: unknown): EnvelopeFacts {
    const { code: locator, type } = this.doc.envelope;
    const facts: EnvelopeFacts = {};
    if ('pointer' in locator) {
      const value = getPointer(body, locator.pointer);
      if (typeof value === 'string') facts.code = value;
    } else if (locator.extractor === 'issue-code') {
      const issues = getPointer(body, '/issue');
      if (Array.isArray(issues)) {
        const main = issues.find((i) => i && (i.severity === 'error' || i.severity === 'fatal')) ?? issues[0];
        if (main && typeof main.code === 'string') facts.code = main.code;
      }
    } else {
      const accepted = [...locator.systems, ...(locator.deprecatedSystems ?? [])];
      const others: string[] = [];
      const issues = getPointer(body, '/issue');
      for (const issue of Array.isArray(issues) ? issues : []) {
        const codings = issue?.details?.coding;
        for (const coding of Array.isArray(codings) ? codings : []) {
          if (!coding || typeof coding.code !== 'string') continue;
          if (accepted.includes(coding.system) && facts.code === undefined) {
            facts.code = coding.code;
            facts.codingSystem = coding.system;
          } else if (!accepted.includes(coding.system)) others.push(String(coding.system));
        }
      }
      if (others.length > 0) facts.otherSystems = others;
    }
    if (type) {
      const value = getPointer(body, type.pointer);
      if (typeof value === 'string') facts.type = value;
    }
    return facts;
  }
}

/** How a rule cites a profile's seed: built-in seeds are files named NNN_<hash>.txt, a user profile's is its document's title or URL. */
export function seedSourceOf(seed: string): string {
  return /^\d{3}_/.test(seed) ? `seed ${seed.slice(0, 3)}` : seed;
}

/** The verbatim quote and example flag of a rule, row or header rule, where it has them. */
export function quoted(def: Quoted): Quoted {
  return { ...(def.quote ? { quote: def.quote } : {}), ...(def.example ? { example: true } : {}) };
}

/** A code the seed pairs with no status (medblocks) may come with any status. */
function documentedAt(def: CodeDef, status: number): boolean {
  return def.status.length === 0 || def.status.includes(status);
}
