import { createHash } from 'node:crypto';
import { z } from 'zod';
import { BROWSER_SUPPORT_DEFAULTS, type BrowserSupport } from '../../protocol/browser-support.js';
import { DEFAULT_TOKEN_LIFETIME_SECONDS } from '../../protocol/token-window.js';

/** The federation's shared secrets and the receiver's access rules (the plugin's `encryption` + `ip_whitelist`). */
export const securitySettingsSchema = z.object({
  aesKey: z.string(),
  hmacKey: z.string(),
  tokenExpiry: z
    .number()
    .int()
    .min(60)
    .max(7 * 24 * 3600),
  ipWhitelist: z.array(z.string()),
  trustedProxies: z.array(z.string()),
  /** Match senders by scheme, host, port and path exactly, instead of the plugin's host + path prefix. */
  strictSiteMatching: z.boolean(),
});

export type SecuritySettings = z.infer<typeof securitySettingsSchema>;

export const SECURITY_DEFAULTS: SecuritySettings = {
  aesKey: '',
  hmacKey: '',
  tokenExpiry: DEFAULT_TOKEN_LIFETIME_SECONDS,
  ipWhitelist: [],
  trustedProxies: [],
  strictSiteMatching: false,
};

export const SECURITY_SETTING = 'security';

/** The plugin's `browser_support` flags (§8), stored as the `browser` setting. */
export const browserSupportSchema: z.ZodType<BrowserSupport> = z.object({
  forceStrict: z.boolean(),
  forceDisableStrict: z.boolean(),
  silentStrict: z.boolean(),
});
export const BROWSER_SETTING = 'browser';
export { BROWSER_SUPPORT_DEFAULTS };

/** The plugin runs only when both keys are set (§8); so does our peer module. */
export function keysConfigured(s: SecuritySettings): boolean {
  return s.aesKey !== '' && s.hmacKey !== '';
}

/** The envelope keys, or null while either is missing (the peer module is then off). */
export function envelopeKeys(s: SecuritySettings): { aesKey: string; hmacKey: string } | null {
  return keysConfigured(s) ? { aesKey: s.aesKey, hmacKey: s.hmacKey } : null;
}

/**
 * Shows that a key is set without revealing any of it: its length and a short fingerprint, so an
 * admin can check that two sites hold the same key.
 */
export function maskKey(key: string): string | null {
  if (!key) return null;
  const fingerprint = createHash('sha256').update(`wprus-key-fingerprint:${key}`).digest('hex').slice(0, 8);
  return `set (${key.length} characters, fingerprint ${fingerprint})`;
}
