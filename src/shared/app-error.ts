/** The closed set of error codes a client can see, mapped to GraphQL `extensions.code` and HTTP status. */
export const ERROR_CODES = {
  BAD_USER_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  TOO_MANY_REQUESTS: 429,
  INTERNAL_SERVER_ERROR: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** An error meant for the client: a stable code, a human message, and optional safe details. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppError';
  }

  get httpStatus(): number {
    return ERROR_CODES[this.code];
  }

  static badInput(message: string, field?: string): AppError {
    return new AppError('BAD_USER_INPUT', message, field ? { field } : undefined);
  }

  static notFound(what: string): AppError {
    return new AppError('NOT_FOUND', `${what} not found`);
  }

  static conflict(message: string, field?: string): AppError {
    return new AppError('CONFLICT', message, field ? { field } : undefined);
  }
}

export function assertNever(value: never, what = 'value'): never {
  throw new Error(`Unexpected ${what}: ${JSON.stringify(value)}`);
}
