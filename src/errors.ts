// One application error type. Domain code throws AppError with a code; the HTTP layer maps codes
// to status codes in one table (src/http/errors.ts). Domain code never knows about HTTP.
// Messages are written for the people who read them in the UI (简体中文); codes are for programs.
export type ErrorCode =
  | 'VALIDATION_FAILED'
  | 'IMPORT_REJECTED'
  | 'UNAUTHENTICATED'
  | 'SESSION_EXPIRED'
  | 'INVALID_CREDENTIALS'
  | 'ACCOUNT_LOCKED'
  | 'CSRF_FAILED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'PAYLOAD_TOO_LARGE'
  | 'EXPORT_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'INTERNAL';

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/** Records outside the caller's scope are reported exactly like missing ones, so scope leaks nothing. */
export const notFound = (what: string, id: unknown) =>
  new AppError('NOT_FOUND', `${what}（${String(id)}）不存在或不在您的管辖范围内`, { id });

export const forbidden = (message = '您的角色无权执行此操作') => new AppError('FORBIDDEN', message);
