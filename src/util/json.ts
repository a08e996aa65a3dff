/** Whether a text parses as JSON (a body the mock and the OpenAPI deriver must tell from a malformed one). */
export function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
