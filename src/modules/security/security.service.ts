import { randomBytes } from 'node:crypto';
import type { SqlEntityManager as EntityManager } from '../../db/types.js';
import { parseAllowList, type IpRange } from '../../protocol/ip-allowlist.js';
import { AppError } from '../../shared/app-error.js';
import type { ActivityLogService } from '../activity-log/activity-log.service.js';
import type { BrowserSupport } from '../../protocol/browser-support.js';
import {
  BROWSER_SETTING,
  BROWSER_SUPPORT_DEFAULTS,
  browserSupportSchema,
  SECURITY_DEFAULTS,
  SECURITY_SETTING,
  securitySettingsSchema,
  type SecuritySettings,
} from './security.settings.js';
import type { SettingsStore } from './settings.store.js';

export interface SecurityUpdate {
  readonly aesKey?: string | null;
  readonly hmacKey?: string | null;
  readonly tokenExpiry?: number | null;
  readonly ipWhitelist?: readonly string[] | null;
  readonly trustedProxies?: readonly string[] | null;
  readonly strictSiteMatching?: boolean | null;
  readonly generateKeys?: boolean | null;
  readonly forceLoginLogoutStrict?: boolean | null;
  readonly forceDisableLoginLogoutStrict?: boolean | null;
  readonly silentLoginLogoutStrict?: boolean | null;
}

/** The security settings with their address lists parsed, as the peer routes use them. */
export interface EffectiveSecurity extends SecuritySettings {
  readonly whitelistRanges: readonly IpRange[];
  readonly trustedProxyRanges: readonly IpRange[];
}

/** A strong random key in the alphabet the plugin's settings page accepts. */
export function generateKey(): string {
  return randomBytes(36).toString('base64url');
}

function parseList(field: string, entries: readonly string[]): { ranges: IpRange[]; warnings: string[] } {
  const parsed = parseAllowList(entries);
  const warnings = parsed.warnings.map((w) => `${field} line ${w.line} (${w.entry}): ${w.message}`);
  if (!parsed.ok) {
    const errors = parsed.errors.map((e) => `line ${e.line} (${e.entry}): ${e.message}`);
    throw AppError.badInput(`${field}: ${errors.join('; ')}`, field);
  }
  return { ranges: [...parsed.ranges], warnings };
}

export class SecurityService {
  private effectiveCache: { settings: SecuritySettings; value: EffectiveSecurity } | null = null;

  constructor(
    private readonly store: SettingsStore,
    private readonly activity: ActivityLogService,
  ) {}

  get(em?: EntityManager): Promise<SecuritySettings> {
    return this.store.get(SECURITY_SETTING, securitySettingsSchema, SECURITY_DEFAULTS, em);
  }

  /** The plugin's browser-support flags (how login/logout run in browsers). */
  browserSupport(em?: EntityManager): Promise<BrowserSupport> {
    return this.store.get(BROWSER_SETTING, browserSupportSchema, BROWSER_SUPPORT_DEFAULTS, em);
  }

  async effective(): Promise<EffectiveSecurity> {
    const settings = await this.get();
    if (this.effectiveCache?.settings === settings) return this.effectiveCache.value;
    const value: EffectiveSecurity = {
      ...settings,
      whitelistRanges: parseAllowList(settings.ipWhitelist).ok
        ? parseList('ipWhitelist', settings.ipWhitelist).ranges
        : [],
      trustedProxyRanges: parseAllowList(settings.trustedProxies).ok
        ? parseList('trustedProxies', settings.trustedProxies).ranges
        : [],
    };
    this.effectiveCache = { settings, value };
    return value;
  }

  async update(
    em: EntityManager,
    actor: string,
    input: SecurityUpdate,
  ): Promise<{
    settings: SecuritySettings;
    warnings: string[];
    generated: { aesKey: string; hmacKey: string } | null;
  }> {
    const current = await this.get(em);
    const warnings: string[] = [];
    const generated = input.generateKeys ? { aesKey: generateKey(), hmacKey: generateKey() } : null;
    if (generated && (input.aesKey != null || input.hmacKey != null)) {
      throw AppError.badInput('give either generateKeys or explicit keys, not both', 'generateKeys');
    }
    const next: SecuritySettings = { ...current };
    for (const field of ['aesKey', 'hmacKey'] as const) {
      const value = generated ? generated[field] : input[field];
      if (value == null) continue;
      if (value.trim() !== value || value === '')
        throw AppError.badInput(`${field} cannot be empty or start/end with spaces`, field);
      if (value.length > 1024) throw AppError.badInput(`${field} has at most 1024 characters`, field);
      if (value.length < 16)
        warnings.push(`${field} is shorter than 16 characters: use generateKeys for a strong key`);
      next[field] = value;
    }
    if (input.tokenExpiry != null) {
      if (
        !Number.isInteger(input.tokenExpiry) ||
        input.tokenExpiry < 60 ||
        input.tokenExpiry > 7 * 24 * 3600
      ) {
        throw AppError.badInput('tokenExpiry must be between 60 and 604800 seconds', 'tokenExpiry');
      }
      next.tokenExpiry = input.tokenExpiry;
    }
    if (input.ipWhitelist != null) {
      const entries = input.ipWhitelist.map((e) => e.trim()).filter((e) => e !== '');
      warnings.push(...parseList('ipWhitelist', entries).warnings);
      next.ipWhitelist = entries;
    }
    if (input.trustedProxies != null) {
      const entries = input.trustedProxies.map((e) => e.trim()).filter((e) => e !== '');
      warnings.push(...parseList('trustedProxies', entries).warnings);
      next.trustedProxies = entries;
    }
    if (input.strictSiteMatching != null) next.strictSiteMatching = input.strictSiteMatching;
    await this.store.set(em, SECURITY_SETTING, next);
    const browserBefore = await this.browserSupport(em);
    const browser: BrowserSupport = {
      forceStrict: input.forceLoginLogoutStrict ?? browserBefore.forceStrict,
      forceDisableStrict: input.forceDisableLoginLogoutStrict ?? browserBefore.forceDisableStrict,
      silentStrict: input.silentLoginLogoutStrict ?? browserBefore.silentStrict,
    };
    if (browser.forceStrict && browser.forceDisableStrict)
      warnings.push('forceLoginLogoutStrict and forceDisableLoginLogoutStrict are both on: disable wins');
    await this.store.set(em, BROWSER_SETTING, browser);
    await em.flush();
    this.effectiveCache = null;
    const changed = [
      ...(Object.keys(next) as (keyof SecuritySettings)[]).filter(
        (k) => JSON.stringify(next[k]) !== JSON.stringify(current[k]),
      ),
      ...(Object.keys(browser) as (keyof BrowserSupport)[]).filter((k) => browser[k] !== browserBefore[k]),
    ];
    this.activity.record({
      type: 'info',
      event: 'settings.security',
      message: `Security settings changed by ${actor}: ${changed.join(', ') || 'nothing'}`,
      data: { changed },
      outcome: 'applied',
    });
    return { settings: next, warnings, generated };
  }
}
