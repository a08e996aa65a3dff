// Clients written the way the vendor documents tell (seeds 000 and 004), and deliberately bad ones, to be graded by the mock.
// Every loop is bounded: a "bad" client retries a fixed number of times, never forever.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Answer {
  status: number;
  body: { error?: unknown } & Record<string, unknown>;
  headers: Headers;
}

async function send(url: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(url, init);
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Answer['body']) : {} };
}

/** OpesCare, as seed 000 tells: a client_credentials token; on 401 re-fetch the token and retry once; on 429 wait Retry-After and retry once. */
export class OpescareClient {
  private token = '';
  tokenFetches = 0;

  constructor(private readonly base: string, private readonly behaviour: { waitOn429?: boolean; reauth?: boolean; retriesOnFailure?: number } = {}) {}

  async getNewToken(): Promise<string> {
    this.tokenFetches++;
    const res = await send(`${this.base}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'test-client', client_secret: 'test-secret' }).toString(),
    });
    if (res.status !== 200) throw new Error(`token endpoint answered ${res.status}`);
    this.token = String(res.body.access_token);
    return this.token;
  }

  async request(path: string, init: RequestInit = {}): Promise<Answer> {
    if (!this.token) await this.getNewToken();
    const call = () => send(`${this.base}${path}`, { ...init, headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${this.token}` } });
    let res = await call();
    const wellBehaved = this.behaviour.retriesOnFailure === undefined;
    let reauthed = false;
    let waited = false;
    for (let attempt = 0; attempt < 5; attempt++) {
      if (res.status === 401 && this.behaviour.reauth !== false && !reauthed && wellBehaved) {
        // Re-fetch token and retry once
        reauthed = true;
        await this.getNewToken();
        res = await call();
      } else if (res.status === 429 && this.behaviour.waitOn429 !== false && !waited && wellBehaved) {
        waited = true;
        const retryAfter = Number(res.headers.get('Retry-After') ?? 5);
        await sleep(retryAfter * 1000);
        res = await call();
      } else break;
    }
    // A bad client: sends the failed request again, unchanged and without waiting, a fixed number of times.
    for (let i = 0; i < (this.behaviour.retriesOnFailure ?? 0) && res.status >= 400; i++) res = await call();
    return res;
  }
}

/** HealthCloud, as seed 004 tells: MAX_RETRIES = 4 attempts; a 429 sleeps retry_after, a 5xx sleeps 2 ** attempt (scaled by `unitMs`). */
export async function healthcloudFetchWithRetry(
  url: string, options: { unitMs?: number; maxRetries?: number; backoff?: 'exponential' | 'constant'; retry4xx?: boolean } = {},
): Promise<Answer> {
  const MAX_RETRIES = options.maxRetries ?? 4;
  const unit = options.unitMs ?? 1000;
  let res: Answer | undefined;
  for (let attempt = 0; attempt < MAX_RETRIES; attempt++) {
    res = await send(url, { headers: { authorization: 'Bearer healthcloud-test-key' } });
    const last = attempt === MAX_RETRIES - 1;
    if (res.status === 429 && !last) await sleep(Number(res.headers.get('retry-after') ?? 1) * 1000);
    else if (res.status >= 500 && !last) await sleep((options.backoff === 'constant' ? 1 : 2 ** attempt) * unit);
    else if (res.status >= 400 && options.retry4xx && !last) continue;
    else break;
  }
  return res!;
}
