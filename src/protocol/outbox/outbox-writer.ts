import type { SqlEntityManager as EntityManager } from '../../db/types.js';
import type { UserEvent } from '../../shared/domain-events.js';
import type { ActionKey } from '../actions.js';
import { logoutPayload } from '../browser-actions.js';
import { phpToJs } from '../../lib/php-value.js';
import { maybeUnserialize } from '../../lib/wp-serialize.js';
import {
  encodePayload,
  encryptBundle,
  type EnvelopeKeys,
  type JsonObject,
  type JsonValue,
} from '../envelope.js';
import { Delivery } from './delivery.entity.js';
import {
  deletePayload,
  metaPayload,
  type OutgoingMetaChange,
  passwordPayload,
  userPayload,
  type OutgoingSite,
  type UserSnapshot,
} from './outgoing-payloads.js';

export interface OutboxSite extends OutgoingSite {
  readonly id: string;
}

/** Typed equivalents of the plugin's sender hooks (`wprus_action_data`, site selection). */
export interface SenderHooks {
  /** Which sites receive an action; return a subset. */
  readonly sites?: (
    action: ActionKey,
    event: UserEvent,
    sites: readonly OutboxSite[],
  ) => readonly OutboxSite[];
  /** Like `wprus_action_data`: change the payload for one site, or return null to send nothing. */
  readonly outgoingPayload?: (
    action: ActionKey,
    payload: JsonObject,
    site: OutboxSite,
    event: UserEvent,
  ) => JsonObject | null;
}

export interface OutboxWriterDeps {
  /** Read through the change's own EntityManager: on SQLite the transaction holds the only connection. */
  keys(em: EntityManager): Promise<EnvelopeKeys | null>;
  sites(em: EntityManager): Promise<readonly OutboxSite[]>;
  snapshot(em: EntityManager, userId: string): Promise<UserSnapshot | null>;
  readonly publicUrl: string;
  readonly hooks?: SenderHooks;
}

/** A stored meta value as the PHP value WordPress would hand to the plugin, JSON-encoded. */
function metaJson(raw: string): JsonValue {
  return phpToJs(maybeUnserialize(raw));
}

/** The action a user event becomes on the wire (roles travel inside `update`, as in the plugin). */
export function actionFor(event: UserEvent): ActionKey {
  switch (event.type) {
    case 'user.created':
      return 'create';
    case 'user.updated':
    case 'user.roles_changed':
      return 'update';
    case 'user.deleted':
      return 'delete';
    case 'user.password_changed':
      return 'password';
    case 'user.meta_changed':
      return 'meta';
  }
}

/**
 * Turns committed-to-be changes into outbox rows inside their own transaction, one per remote site
 * with the action enabled outgoing. Changes received from a peer are never sent out again (the plugin's
 * loop prevention), and imports only when asked.
 */
export class OutboxWriter {
  constructor(private readonly deps: OutboxWriterDeps) {}

  /** Whether a change may be sent out at all: never one received from a peer, an import only when asked. */
  sendsOut(event: UserEvent): boolean {
    return event.origin.kind === 'local' || (event.origin.kind === 'import' && event.origin.syncToSites);
  }

  async write(em: EntityManager, event: UserEvent): Promise<number> {
    if (!this.sendsOut(event)) return 0;
    const action = actionFor(event);
    let sites = (await this.deps.sites(em)).filter((s) => s.outgoingActions.includes(action));
    if (this.deps.hooks?.sites) sites = [...this.deps.hooks.sites(action, event, sites)];
    if (sites.length === 0) return 0;
    const keys = await this.deps.keys(em);
    if (!keys) return 0;
    const snapshot =
      action === 'create' || action === 'update' ? await this.deps.snapshot(em, event.userId) : null;
    let written = 0;
    for (const site of sites) {
      let payload = this.payload(action, event, site, snapshot);
      if (payload && this.deps.hooks?.outgoingPayload)
        payload = this.deps.hooks.outgoingPayload(action, payload, site, event);
      if (!payload) continue;
      this.enqueue(em, site, action, event.login, payload, keys);
      written++;
    }
    await em.flush();
    return written;
  }

  /**
   * Pushes a user's current state to sites (plugin issue #57: a newly added site gets nobody): an
   * `update` (which creates the user where incoming Create is on) and a `meta` with every value of the
   * site's outgoing meta keys. Returns the number of deliveries queued.
   */
  async resync(
    em: EntityManager,
    userId: string,
    siteIds: readonly string[] | null,
    metaValues: (key: string) => Promise<string[]>,
  ): Promise<number> {
    const keys = await this.deps.keys(em);
    if (!keys) return 0;
    const snapshot = await this.deps.snapshot(em, userId);
    if (!snapshot) return 0;
    const sites = (await this.deps.sites(em)).filter(
      (s) => (siteIds ? siteIds.includes(s.id) : true) && s.outgoingActions.includes('update'),
    );
    let queued = 0;
    for (const site of sites) {
      const payloads: [ActionKey, JsonObject | null][] = [
        ['update', userPayload('update', snapshot, site, null, this.deps.publicUrl)],
      ];
      if (site.outgoingActions.includes('meta')) {
        const changes: OutgoingMetaChange[] = [];
        for (const key of site.outgoingMeta) {
          for (const value of await metaValues(key))
            changes.push({ op: 'update', key, value: metaJson(value), prevValue: '' });
        }
        payloads.push(['meta', metaPayload(snapshot.login, changes, site, this.deps.publicUrl)]);
      }
      for (const [action, payload] of payloads) {
        if (!payload) continue;
        this.enqueue(em, site, action, snapshot.login, payload, keys);
        queued++;
      }
    }
    await em.flush();
    return queued;
  }

  /**
   * "Log out everywhere" on the remote sites (the plugin's trigger B, §6.8): a server-to-server
   * `logout` `{username, base_url}` to every site with Logout enabled outgoing. Our receivers then end
   * every session of the user; WordPress receivers only do so in strict mode (Q25).
   */
  async logoutEverywhere(em: EntityManager, login: string): Promise<number> {
    const keys = await this.deps.keys(em);
    if (!keys) return 0;
    const sites = (await this.deps.sites(em)).filter((s) => s.outgoingActions.includes('logout'));
    for (const site of sites)
      this.enqueue(em, site, 'logout', login, logoutPayload(login, this.deps.publicUrl), keys);
    await em.flush();
    return sites.length;
  }

  private enqueue(
    em: EntityManager,
    site: OutboxSite,
    action: ActionKey,
    login: string,
    payload: JsonObject,
    keys: EnvelopeKeys,
  ): void {
    em.create(Delivery, {
      siteId: site.id,
      siteUrl: site.url,
      action,
      login,
      bundle: encryptBundle(encodePayload(payload), keys),
      status: 'pending',
      attempts: 0,
      nextAttemptAt: new Date(),
      createdAt: new Date(),
    });
  }

  private payload(
    action: ActionKey,
    event: UserEvent,
    site: OutboxSite,
    snapshot: UserSnapshot | null,
  ): JsonObject | null {
    const baseUrl = this.deps.publicUrl;
    switch (event.type) {
      case 'user.created':
      case 'user.updated':
      case 'user.roles_changed': {
        if (!snapshot) return null;
        const plain = event.type === 'user.roles_changed' ? null : event.plainPassword;
        return userPayload(action === 'create' ? 'create' : 'update', snapshot, site, plain, baseUrl);
      }
      case 'user.deleted':
        return deletePayload(event.login, event.reassignToLogin, baseUrl);
      case 'user.password_changed':
        return passwordPayload(event.login, event.plainPassword, baseUrl);
      case 'user.meta_changed':
        return metaPayload(
          event.login,
          event.changes.map((c) =>
            c.op === 'update'
              ? { op: 'update', key: c.key, value: metaJson(c.value), prevValue: '' }
              : c.op === 'add'
                ? { op: 'add', key: c.key, value: metaJson(c.value), unique: false }
                : {
                    op: 'delete',
                    key: c.key,
                    value: c.value === null ? '' : metaJson(c.value),
                    deleteAll: false,
                  },
          ),
          site,
          baseUrl,
        );
    }
  }
}
