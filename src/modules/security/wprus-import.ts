import { z } from 'zod';
import type { SqlEntityManager as EntityManager } from '../../db/types.js';
import { ACTION_KEYS, type ActionKey } from '../../protocol/actions.js';
import { AppError } from '../../shared/app-error.js';
import type { Site } from '../sites/site.entity.js';
import { normaliseSiteUrl, type SiteService } from '../sites/site.service.js';
import type { SecurityService } from './security.service.js';
import type { SettingsStore } from './settings.store.js';

const flag = z.union([z.string(), z.boolean(), z.number(), z.null()]).optional();
const strings = z
  .union([
    z.array(z.union([z.string(), z.number()])),
    z.record(z.string(), z.union([z.string(), z.number()])),
  ])
  .optional();

const siteSchema = z.object({
  url: z.string().optional(),
  incoming_actions: z.record(z.string(), flag).optional(),
  outgoing_actions: z.record(z.string(), flag).optional(),
  incoming_meta: strings,
  outgoing_meta: strings,
  incoming_roles: strings,
  outgoing_roles: strings,
  incoming_roles_merge: flag,
});

/** The plugin's `wprus` option (§8), as `wp option get wprus --format=json` prints it. */
const optionSchema = z.object({
  encryption: z
    .object({
      aes_key: z.string().optional(),
      hmac_key: z.string().optional(),
      token_expiry: z.union([z.number(), z.string()]).optional(),
    })
    .optional(),
  logs: z.object({ enable: flag, min_num: z.union([z.number(), z.string()]).optional() }).optional(),
  sites: z.union([z.array(siteSchema), z.record(z.string(), siteSchema)]).optional(),
  browser_support: z
    .object({
      force_login_logout_strict: flag,
      force_disable_login_logout_strict: flag,
      silent_login_logout_strict: flag,
    })
    .optional(),
  ip_whitelist: z.union([z.string(), z.literal(false), z.null()]).optional(),
});

export interface WprusImportResult {
  readonly sitesCreated: number;
  readonly sitesUpdated: number;
  readonly warnings: string[];
}

/** PHP truthiness of a checkbox value (`'1'`, `'on'`, `true`). */
function on(value: unknown): boolean {
  return !(
    value === undefined ||
    value === null ||
    value === false ||
    value === '' ||
    value === '0' ||
    value === 0
  );
}

function actions(map: Record<string, unknown> | undefined): ActionKey[] {
  return ACTION_KEYS.filter((key) => on(map?.[key]));
}

function list(value: z.infer<typeof strings>): string[] {
  if (!value) return [];
  return (Array.isArray(value) ? value : Object.values(value)).map(String).filter((v) => v.trim() !== '');
}

/** Parses the JSON text; accepts the option itself or an object with a `wprus` key. */
export function parseWprusOption(json: string): z.infer<typeof optionSchema> {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw AppError.badInput('json is not valid JSON', 'json');
  }
  const candidate = raw !== null && typeof raw === 'object' && 'wprus' in raw ? raw.wprus : raw;
  const parsed = optionSchema.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw AppError.badInput(
      `json is not the plugin's option: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim(),
      'json',
    );
  }
  return parsed.data;
}

/**
 * Copies a WordPress site's WPRUS setup: keys, token lifetime, IP whitelist, logging, browser support,
 * and its sites (matched by URL: existing ones are updated, others created).
 */
export async function importWprusOption(
  em: EntityManager,
  deps: { security: SecurityService; sites: SiteService; settings: SettingsStore },
  actor: string,
  json: string,
): Promise<WprusImportResult> {
  const option = parseWprusOption(json);
  const warnings: string[] = [];
  const whitelist =
    typeof option.ip_whitelist === 'string'
      ? option.ip_whitelist
          .split('\n')
          .map((l) => l.trim())
          .filter(Boolean)
      : [];
  const expiry = Number(option.encryption?.token_expiry ?? 0);
  const { warnings: securityWarnings } = await deps.security.update(em, actor, {
    aesKey: option.encryption?.aes_key || null,
    hmacKey: option.encryption?.hmac_key || null,
    tokenExpiry: Number.isInteger(expiry) && expiry >= 60 ? expiry : 1800,
    ipWhitelist: whitelist,
  });
  warnings.push(...securityWarnings);
  if (!option.encryption?.aes_key || !option.encryption.hmac_key)
    warnings.push('the option has no AES or HMAC key: the current keys were kept');
  if (option.logs) {
    const minNum = Number(option.logs.min_num ?? 100);
    await deps.settings.set(em, 'logs', {
      enabled: on(option.logs.enable),
      minEntries: Number.isFinite(minNum) && minNum > 0 ? Math.floor(minNum) : 100,
    });
  }
  if (option.browser_support) {
    await deps.settings.set(em, 'browser', {
      forceStrict: on(option.browser_support.force_login_logout_strict),
      forceDisableStrict: on(option.browser_support.force_disable_login_logout_strict),
      silentStrict: on(option.browser_support.silent_login_logout_strict),
    });
  }
  let sitesCreated = 0;
  let sitesUpdated = 0;
  const entries = option.sites
    ? Array.isArray(option.sites)
      ? option.sites
      : Object.values(option.sites)
    : [];
  const existing = await deps.sites.list(em);
  for (const [index, entry] of entries.entries()) {
    if (!entry.url) {
      warnings.push(`site ${index + 1} has no url and was skipped (as the plugin does)`);
      continue;
    }
    const url = normaliseSiteUrl(entry.url);
    const fields = {
      url,
      incomingActions: actions(entry.incoming_actions),
      outgoingActions: actions(entry.outgoing_actions),
      incomingMeta: list(entry.incoming_meta),
      outgoingMeta: list(entry.outgoing_meta),
      incomingRoles: list(entry.incoming_roles),
      outgoingRoles: list(entry.outgoing_roles),
      incomingRolesMerge: on(entry.incoming_roles_merge),
    };
    const match = existing.find((s: Site) => s.url === url);
    if (match) {
      warnings.push(...(await deps.sites.update(em, actor, match.id, fields)).warnings);
      sitesUpdated++;
    } else {
      warnings.push(...(await deps.sites.create(em, actor, fields)).warnings);
      sitesCreated++;
    }
  }
  await em.flush();
  deps.settings.invalidate();
  return { sitesCreated, sitesUpdated, warnings: [...new Set(warnings)] };
}
