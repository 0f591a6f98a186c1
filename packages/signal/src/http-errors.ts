/**
 * Every error the signal service answers with has a stable code and a fixed HTTP status, so
 * clients (the SDK's `SignalClient`) branch on `error.code`, never on message text.
 */

/** Stable error codes of the signal service's REST API. Add new ones; never rename one that shipped. */
export const SignalErrorCode = {
  /** A room id in the path is not 1–64 characters of `A-Z a-z 0-9 _ -`. */
  InvalidRoomId: 'invalid-room-id',
  /** A peer id is not a PeerJS id (`/^[A-Za-z0-9]+(?:[ _-][A-Za-z0-9]+)*$/`) of at most 64 characters. */
  InvalidPeerId: 'invalid-peer-id',
  /** The body is not valid JSON, or a field has the wrong type or range. */
  InvalidBody: 'invalid-body',
  /** The request itself is malformed (e.g. a bad percent-encoding in the path). */
  InvalidRequest: 'invalid-request',
  /** The body is over the server's size limit. */
  BodyTooLarge: 'body-too-large',
  /** The room does not exist (never created, or expired while empty). */
  RoomNotFound: 'room-not-found',
  /** The room is at its `maxPeers`. */
  RoomFull: 'room-full',
  /** The peer id has no open PeerServer socket: connect the PeerJS client first, then join. */
  PeerNotConnected: 'peer-not-connected',
  /** Too many requests from this address; retry after the `Retry-After` header's seconds. */
  RateLimited: 'rate-limited',
  /** No such route. */
  NotFound: 'not-found',
  /** The route exists but not for this method (see the `Allow` header). */
  MethodNotAllowed: 'method-not-allowed',
  /** An unexpected server failure; it is logged. */
  Internal: 'internal',
} as const;
export type SignalErrorCode = (typeof SignalErrorCode)[keyof typeof SignalErrorCode];

/** HTTP status for each code; one code never maps to two statuses. */
export const SIGNAL_ERROR_STATUS: Readonly<Record<SignalErrorCode, number>> = {
  'invalid-room-id': 400,
  'invalid-peer-id': 400,
  'invalid-body': 400,
  'invalid-request': 400,
  'body-too-large': 413,
  'room-not-found': 404,
  'room-full': 409,
  'peer-not-connected': 409,
  'rate-limited': 429,
  'not-found': 404,
  'method-not-allowed': 405,
  internal: 500,
};

/** The JSON body of every error answer. */
export interface SignalErrorBody {
  readonly error: { readonly code: SignalErrorCode; readonly message: string };
}

/** An error that becomes an HTTP answer; thrown by route handlers, rendered by the error middleware. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  readonly code: SignalErrorCode;
  readonly status: number;
  /** Extra response headers, e.g. `Retry-After` or `Allow`. */
  readonly headers: Readonly<Record<string, string>>;

  constructor(code: SignalErrorCode, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.code = code;
    this.status = SIGNAL_ERROR_STATUS[code];
    this.headers = headers;
  }

  /** The JSON body to send. */
  toBody(): SignalErrorBody {
    return { error: { code: this.code, message: this.message } };
  }
}

/** Shape of the errors body-parser and the router attach a `type`/`status` to. */
interface ExpressLikeError {
  readonly type?: unknown;
  readonly status?: unknown;
  readonly statusCode?: unknown;
}

function hasExpressShape(err: unknown): err is ExpressLikeError {
  return typeof err === 'object' && err !== null;
}

/**
 * Turns anything thrown inside the app into an {@link HttpError}. Returns `internal` for what we
 * do not recognise, so the caller knows to log it.
 */
export function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (hasExpressShape(err)) {
    // body-parser's documented `type` values.
    if (err.type === 'entity.too.large') {
      return new HttpError('body-too-large', 'The request body is too large; send a smaller JSON body.');
    }
    if (err.type === 'entity.parse.failed') {
      return new HttpError('invalid-body', 'The request body is not valid JSON (an object was expected).');
    }
    if (typeof err.type === 'string' && /^(encoding|charset)\.unsupported$|^request\.(aborted|size\.invalid)$|^stream\./.test(err.type)) {
      return new HttpError('invalid-body', 'The request body could not be read; send UTF-8 JSON without a content encoding.');
    }
    const status = typeof err.status === 'number' ? err.status : typeof err.statusCode === 'number' ? err.statusCode : undefined;
    // The router answers 400 for a path segment that is not valid percent-encoding.
    if (status === 400 || err instanceof URIError) {
      return new HttpError('invalid-request', 'The request is malformed (check the percent-encoding of the path).');
    }
  }
  return new HttpError('internal', 'Internal error in the signal service; it has been logged.');
}
