import type { EvaluatedExchange, RuleRef } from '../src/types';
import { exchangeLine } from './console';
import { jsonExchangeText } from './json';
import { junitExchangeText } from './junit';

/** What `errspec check` prints and writes per exchange (JSON-serialisable: it may come from a worker thread). */
export interface HarRenderOptions {
  vendor: string;
  color: boolean;
  /** A progress line for each exchange with findings (not with --quiet). */
  lines: boolean;
  json: boolean;
  junit: boolean;
  /** The exchange itself, for the reports that need the whole run (HTML, Markdown). */
  keep: boolean;
}

/** One exchange as text for each requested output. */
export interface RenderedExchange {
  line?: string;
  json?: string;
  junit?: string;
  /** Rules this exchange's findings cite that this renderer has not handed out before (for the JSON report's `rules` map). */
  rules?: RuleRef[];
  exchange?: EvaluatedExchange;
}

/** Per exchange, the texts of `errspec check`'s outputs: built where the exchange is checked, so only text crosses threads. */
export function createRenderer(options: HarRenderOptions): (exchange: EvaluatedExchange) => RenderedExchange {
  const described = new Set<string>();
  return (exchange) => {
    const out: RenderedExchange = {};
    if (options.json) {
      for (const f of exchange.findings) {
        if (!f.rule || described.has(f.rule.id)) continue;
        described.add(f.rule.id);
        (out.rules ??= []).push(f.rule);
      }
    }
    if (options.lines && exchange.findings.length > 0) out.line = exchangeLine(options.vendor, exchange, { color: options.color });
    if (options.json) out.json = jsonExchangeText(exchange);
    if (options.junit) out.junit = junitExchangeText(options.vendor, exchange);
    if (options.keep) out.exchange = exchange;
    return out;
  };
}
