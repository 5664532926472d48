/**
 * @module Mirror of the client's error-scope stack on the host. Dawn scopes catch Dawn's errors; this mirror
 * catches the host's own refusals (unknown id, caps), so a client sees both through popErrorScope exactly as
 * WebGPU would report them.
 */
import type { ErrorFilter } from '../bridge/protocol.ts';

export interface ScopedError {
  kind: ErrorFilter;
  message: string;
}

interface Scope {
  filter: ErrorFilter;
  /** First host-side error this scope caught. */
  error: ScopedError | null;
}

export class ErrorScopeMirror {
  readonly #scopes: Scope[] = [];

  push(filter: ErrorFilter): void {
    this.#scopes.push({ filter, error: null });
  }

  /** The popped scope, or undefined when the stack is empty (WebGPU's OperationError). */
  pop(): Scope | undefined {
    return this.#scopes.pop();
  }

  /** Records the error in the innermost scope of its kind; false when no scope takes it (it is uncaptured). */
  capture(kind: ErrorFilter, message: string): boolean {
    for (let i = this.#scopes.length - 1; i >= 0; i--) {
      const s = this.#scopes[i];
      if (s.filter === kind) {
        s.error ??= { kind, message };
        return true;
      }
    }
    return false;
  }
}
