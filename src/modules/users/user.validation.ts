import { AppError } from '../../shared/app-error.js';
import { urlSchema } from './user.inputs.js';
import type { UserRepository } from './user.repository.js';
import { isEmail, sanitizeUserLogin, userNicenameFrom } from './wp-user-rules.js';

/**
 * WordPress sanitises a login silently; an admin API should not create a user under a name the admin did
 * not type, so a login that sanitisation would change is refused with the reason.
 */
export function validateLogin(raw: string): string {
  const login = sanitizeUserLogin(raw);
  if (login === '') throw AppError.badInput('the login cannot be empty', 'login');
  if (login !== raw) {
    throw AppError.badInput(
      'the login may only contain letters, digits, spaces and _ . - @ (WordPress sanitize_user)',
      'login',
    );
  }
  if ([...login].length > 60) throw AppError.badInput('the login has at most 60 characters', 'login');
  return login;
}

interface UserFieldsInput {
  readonly email?: string | null;
  readonly url?: string | null;
  readonly displayName?: string | null;
  readonly nicename?: string | null;
}

export interface CheckedUserFields {
  readonly email: string;
  readonly url?: string;
  readonly displayName?: string;
  readonly nicename?: string;
}

export function checkUserFields(input: UserFieldsInput & { email: string }): CheckedUserFields;
export function checkUserFields(input: UserFieldsInput): Partial<CheckedUserFields>;
export function checkUserFields(input: UserFieldsInput): Partial<CheckedUserFields> {
  const out: { email?: string; url?: string; displayName?: string; nicename?: string } = {};
  if (input.email != null) {
    const email = input.email.trim();
    if (email.length > 100) throw AppError.badInput('the e-mail has at most 100 characters', 'email');
    if (!isEmail(email)) throw AppError.badInput('the e-mail address is not valid', 'email');
    out.email = email;
  }
  if (input.url != null) {
    const url = urlSchema.safeParse(input.url.trim());
    if (!url.success) throw AppError.badInput(url.error.issues[0]?.message ?? 'invalid URL', 'url');
    out.url = url.data;
  }
  if (input.displayName != null) {
    if ([...input.displayName].length > 250)
      throw AppError.badInput('the display name has at most 250 characters', 'displayName');
    out.displayName = input.displayName;
  }
  if (input.nicename != null) {
    const nicename = userNicenameFrom(input.nicename);
    if (nicename === '' || nicename !== input.nicename) {
      throw AppError.badInput(
        'the nicename must be a lowercase URL slug of at most 50 characters',
        'nicename',
      );
    }
    out.nicename = nicename;
  }
  return out;
}

/** WordPress's default display name for a new user. */
export function defaultDisplayName(
  login: string,
  firstName?: string | null,
  lastName?: string | null,
): string {
  if (firstName && lastName) return `${firstName} ${lastName}`;
  return firstName || lastName || login;
}

/** `user_nicename` as WordPress derives it, with `-2`, `-3`… when taken (wp_insert_user). */
export async function uniqueNicename(repo: UserRepository, source: string): Promise<string> {
  const base = userNicenameFrom(source) || 'user';
  if (!(await repo.nicenameTaken(base))) return base;
  for (let suffix = 2; suffix < 10_000; suffix++) {
    const tail = `-${suffix}`;
    const candidate = `${base.slice(0, 50 - tail.length)}${tail}`;
    if (!(await repo.nicenameTaken(candidate))) return candidate;
  }
  throw AppError.conflict('no free nicename', 'nicename');
}
