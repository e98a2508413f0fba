import { describe, expect, it } from 'vitest';
import { decideRoles, mergeRoles } from './incoming-roles.js';

describe('mergeRoles (§6.5)', () => {
  it('drops core roles dominated by a stronger one and puts the strongest first', () => {
    expect(mergeRoles(['subscriber', 'shop_manager'], { set: 'editor', add: ['author'] })).toEqual({
      set: 'editor',
      add: ['shop_manager'],
    });
  });
  it('keeps custom roles only', () => {
    expect(mergeRoles([], { set: 'a', add: ['b'] })).toEqual({ set: 'a', add: ['b'] });
  });
  it('gives set=false for nothing at all', () => {
    expect(mergeRoles([], { set: false, add: false })).toEqual({ set: false, add: false });
  });
});

describe('decideRoles', () => {
  const all = { incomingRoles: [], incomingRolesMerge: false };
  it('replaces the roles with `set` and adds `add`', () => {
    expect(decideRoles(['subscriber'], { set: 'author', add: ['editor'] }, all)).toEqual({
      roles: ['author', 'editor'],
      rejected: [],
    });
  });
  it('treats {set:false, add:false} as no change', () => {
    expect(decideRoles(['subscriber'], { set: false, add: false }, all)).toEqual({
      roles: null,
      rejected: [],
    });
  });
  it('refuses roles outside the accepted list', () => {
    const rules = { incomingRoles: ['author'], incomingRolesMerge: false };
    expect(decideRoles(['subscriber'], { set: 'administrator', add: ['author'] }, rules)).toEqual({
      roles: ['subscriber', 'author'],
      rejected: ['administrator'],
    });
  });
  it('merges with the existing roles when asked', () => {
    const rules = { incomingRoles: [], incomingRolesMerge: true };
    expect(decideRoles(['subscriber', 'vip'], { set: 'author', add: false }, rules)).toEqual({
      roles: ['author', 'vip'],
      rejected: [],
    });
  });
});
