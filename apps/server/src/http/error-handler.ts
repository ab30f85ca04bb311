import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../kernel/errors.ts';

export interface ErrorBody {
  error: { code: string; message: string; requestId: string; details?: { path: string; message: string }[] };
}

// Fastify's own failures, by code, mapped to ours. Anything not listed is a 500 with no detail.
const FASTIFY_ERRORS: Record<string, { status: number; code: string; message: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'malformed_json', message: 'The body is not valid JSON' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'malformed_json', message: 'The body is empty but says it is JSON' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'payload_too_large', message: 'The request body is too large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'unsupported_media_type', message: 'This content type is not accepted here' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'bad_content_length', message: 'Content-Length does not match the body' },
  FST_ERR_CTP_INVALID_TYPE: { status: 400, code: 'bad_content_type', message: 'The Content-Type header is not valid' },
  FST_ERR_INVALID_URL: { status: 400, code: 'bad_url', message: 'The URL is not valid' },
  FST_ERR_BAD_URL: { status: 400, code: 'bad_url', message: 'The URL is not valid' },
  FST_ERR_MAX_PARAM_LENGTH: { status: 414, code: 'uri_too_long', message: 'A part of the URL path is too long' },
  FST_ERR_ASYNC_CONSTRAINT: { status: 400, code: 'bad_request', message: 'The request could not be routed' },
};

// A lost or refused database connection (pg, node sockets, SQLSTATE class 08, server shutting down).
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  '57P01',
  '57P02',
  '57P03',
  '53300',
]);
const UNAVAILABLE_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Cannot use a pool after calling end|driver has already been destroyed/i;

/** Is this the failure of a dependency (the database) rather than of the request or of our code? */
export function isServiceUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code))) return true;
  return typeof message === 'string' && UNAVAILABLE_MESSAGES.test(message);
}

/** The status and body any failure leaves with. Never carries a stack, SQL or a library's message. */
export function describeError(raw: unknown, requestId: string): { status: number; body: ErrorBody } {
  const error = (typeof raw === 'object' && raw !== null ? raw : {}) as Partial<FastifyError>;
  if (raw instanceof AppError) {
    return { status: raw.status, body: { error: { code: raw.code, message: raw.message, requestId, ...(raw.details ? { details: raw.details } : {}) } } };
  }
  if (error.validation) {
    return {
      status: 400,
      body: {
        error: {
          code: 'validation_failed',
          message: 'The request does not match the expected shape',
          requestId,
          details: error.validation.slice(0, 20).map((issue) => ({
            path: `${error.validationContext ?? 'body'}${issue.instancePath || ''}`,
            message: issue.message ?? 'invalid',
          })),
        },
      },
    };
  }
  const known = typeof error.code === 'string' ? FASTIFY_ERRORS[error.code] : undefined;
  if (known) return { status: known.status, body: { error: { code: known.code, message: known.message, requestId } } };
  if (error.statusCode === 429) return { status: 429, body: { error: { code: 'rate_limited', message: 'Too many requests: wait and try again', requestId } } };
  if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
    return { status: error.statusCode, body: { error: { code: 'bad_request', message: 'The request could not be handled', requestId } } };
  }
  if (isServiceUnavailable(raw)) {
    return {
      status: 503,
      body: { error: { code: 'service_unavailable', message: 'The database is unreachable at the moment; try again shortly', requestId } },
    };
  }
  return {
    status: 500,
    body: { error: { code: 'internal_error', message: 'Something went wrong on our side; the request ID identifies it in our logs', requestId } },
  };
}

/** Sends a failure in the one shape, logging server-side faults with their detail. */
export function replyWithError(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const { status, body } = describeError(error, request.id);
  if (status >= 500) request.log.error({ err: error }, 'request failed');
  else request.log.info({ code: body.error.code, status }, 'request refused');
  if (status === 503) void reply.header('retry-after', '5');
  // Failures raised before routing (bad URL encoding, over-long parameters) skip the onSend hooks.
  void reply.header('x-request-id', request.id).header('x-content-type-options', 'nosniff');
  void reply.status(status).type('application/json; charset=utf-8').send(body);
}

/** Installs the one error handler and the not-found handler: every failure leaves in one shape. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => replyWithError(error, request, reply));

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]!;
    const shown = path.length > 200 ? `${path.slice(0, 200)}…` : path;
    void reply.status(404).send({ error: { code: 'route_not_found', message: `No route for ${request.method} ${shown}`, requestId: request.id } });
  });
}

/**
 * Answers requests Node's HTTP parser refuses before Fastify sees them (headers or URL too long,
 * garbage on the wire) in the same shape, with a fresh request ID, then closes the connection.
 */
export function clientErrorHandler(this: FastifyInstance, error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, message] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'headers_too_large', 'The request line or headers are too large']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'request_timeout', 'The request took too long to arrive']
        : [400, 'bad_request', 'The request could not be parsed'];
  const requestId = randomUUID();
  this.log.info({ reqId: requestId, code: error.code, status }, 'client error');
  const body = JSON.stringify({ error: { code, message, requestId } } satisfies ErrorBody);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Request-Id: ${requestId}\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
