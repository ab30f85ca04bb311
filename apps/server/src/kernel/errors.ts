/**
 * The named failures a service may raise. Each carries its HTTP status and a stable code; the one
 * error handler turns it into `{"error":{"code","message"}}`.
 * @example throw new NotFoundError('user_not_found', 'No such user');
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: { path: string; message: string }[],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class BadRequestError extends AppError {
  constructor(code: string, message: string, details?: { path: string; message: string }[]) {
    super(400, code, message, details);
  }
}

export class UnauthenticatedError extends AppError {
  constructor(code = 'unauthenticated', message = 'Log in or send a valid API token') {
    super(401, code, message);
  }
}

export class ForbiddenError extends AppError {
  constructor(code = 'forbidden', message = 'You are not allowed to do this') {
    super(403, code, message);
  }
}

export class NotFoundError extends AppError {
  constructor(code = 'not_found', message = 'Not found') {
    super(404, code, message);
  }
}

export class ConflictError extends AppError {
  constructor(code: string, message: string) {
    super(409, code, message);
  }
}

export class TooManyRequestsError extends AppError {
  constructor(code: string, message: string) {
    super(429, code, message);
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(code = 'payload_too_large', message = 'The request body is too large') {
    super(413, code, message);
  }
}

export class ServiceUnavailableError extends AppError {
  constructor(code: string, message: string) {
    super(503, code, message);
  }
}
