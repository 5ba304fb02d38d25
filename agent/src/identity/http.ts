// One JSON POST to the collector over http(s), honouring the collector's TLS pin (tls.ts). Node 20's global fetch
// cannot take a CA or a checkServerIdentity (undici's Agent could, but undici is not a dependency), so this is
// node:http(s). Used by enroll; the WebSocket link passes the same options to ws.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { pinnedTlsOptions, type TlsPin } from './tls.js';

/** The collector's answers are small JSON objects; anything bigger is not one. */
const MAX_RESPONSE_BYTES = 1024 * 1024;

export interface JsonResponse {
  status: number;
  /** The parsed body; undefined when it is empty or not JSON. */
  body: unknown;
}

export interface PostOptions {
  /** Bound on the whole exchange, connect to last byte. */
  timeoutMs: number;
  /** Only with https:// URLs. */
  tls?: TlsPin;
  /** Sent as `Authorization: Bearer <credential>`. */
  bearer?: string;
}

export class HttpTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
}

function parseJson(text: string): unknown {
  try {
    return text ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    return undefined;
  }
}

/** Resolves with any HTTP answer (4xx/5xx included); rejects with the socket's or TLS's error, or HttpTimeoutError. */
export function postJson(url: URL, body: unknown, options: PostOptions): Promise<JsonResponse> {
  const secure = url.protocol === 'https:';
  if (!secure && (options.tls?.ca || options.tls?.fingerprint)) {
    return Promise.reject(new Error(`a TLS pin needs an https:// URL, got ${url.origin}`));
  }
  const payload = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const request = (secure ? httpsRequest : httpRequest)(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'content-length': payload.length,
        accept: 'application/json',
        ...(options.bearer ? { authorization: `Bearer ${options.bearer}` } : {}),
      },
      // No shared agent: a pooled agent reuses TLS sessions, and a resumed session skips checkServerIdentity.
      agent: false,
      ...(secure ? pinnedTlsOptions(options.tls) : {}),
    });
    const timer = setTimeout(() => request.destroy(new HttpTimeoutError(`no answer within ${options.timeoutMs} ms`)), options.timeoutMs);
    const fail = (error: Error) => {
      clearTimeout(timer);
      reject(error);
    };
    request.on('error', fail);
    request.on('response', (response: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_RESPONSE_BYTES) request.destroy(new Error(`answer larger than ${MAX_RESPONSE_BYTES} bytes`));
        else chunks.push(chunk);
      });
      response.on('error', fail);
      response.on('end', () => {
        clearTimeout(timer);
        resolve({ status: response.statusCode ?? 0, body: parseJson(Buffer.concat(chunks).toString('utf8')) });
      });
    });
    request.end(payload);
  });
}
