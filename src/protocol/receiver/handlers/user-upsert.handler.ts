import { decideRoles, type RolesChange } from '../incoming-roles.js';
import { describeIssue, userPayloadSchema } from '../payload-schemas.js';
import {
  USER_META_FIELDS,
  USER_TABLE_FIELDS,
  type PasswordInstruction,
  type SyncedUserFields,
} from '../ports.js';
import type { ActionHandler, HandlerContext } from '../types.js';

function payloadForLog(data: Record<string, unknown>): Record<string, unknown> {
  const { username: _u, base_url: _b, ...rest } = data;
  return { data: rest };
}

/**
 * `create` and `update` (§6.1, §6.2): the user is found by login; update creates the user when the
 * site also has incoming Create enabled. Only the fields the plugin defines are applied.
 */
export function userUpsertHandler(kind: 'create' | 'update'): ActionHandler {
  const Label = kind === 'create' ? 'Create' : 'Update';
  return {
    source: 'post',
    async handle({ data, site, deps, remoteIp }: HandlerContext): Promise<void> {
      const parsed = userPayloadSchema.safeParse(data);
      if (!parsed.success) {
        deps.log({
          type: 'alert',
          event: 'incoming.action',
          message: `${Label} action failed - received invalid data.`,
          data: { problem: describeIssue(parsed.error) },
          siteId: site.id,
          action: kind,
          direction: 'incoming',
          login: typeof data['username'] === 'string' ? data['username'] : null,
          outcome: 'refused',
          cause: 'invalid_payload',
          remoteIp,
        });
        return;
      }
      const payload = parsed.data;
      const login = payload.username;
      const fields: SyncedUserFields = {};
      for (const key of [...USER_TABLE_FIELDS, ...USER_META_FIELDS]) {
        const value = payload[key];
        if (value !== undefined) fields[key] = value;
      }
      if (kind === 'create') delete fields.user_activation_key;
      const passwordAllowed = site.incomingActions.includes('password');
      const plain =
        typeof payload.user_pass === 'string' && payload.user_pass !== '' ? payload.user_pass : null;
      const forCreate: PasswordInstruction =
        passwordAllowed && plain ? { kind: 'plain', value: plain } : { kind: 'random' };
      const forUpdate: PasswordInstruction =
        passwordAllowed && plain ? { kind: 'plain', value: plain } : { kind: 'keep' };
      const roles = payload.roles && !Array.isArray(payload.roles) ? (payload.roles as RolesChange) : null;
      let rolesDecider = null;
      if (roles) {
        if (site.incomingActions.includes('role')) {
          rolesDecider = (existing: readonly string[]) => decideRoles(existing, roles, site);
        } else {
          deps.log({
            type: 'alert',
            event: 'incoming.action',
            message: `Role action failed - incoming role action not enabled for ${site.url}`,
            siteId: site.id,
            action: 'role',
            direction: 'incoming',
            login,
            outcome: 'refused',
            cause: 'action_disabled',
            remoteIp,
          });
        }
      }
      const mode =
        kind === 'create'
          ? 'create'
          : site.incomingActions.includes('create')
            ? 'update-or-create'
            : 'update';
      const result = await deps.users.upsert(
        { siteId: site.id, siteUrl: site.url },
        {
          login,
          fields,
          mode,
          password: kind === 'create' ? forCreate : forUpdate,
          passwordForCreate: forCreate,
          roles: rolesDecider,
        },
      );
      const base = {
        siteId: site.id,
        action: kind,
        direction: 'incoming' as const,
        login,
        remoteIp,
        event: 'incoming.action',
      };
      switch (result.outcome) {
        case 'created':
        case 'updated': {
          const message =
            result.outcome === 'created' && kind === 'update'
              ? `Update action aborted - performed Create action instead: successfully created user "${login}" from ${site.url}.`
              : `${Label} action - successfully ${result.outcome} user "${login}" from ${site.url}.`;
          deps.log({
            ...base,
            type: kind === 'update' && result.outcome === 'created' ? 'warning' : 'success',
            message,
            data: payloadForLog(payload),
            outcome: 'applied',
          });
          for (const role of result.rolesRejected) {
            deps.log({
              ...base,
              type: 'warning',
              action: 'role',
              message: `Role action aborted - role ${role} for user "${login}" from ${site.url} not accepted`,
              outcome: 'refused',
              cause: 'role_not_accepted',
            });
          }
          return;
        }
        case 'not_found':
          deps.log({
            ...base,
            type: 'alert',
            message: `Update action failed - "${login}" from ${site.url} does not exist locally and the incoming Create action is not enabled.`,
            outcome: 'refused',
            cause: 'user_not_found',
          });
          return;
        case 'failed':
          deps.log({
            ...base,
            type: 'alert',
            message: `${Label} action failed - "${result.message}" for user "${login}" from ${site.url}.`,
            outcome: 'failed',
            cause: result.cause,
          });
          return;
      }
    },
  };
}
