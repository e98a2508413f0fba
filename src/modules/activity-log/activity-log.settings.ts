import { z } from 'zod';

/**
 * Logging on/off and retention. `minEntries` is the plugin's "minimum number of entries": the newest
 * ones are always kept. Older entries go once they are older than `maxAgeDays`; with `maxAgeDays`
 * null, every entry beyond the newest `minEntries` goes, exactly as the plugin's hourly cleanup does.
 */
export const logSettingsSchema = z.object({
  enabled: z.boolean(),
  minEntries: z.number().int().min(0).max(100_000_000),
  maxAgeDays: z.number().int().min(1).max(36_500).nullable(),
});

export type LogSettings = z.infer<typeof logSettingsSchema>;

export const LOG_SETTINGS_NAME = 'logs';

export const DEFAULT_LOG_SETTINGS: LogSettings = { enabled: true, minEntries: 1000, maxAgeDays: 30 };
