import type { SqlEntityManager as EntityManager } from '../db/types.js';

/** Where a change came from: an admin/API call here, or a remote site (never echoed back to it). */
export type ChangeOrigin =
  | { readonly kind: 'local'; readonly actor: string }
  | { readonly kind: 'peer'; readonly siteId: string; readonly siteUrl: string }
  | { readonly kind: 'import'; readonly jobId: string; readonly syncToSites: boolean };

interface UserEventBase {
  readonly userId: string;
  readonly login: string;
  readonly origin: ChangeOrigin;
  readonly at: Date;
}

/** The typed domain events of user changes, emitted after their transaction commits. */
export type UserEvent =
  | (UserEventBase & { readonly type: 'user.created'; readonly plainPassword: string | null })
  | (UserEventBase & {
      readonly type: 'user.updated';
      readonly previousLogin: string;
      readonly plainPassword: string | null;
    })
  | (UserEventBase & { readonly type: 'user.deleted'; readonly reassignToLogin: string | null })
  | (UserEventBase & { readonly type: 'user.password_changed'; readonly plainPassword: string })
  | (UserEventBase & {
      readonly type: 'user.roles_changed';
      readonly roles: readonly string[];
      readonly previousRoles: readonly string[];
    })
  | (UserEventBase & {
      readonly type: 'user.meta_changed';
      readonly changes: readonly MetaChange[];
    });

export type MetaChange =
  | {
      readonly op: 'update';
      readonly key: string;
      readonly value: string;
      readonly previous: readonly string[];
    }
  | { readonly op: 'add'; readonly key: string; readonly value: string }
  | { readonly op: 'delete'; readonly key: string; readonly value: string | null };

export type UserEventType = UserEvent['type'];

/** Runs inside the change's transaction (e.g. to write outbox rows atomically with it). */
export type TransactionalHandler = (em: EntityManager, event: UserEvent) => Promise<void>;
/** Runs after the commit; failures are logged, never propagated to the caller. */
export type CommittedHandler = (event: UserEvent) => void | Promise<void>;

/**
 * The in-process event hub of user changes. `record` is called by services inside their
 * transaction; `publish` after it commits.
 */
export class DomainEvents {
  private readonly transactional: TransactionalHandler[] = [];
  private readonly committed: CommittedHandler[] = [];

  constructor(private readonly onError: (err: unknown, event: UserEvent) => void) {}

  onTransaction(handler: TransactionalHandler): void {
    this.transactional.push(handler);
  }

  onCommitted(handler: CommittedHandler): () => void {
    this.committed.push(handler);
    return () => {
      const i = this.committed.indexOf(handler);
      if (i >= 0) this.committed.splice(i, 1);
    };
  }

  async record(em: EntityManager, events: readonly UserEvent[]): Promise<void> {
    for (const event of events) {
      for (const handler of this.transactional) await handler(em, event);
    }
  }

  publish(events: readonly UserEvent[]): void {
    for (const event of events) {
      for (const handler of this.committed) {
        try {
          const result = handler(event);
          if (result instanceof Promise) result.catch((err: unknown) => this.onError(err, event));
        } catch (err) {
          this.onError(err, event);
        }
      }
    }
  }
}
