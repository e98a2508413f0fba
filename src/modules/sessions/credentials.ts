import { hashPassword, verifyPassword } from '../users/password-hasher.js';
import type { WpUser } from '../users/user.entity.js';
import type { UserRepository } from '../users/user.repository.js';

export type CredentialCheck =
  | { readonly ok: true; readonly user: WpUser }
  | {
      readonly ok: false;
      readonly cause: 'unknown_user' | 'wrong_password' | 'no_password';
      readonly user: WpUser | null;
    };

let dummyHash: Promise<string> | null = null;

/**
 * Checks a sign-in as WordPress does (`wp_authenticate`): the login first, then the e-mail address,
 * and the password against any WordPress hash format. An unknown user costs a password check too, so
 * response times do not tell which logins exist.
 */
export async function checkCredentials(
  users: UserRepository,
  identifier: string,
  password: string,
): Promise<CredentialCheck> {
  const name = identifier.trim();
  let user = name ? await users.findByLogin(name) : null;
  if (!user && name.includes('@')) user = await users.findByEmail(name);
  if (!user || !user.userPass) {
    dummyHash ??= hashPassword('timing-equaliser', 'wp-bcrypt');
    await verifyPassword(password, await dummyHash);
    return { ok: false, cause: user ? 'no_password' : 'unknown_user', user };
  }
  return (await verifyPassword(password, user.userPass))
    ? { ok: true, user }
    : { ok: false, cause: 'wrong_password', user };
}
