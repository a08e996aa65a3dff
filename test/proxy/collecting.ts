import type { Profile } from '../../src/profile/profile';
import type { ProxyRunHead } from '../../src/proxy/recorder';
import { startProxy, type ProxyOptions } from '../../src/proxy/server';
import type { EvaluatedExchange, VendorRun } from '../../src/types';

/** A proxy whose exchanges a test collects from `onExchange` (the proxy keeps none): runs are rebuilt in request order. */
export interface CollectingProxy {
  url: string;
  readonly requests: number;
  exchanges: EvaluatedExchange[];
  head(): ProxyRunHead;
  run(): VendorRun;
  close(options?: { graceMs?: number }): Promise<VendorRun>;
}

const seqOf = (e: EvaluatedExchange): number => Number(e.id.slice('proxy-'.length));

export async function collectingProxy(profile: Profile, options: ProxyOptions): Promise<CollectingProxy> {
  const exchanges: EvaluatedExchange[] = [];
  const proxy = await startProxy(profile, { ...options, onExchange: (e) => exchanges.push(e) });
  const asRun = (head: ProxyRunHead): VendorRun => {
    // eslint-disable-next-line @typescript-eslint/no-unused-vars
    const { summary, failed, ...rest } = head;
    return { ...rest, exchanges: [...exchanges].sort((a, b) => seqOf(a) - seqOf(b)) };
  };
  return {
    url: proxy.url,
    get requests() {
      return proxy.requests;
    },
    exchanges,
    head: () => proxy.run(),
    run: () => asRun(proxy.run()),
    close: async (closeOptions) => asRun(await proxy.close(closeOptions)),
  };
}
