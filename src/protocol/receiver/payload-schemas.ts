import { z } from 'zod';
import type { JsonValue } from '../envelope.js';
import { USER_META_FIELDS, USER_TABLE_FIELDS } from './ports.js';

/** A scalar as PHP would use it as a string (`true` → "1", `false` → "", numbers as written). */
const phpString = z
  .union([z.string(), z.number(), z.boolean()])
  .transform((v) => (typeof v === 'boolean' ? (v ? '1' : '') : String(v)));

const nonEmpty = phpString.refine((v) => v !== '', 'must not be empty');

const jsonValue: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([
    z.null(),
    z.boolean(),
    z.number(),
    z.string(),
    z.array(jsonValue),
    z.record(z.string(), jsonValue),
  ]),
);

/** Fields every action needs (§6.0): the user's login and the sender's home URL. */
export const commonSchema = z.object({
  username: nonEmpty.pipe(z.string().max(255)),
  base_url: nonEmpty.pipe(z.string().max(2048)),
});

export const rolesSchema = z.object({
  set: z.union([z.literal(false), z.string().min(1).max(100)]).default(false),
  add: z.union([z.literal(false), z.array(z.string().min(1).max(100)).max(100)]).default(false),
});

const userFieldShape = Object.fromEntries(
  [...USER_TABLE_FIELDS, ...USER_META_FIELDS].map((k) => [k, phpString.optional()]),
) as Record<
  (typeof USER_TABLE_FIELDS)[number] | (typeof USER_META_FIELDS)[number],
  z.ZodOptional<typeof phpString>
>;

/**
 * create/update: only the fields the plugin defines are read; `ID`, `role`, `meta_input` and any other
 * key `wp_insert_user` would honour are dropped (§13, Q9).
 */
export const userPayloadSchema = commonSchema.extend({
  user_login: phpString.optional(),
  ...userFieldShape,
  user_pass: z.union([z.string().max(4096), z.literal(false), z.null()]).optional(),
  roles: z.union([rolesSchema, z.array(z.never()).length(0), z.literal(false), z.null()]).optional(),
});

export const deletePayloadSchema = commonSchema.extend({
  reassign_username: z.union([z.string().max(255), z.literal(false), z.null()]).optional(),
});

export const passwordPayloadSchema = commonSchema.extend({
  user_pass: z.string().min(1).max(4096),
});

const metaKey = z.string().min(1).max(255);
const metaList = <T extends z.ZodTypeAny>(item: T) => z.record(metaKey, z.array(item).max(1000));

/** meta: `{add|update|delete: {key: [{…}]}}`; PHP's `[]` for an empty map is accepted. */
export const metaPayloadSchema = commonSchema.extend({
  add: z
    .union([
      metaList(
        z.object({
          meta_value: jsonValue,
          unique: z.union([z.boolean(), z.number(), z.string()]).optional(),
        }),
      ),
      z.array(z.never()),
    ])
    .optional(),
  update: z
    .union([
      metaList(z.object({ meta_value: jsonValue, prev_value: jsonValue.optional() })),
      z.array(z.never()),
    ])
    .optional(),
  delete: z
    .union([
      metaList(
        z.object({
          meta_value: jsonValue.optional(),
          delete_all: z.union([z.boolean(), z.number(), z.string()]).optional(),
        }),
      ),
      z.array(z.never()),
    ])
    .optional(),
});

export const pingPayloadSchema = z.object({
  base_url: nonEmpty,
  direction: z.enum(['incoming', 'outgoing']),
  username: phpString.optional(),
});

export const tokenRequestSchema = z.object({
  method: z.unknown().refine((v) => v !== undefined && v !== null, 'method is required'),
  action: phpString.optional(),
  base_url: phpString.optional(),
});

/** The first problem of a failed parse, for the activity log. */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join('.') || 'payload'}: ${issue.message}` : 'invalid payload';
}

/** PHP truthiness of a JSON scalar (`"0"`, `""`, `0`, `false`, `null` are false). */
export function phpTruthy(value: unknown): boolean {
  return !(
    value === false ||
    value === null ||
    value === undefined ||
    value === 0 ||
    value === '' ||
    value === '0'
  );
}

/**
 * login (§6.7): `remember` must be numeric and 0 or 1 once `absint`-ed (JSON 0/1 or "0"/"1"); the
 * plugin rejects booleans, and so do we.
 */
export const loginPayloadSchema = commonSchema.extend({
  remember: z.union([z.number(), z.string()]).refine((v) => {
    const n = typeof v === 'number' ? v : v.trim() === '' ? Number.NaN : Number(v.trim());
    return Number.isFinite(n) && [0, 1].includes(Math.abs(Math.trunc(n)));
  }, 'remember must be 0 or 1'),
  callback_url: z.string().max(2048).optional(),
});
