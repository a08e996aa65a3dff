/** A media type without its parameters, lower-cased (`Application/JSON; charset=utf-8` is `application/json`), RFC 9110 §8.3.1. */
export function mediaTypeEssence(value: string): string {
  return value.split(';')[0].trim().toLowerCase();
}
