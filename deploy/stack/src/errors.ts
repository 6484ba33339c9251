import { DphError } from '@dph/errors';

/** Failures of the stack command: printed as one clean line (plus a hint), never as a stack trace. */
export class StackError extends DphError {
  readonly hint: string | undefined;
  constructor(code: string, message: string, hint?: string, cause?: unknown) {
    super(code, message, { status: 500, retryable: false, cause });
    this.name = 'StackError';
    this.hint = hint;
  }
}

export function portTaken(component: string, port: number, envName: string): StackError {
  return new StackError(
    'stack_port_taken',
    `port ${port} (${component}) is already in use by a process this stack did not start`,
    `stop that process, or pick another port with ${envName}=<port>`,
  );
}
