import { z } from 'zod';

/** A reference to one user, by ID or by login (exactly one). */
export interface UserRef {
  readonly id?: string | null;
  readonly login?: string | null;
}

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface MetaEntryInput {
  readonly key: string;
  readonly value: JsonValue;
}

export interface CreateUserData {
  readonly login: string;
  readonly email: string;
  readonly password?: string | null;
  readonly url?: string | null;
  readonly displayName?: string | null;
  readonly nicename?: string | null;
  readonly nickname?: string | null;
  readonly firstName?: string | null;
  readonly lastName?: string | null;
  readonly description?: string | null;
  readonly locale?: string | null;
  readonly roles?: readonly string[] | null;
  readonly meta?: readonly MetaEntryInput[] | null;
  /** `user_registered`; defaults to now. */
  readonly registered?: Date | null;
}

export interface UpdateUserData {
  readonly user: UserRef;
  readonly email?: string | null;
  readonly password?: string | null;
  readonly url?: string | null;
  readonly displayName?: string | null;
  readonly nicename?: string | null;
  readonly nickname?: string | null;
  readonly firstName?: string | null;
  readonly lastName?: string | null;
  readonly description?: string | null;
  readonly locale?: string | null;
}

/** A role slug as WordPress registers them (`sanitize_key`). */
export const roleSlug = z
  .string()
  .min(1, 'a role cannot be empty')
  .max(100)
  .regex(/^[a-z0-9_-]+$/, 'a role is a lowercase slug (a-z, 0-9, _ and -)');

export const metaKey = z
  .string()
  .min(1, 'a meta key cannot be empty')
  .max(255, 'a meta key has at most 255 characters');

export const passwordSchema = z
  .string()
  .min(1, 'the password cannot be empty')
  .max(4096, 'the password is too long')
  .refine((p) => p.trim().length > 0, 'the password cannot be only spaces');

export const urlSchema = z
  .string()
  .max(100, 'the URL has at most 100 characters')
  .refine((u) => u === '' || /^https?:\/\/[^\s]+$/i.test(u), 'the URL must start with http:// or https://');
