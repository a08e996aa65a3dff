/**
 * Every error errspec throws lives here, each class with a stable `code`.
 * Conformance results are never thrown: only misuse (bad input or configuration) is.
 */
export class ErrspecError extends Error {
  readonly code: string = 'ERRSPEC_ERROR';
  /** Exit code the CLI maps this error to. */
  readonly exitCode: number = 2;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class UsageError extends ErrspecError {
  override readonly code = 'ERRSPEC_USAGE';
}

export class ConfigInvalidError extends ErrspecError {
  override readonly code = 'ERRSPEC_CONFIG_INVALID';
}

export class ProfileInvalidError extends ErrspecError {
  override readonly code = 'ERRSPEC_PROFILE_INVALID';
}

export class UnknownVendorError extends ErrspecError {
  override readonly code = 'ERRSPEC_UNKNOWN_VENDOR';
}

export class HarInvalidError extends ErrspecError {
  override readonly code = 'ERRSPEC_HAR_INVALID';
}

/** An OpenAPI document that cannot be read or is not OpenAPI 3.0 or 3.1 (`verify --openapi`). */
export class OpenApiInvalidError extends ErrspecError {
  override readonly code = 'ERRSPEC_OPENAPI_INVALID';
}

export class MissingEnvError extends ErrspecError {
  override readonly code = 'ERRSPEC_ENV_MISSING';
}

export class DuplicateCheckError extends ErrspecError {
  override readonly code = 'ERRSPEC_DUPLICATE_CHECK';
}

/** The target could not be reached at all (exit 3). */
export class TargetUnreachableError extends ErrspecError {
  override readonly code = 'ERRSPEC_TARGET_UNREACHABLE';
  override readonly exitCode = 3;
}

/** An external tool errspec drives (Pact CLI, Jest) failed to run. */
/** A report path errspec cannot write: found before the first request, so no verdict is lost to it. */
export class ReportPathError extends ErrspecError {
  override readonly code = 'ERRSPEC_REPORT_PATH';
}

export class ToolFailedError extends ErrspecError {
  override readonly code = 'ERRSPEC_TOOL_FAILED';
}

/** A `--baseline` file that exists but is not an errspec baseline (drift). */
export class BaselineInvalidError extends ErrspecError {
  override readonly code = 'ERRSPEC_BASELINE_INVALID';
}


export function isErrspecError(error: unknown): error is ErrspecError {
  return error instanceof ErrspecError;
}

/** A saved JSON report `errspec diff` or `errspec merge` cannot read, or shards that cannot be one run. */
export class ReportInvalidError extends ErrspecError {
  override readonly code = 'ERRSPEC_REPORT_INVALID';
}
