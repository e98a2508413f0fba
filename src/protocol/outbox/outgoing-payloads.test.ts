import { describe, expect, it } from 'vitest';
import { loadFixture, type WireCaptures } from '../../../test/support/fixtures.js';
import { encodePayload } from '../envelope.js';
import { USER_META_FIELDS } from '../receiver/ports.js';
import {
  deletePayload,
  metaPayload,
  passwordPayload,
  userPayload,
  type UserSnapshot,
} from './outgoing-payloads.js';

const captures = loadFixture<WireCaptures>('wire-captures.json');
const site = {
  url: 'http://127.0.0.1:8082',
  outgoingActions: ['login', 'logout', 'create', 'update', 'delete', 'password', 'role', 'meta'],
  outgoingMeta: ['billing_phone', 'lab_city', 'lab_color', 'lab_prefs'],
  outgoingRoles: ['administrator', 'editor', 'author', 'contributor', 'subscriber'],
};

function captured(
  stepId: string,
  endpoint: string,
  index = 0,
): { plaintext: string; json: Record<string, unknown> } {
  const exchanges = captures.steps
    .find((s) => s.id === stepId)!
    .exchanges.filter((e) => e.endpoint === endpoint);
  return exchanges[index]!.decrypted['post.wprusdata'] as {
    plaintext: string;
    json: Record<string, unknown>;
  };
}

/** The snapshot our sender would hold for the user the captured payload describes. */
function snapshotFrom(json: Record<string, unknown>, roles: string[]): UserSnapshot {
  const s = (k: string): string => (typeof json[k] === 'string' ? json[k] : '');
  return {
    login: s('user_login'),
    nicename: s('user_nicename'),
    url: s('user_url'),
    email: s('user_email'),
    displayName: s('display_name'),
    registered: s('user_registered'),
    activationKey: s('user_activation_key'),
    meta: Object.fromEntries(USER_META_FIELDS.map((k) => [k, s(k)])),
    roles,
  };
}

describe('outgoing payloads are byte for byte what the plugin sends', () => {
  it('create, with the plaintext password and roles', () => {
    const { plaintext, json } = captured('01-create', 'create');
    const ours = userPayload(
      'create',
      snapshotFrom(json, ['author']),
      site,
      String(json['user_pass']),
      'http://127.0.0.1:8081',
    );
    expect(encodePayload(ours)).toBe(plaintext);
  });

  it('update after a role change (roles.add), and update with a password', () => {
    for (const [step, roles] of [
      ['06-role-add', ['editor', 'subscriber']],
      ['02-update', ['author']],
    ] as const) {
      const { plaintext, json } = captured(step, 'update');
      const ours = userPayload('update', snapshotFrom(json, [...roles]), site, null, 'http://127.0.0.1:8081');
      expect(encodePayload(ours), step).toBe(plaintext);
    }
    const withPassword = captured('03-password-update', 'update');
    const ours = userPayload(
      'update',
      snapshotFrom(withPassword.json, ['author']),
      site,
      String(withPassword.json['user_pass']),
      'http://127.0.0.1:8081',
    );
    expect(encodePayload(ours)).toBe(withPassword.plaintext);
  });

  it('roles are filtered by the outgoing list and omitted without outgoing Role', () => {
    const { json } = captured('06-role-add', 'update');
    const onlyEditor = userPayload(
      'update',
      snapshotFrom(json, ['editor', 'subscriber']),
      { ...site, outgoingRoles: ['subscriber'] },
      null,
      'x',
    );
    expect(onlyEditor['roles']).toEqual({ set: 'subscriber', add: false });
    const none = userPayload(
      'update',
      snapshotFrom(json, ['editor']),
      { ...site, outgoingRoles: [] },
      null,
      'x',
    );
    expect(none['roles']).toEqual({ set: false, add: false });
    const noRole = userPayload(
      'update',
      snapshotFrom(json, ['editor']),
      { ...site, outgoingActions: ['update'] },
      'secret',
      'x',
    );
    expect(noRole).not.toHaveProperty('roles');
    expect(noRole).not.toHaveProperty('user_pass');
  });

  it('password reset, delete with and without reassignment, and meta', () => {
    expect(encodePayload(passwordPayload('wire_alice', 'Reset-wire_alice-3', 'http://127.0.0.1:8081'))).toBe(
      captured('04-password-reset', 'password').plaintext,
    );
    expect(encodePayload(deletePayload('wire_alice', 'admin', 'http://127.0.0.1:8081'))).toBe(
      captured('15-delete-reassign', 'delete').plaintext,
    );
    expect(encodePayload(deletePayload('wire_bob', null, 'http://127.0.0.1:8081'))).toBe(
      captured('16-delete', 'delete').plaintext,
    );
    const meta = metaPayload(
      'wire_alice',
      [{ op: 'update', key: 'lab_color', value: 'blue', prevValue: '' }],
      site,
      'http://127.0.0.1:8081',
    );
    expect(encodePayload(meta)).toBe(captured('07-meta-update', 'meta').plaintext);
    const add = metaPayload(
      'wire_alice',
      [{ op: 'add', key: 'lab_city', value: 'Zürich', unique: false }],
      site,
      'http://127.0.0.1:8081',
    );
    expect(encodePayload(add)).toBe(captured('08-meta-add', 'meta').plaintext);
    const del = metaPayload(
      'wire_alice',
      [{ op: 'delete', key: 'lab_color', value: '', deleteAll: false }],
      site,
      'http://127.0.0.1:8081',
    );
    expect(encodePayload(del)).toBe(captured('10-meta-delete', 'meta').plaintext);
    expect(
      metaPayload('wire_alice', [{ op: 'add', key: 'secret', value: 'x', unique: false }], site, 'x'),
    ).toBeNull();
  });
});
