export type RetryAfter =
  | { kind: 'seconds'; seconds: number }
  | { kind: 'date'; date: Date; obsolete: boolean }
  | { kind: 'invalid'; reason: string };

const DAY = '(Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const MONTH = '(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
const IMF_FIXDATE = new RegExp(`^${DAY}, \\d{2} ${MONTH} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT$`);
// RFC 9110 §5.6.7: recipients must also accept the obsolete rfc850-date and asctime-date forms.
const RFC850 = new RegExp(`^(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), \\d{2}-${MONTH}-\\d{2} \\d{2}:\\d{2}:\\d{2} GMT$`);
const ASCTIME = new RegExp(`^${DAY} ${MONTH} [ \\d]\\d \\d{2}:\\d{2}:\\d{2} \\d{4}$`);

/** Parse a Retry-After value per RFC 9110 §10.2.3: HTTP-date / delay-seconds (1*DIGIT). */
export function parseRetryAfter(raw: string): RetryAfter {
  const value = raw.trim();
  if (/^[0-9]+$/.test(value)) return { kind: 'seconds', seconds: Number(value) };
  const obsolete = RFC850.test(value) || ASCTIME.test(value);
  if (IMF_FIXDATE.test(value) || obsolete) {
    const date = new Date(obsolete && ASCTIME.test(value) ? `${value} GMT` : value);
    if (!Number.isNaN(date.getTime()) && roundTrips(value, date)) return { kind: 'date', date, obsolete };
    return { kind: 'invalid', reason: `"${raw}" has the form of an HTTP-date but is not a real date` };
  }
  if (/^-?[0-9]*\.[0-9]+$/.test(value)) return { kind: 'invalid', reason: `"${raw}" is a fraction; delay-seconds is 1*DIGIT` };
  if (/^-[0-9]+$/.test(value)) return { kind: 'invalid', reason: `"${raw}" is negative; delay-seconds is 1*DIGIT` };
  return { kind: 'invalid', reason: `"${raw}" is neither delay-seconds (1*DIGIT) nor an HTTP-date` };
}

const LONG_DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/**
 * The parsed date written back in the value's own form: V8 rolls impossible dates over (31 Feb is 3 Mar)
 * and ignores a wrong weekday, so a real date is one that reads back exactly as it was written.
 */
function roundTrips(value: string, date: Date): boolean {
  const imf = date.toUTCString(); // "Wed, 21 Oct 2015 07:28:00 GMT": IMF-fixdate
  if (IMF_FIXDATE.test(value)) return imf === value;
  const [day, dd, mon, yyyy, time] = imf.replace(',', '').split(' ');
  if (RFC850.test(value)) return `${LONG_DAYS[date.getUTCDay()]}, ${dd}-${mon}-${yyyy.slice(-2)} ${time} GMT` === value;
  return `${day} ${mon} ${String(date.getUTCDate()).padStart(2, ' ')} ${time} ${yyyy}` === value;
}

/** Seconds to wait, relative to `now` (the response's Date, or the clock) for an HTTP-date. */
export function retryAfterSeconds(parsed: RetryAfter, now: number): number | undefined {
  if (parsed.kind === 'seconds') return parsed.seconds;
  if (parsed.kind === 'date') return Math.max(0, Math.ceil((parsed.date.getTime() - now) / 1000));
  return undefined;
}
