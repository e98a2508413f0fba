/**
 * How a receiver applies the `roles: {set, add}` of a create/update (protocol doc §6.5): the site's
 * accepted-roles list (empty = all), and the optional merge with the user's existing roles.
 */

export interface RolesChange {
  readonly set: string | false;
  readonly add: readonly string[] | false;
}

export interface RoleRules {
  /** Roles accepted from the sender; empty accepts every role. */
  readonly incomingRoles: readonly string[];
  readonly incomingRolesMerge: boolean;
}

export interface RoleDecision {
  /** The user's roles afterwards, or null when nothing changes. */
  readonly roles: string[] | null;
  /** Roles the site's list did not accept (each logged as "not accepted"). */
  readonly rejected: string[];
}

/** WordPress's core roles, strongest first: a stronger one present makes the weaker ones redundant. */
const CORE_ROLES = ['administrator', 'editor', 'author', 'contributor', 'subscriber'] as const;

function isCore(role: string): boolean {
  return (CORE_ROLES as readonly string[]).includes(role);
}

/** The plugin's merge (§6.5): union, drop dominated core roles, strongest remaining core role first. */
export function mergeRoles(existing: readonly string[], change: RolesChange): RolesChange {
  const candidate = [...new Set([...existing, ...(change.set ? [change.set] : []), ...(change.add || [])])];
  const strongest = CORE_ROLES.findIndex((r) => candidate.includes(r));
  const kept = candidate.filter(
    (r) => !isCore(r) || CORE_ROLES.indexOf(r as (typeof CORE_ROLES)[number]) <= strongest,
  );
  const firstCore = kept.find(isCore);
  const ordered = firstCore ? [firstCore, ...kept.filter((r) => r !== firstCore)] : kept;
  const [set, ...add] = ordered;
  return { set: set ?? false, add: add.length ? add : false };
}

/**
 * The roles a receiver ends up with. `set` replaces every role when accepted; each `add` is added
 * when accepted. As in the plugin, an existing role that the list does not accept is rejected too
 * when merging (and so dropped if `set` was accepted).
 */
export function decideRoles(
  existing: readonly string[],
  incoming: RolesChange,
  rules: RoleRules,
): RoleDecision {
  const change = rules.incomingRolesMerge ? mergeRoles(existing, incoming) : incoming;
  const accepts = (role: string): boolean =>
    rules.incomingRoles.length === 0 || rules.incomingRoles.includes(role);
  const rejected: string[] = [];
  let roles: string[] | null = null;
  if (change.set) {
    if (accepts(change.set)) roles = [change.set];
    else rejected.push(change.set);
  }
  for (const role of change.add || []) {
    if (!accepts(role)) {
      rejected.push(role);
      continue;
    }
    roles ??= [...existing];
    if (!roles.includes(role)) roles.push(role);
  }
  return { roles, rejected };
}
