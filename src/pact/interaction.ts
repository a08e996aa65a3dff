import { Matchers } from '@pact-foundation/pact';
import { invalidCredential, mockCredential, type Credential } from '../probes/credentials';
import { fillPath } from '../probes/request';
import type { Profile } from '../profile/profile';
import type { ProbeDef } from '../profile/types';
import { interactionDescription } from './files';
import { responseBodyTemplate, responseHeadersTemplate } from './matchers';

/** One probe as a Pact interaction: the request errspec sends and the documented error, with matchers. */
export interface ProbeInteraction {
  probeId: string;
  description: string;
  state?: string;
  request: {
    method: string;
    path: string;
    query: Record<string, string | string[]>;
    headers: Record<string, unknown>;
    /** JSON bodies as parsed JSON (compared as JSON), other bodies as text. */
    body?: { contentType: string; content: string; json?: unknown };
  };
  /** Why the pact states less than the probe sends (a malformed JSON body Pact cannot carry). */
  comment?: string;
  response: { status: number; headers: Record<string, unknown>; body: unknown };
}

/** The Accept header the probe engine sends (src/probes/run.ts): the pact must state the same request. */
export const acceptHeader = (profile: Profile): string => [...profile.doc.envelope.mediaTypes, 'application/json'].join(', ');

/** The credential a contract shows: none, errspec's invalid sentinel, or the public sample errspec's mock accepts. */
export function sampleCredential(profile: Profile, auth: ProbeDef['auth']): Credential | undefined {
  return auth === 'none' ? undefined : auth === 'invalid' ? invalidCredential(profile) : mockCredential(profile);
}

const isJsonType = (contentType: string): boolean => /^application\/([\w.-]+\+)?json\b/i.test(contentType.trim());

function parsed(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** Build the interaction of one probe from the profile alone (pure: no Pact mock server involved). */
export function interactionFor(profile: Profile, probe: ProbeDef): ProbeInteraction {
  const target = new URL(fillPath(probe.path, profile.doc.ids), 'http://errspec.invalid');
  const query: Record<string, string | string[]> = {};
  for (const key of new Set(target.searchParams.keys())) {
    const values = target.searchParams.getAll(key);
    query[key] = values.length === 1 ? values[0] : values;
  }
  const headers: Record<string, unknown> = { accept: acceptHeader(profile) };
  // Content-Type spelled as Pact spells it, so a JSON body keeps the probe's media type.
  for (const [name, value] of Object.entries(probe.headers ?? {})) headers[name.toLowerCase() === 'content-type' ? 'Content-Type' : name.toLowerCase()] = value;
  const credential = sampleCredential(profile, probe.auth);
  if (credential) {
    // A valid credential is the user's own at verification time: the contract says only its shape.
    headers[credential.header] = probe.auth === 'valid'
      ? Matchers.regex(credential.header === 'authorization' ? '^Bearer \\S+$' : '^\\S+$', credential.value)
      : credential.value;
  }
  const interaction: ProbeInteraction = {
    probeId: probe.id,
    description: interactionDescription(probe),
    ...(probe.state ? { state: probe.state } : {}),
    request: { method: probe.method, path: decodeURIComponent(target.pathname), query, headers },
    response: { status: probe.mock.status, headers: responseHeadersTemplate(profile, probe), body: responseBodyTemplate(profile, probe) },
  };
  if (probe.body !== undefined) {
    const contentType = String(headers['Content-Type'] ?? 'application/octet-stream');
    const json = isJsonType(contentType) ? parsed(probe.body) : undefined;
    if (json && !json.ok) {
      // Pact's mock server parses every JSON body it matches, so a malformed one cannot be stated.
      interaction.comment = `errspec sends a malformed ${contentType} body here (${JSON.stringify(probe.body)}); the pact states no body, and an empty body is malformed JSON too`;
    } else {
      interaction.request.body = { contentType, content: probe.body, ...(json ? { json: json.value } : {}) };
    }
  }
  return interaction;
}
