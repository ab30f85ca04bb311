import type { FastifyError, FastifyInstance } from 'fastify';
import { AppError } from './errors.ts';

interface ErrorBody {
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
  FST_ERR_ASYNC_CONSTRAINT: { status: 400, code: 'bad_request', message: 'The request could not be routed' },
};

/** Installs the one error handler and the not-found handler: every failure leaves in one shape. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const requestId = request.id;
    let status: number;
    let body: ErrorBody;
    if (error instanceof AppError) {
      status = error.status;
      body = { error: { code: error.code, message: error.message, requestId, ...(error.details ? { details: error.details } : {}) } };
    } else if (error.validation) {
      status = 400;
      body = {
        error: {
          code: 'validation_failed',
          message: 'The request does not match the expected shape',
          requestId,
          details: error.validation.slice(0, 20).map((issue) => ({
            path: `${error.validationContext ?? 'body'}${issue.instancePath || ''}`,
            message: issue.message ?? 'invalid',
          })),
        },
      };
    } else if (error.code && FASTIFY_ERRORS[error.code]) {
      const known = FASTIFY_ERRORS[error.code]!;
      status = known.status;
      body = { error: { code: known.code, message: known.message, requestId } };
    } else if (error.statusCode === 429) {
      status = 429;
      body = { error: { code: 'rate_limited', message: 'Too many requests: wait and try again', requestId } };
    } else if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      status = error.statusCode;
      body = { error: { code: 'bad_request', message: 'The request could not be handled', requestId } };
    } else {
      status = 500;
      body = { error: { code: 'internal_error', message: 'Something went wrong on our side; the request ID identifies it in our logs', requestId } };
    }
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: body.error.code, status }, 'request refused');
    void reply.status(status).type('application/json; charset=utf-8').send(body);
  });

  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({ error: { code: 'route_not_found', message: `No route for ${request.method} ${request.url.split('?')[0]}`, requestId: request.id } });
  });
}
