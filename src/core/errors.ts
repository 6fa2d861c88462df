/**
 * The error classes of the core. Each carries a stable `code` (used in the HTTP API's
 * `{"error":{"code","message"}}`) and an HTTP status; messages say how to fix the problem.
 */

/** Base class of every error Switchboard raises on purpose. */
export class SwitchboardError extends Error {
  /** Stable machine-readable code. */
  readonly code: string;
  /** HTTP status the API answers with. */
  readonly status: number;

  constructor(code: string, message: string, status = 500, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.status = status;
  }
}

/** Thrown when input is malformed or breaks a limit (bad JSON, oversized message, bad query). */
export class ValidationError extends SwitchboardError {
  constructor(message: string, code = 'invalid_request') {
    super(code, message, 400);
  }
}

/** Thrown when a run, session, approval or route does not exist. */
export class NotFoundError extends SwitchboardError {
  constructor(what: string, id: string) {
    super('not_found', `${what} ${id} does not exist`, 404);
  }
}

/** Thrown when the caller is not allowed to do this (policy said no, wrong token). */
export class ForbiddenError extends SwitchboardError {
  constructor(message: string, code = 'forbidden') {
    super(code, message, 403);
  }
}

/** Thrown when the request needs a bearer token and none or a wrong one was given. */
export class UnauthorizedError extends SwitchboardError {
  constructor(message = 'missing or wrong bearer token: send "Authorization: Bearer <admin token>"') {
    super('unauthorized', message, 401);
  }
}

/** Thrown when the state of a thing does not allow the move (a decided approval, a finished run). */
export class ConflictError extends SwitchboardError {
  /** The current state, so callers can tell the user why. */
  readonly state: string | undefined;

  constructor(message: string, code = 'conflict', state?: string) {
    super(code, message, 409);
    this.state = state;
  }
}

/** Thrown for a run state move that DESIGN.md section 2 does not allow. */
export class IllegalTransitionError extends ConflictError {
  constructor(
    readonly runId: string,
    readonly from: string,
    readonly to: string,
  ) {
    super(`run ${runId} cannot move from ${from} to ${to}`, 'illegal_transition', from);
  }
}

/** Thrown when a session key arrives through another channel or device than it is bound to. */
export class SessionBindingError extends SwitchboardError {
  constructor(key: string, boundTo: string, via: string) {
    super(
      'session_bound_elsewhere',
      `session ${key} belongs to ${boundTo} and cannot be used from ${via}; use another session_key`,
      409,
    );
  }
}

/** Thrown at start when the config file or policies are invalid; the message names file, key and reason. */
export class ConfigError extends SwitchboardError {
  constructor(message: string) {
    super('config_invalid', message, 500);
  }
}
