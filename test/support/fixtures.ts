import { readFileSync } from 'node:fs';

/** The shared fixtures recorded from the real plugin (read-only). */
export const FIXTURES_DIR = new URL('../../../shared/fixtures/wprus/', import.meta.url);

export function loadFixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(name, FIXTURES_DIR), 'utf8')) as T;
}

export interface WpUserRow {
  ID: string;
  user_login: string;
  user_pass: string;
  user_nicename: string;
  user_email: string;
  user_url: string;
  user_registered: string;
  user_activation_key: string;
  user_status: string;
  display_name: string;
}

export interface WpUserMetaRow {
  umeta_id: string;
  user_id: string;
  meta_key: string;
  meta_value: string;
}

export interface SyncedSide {
  site: string;
  wp_users: WpUserRow;
  wp_usermeta: WpUserMetaRow[];
  roles: string[];
}

export interface SyncedUserRows {
  snapshots: Record<string, Record<'A' | 'B', SyncedSide>>;
}

export interface CapturedExchange {
  seq: number;
  from: string;
  to: string;
  endpoint: string;
  request: { method: 'GET' | 'POST'; path: string; query: string; raw_body: string; remote_addr: string };
  token: string | null;
  decrypted: Record<string, { plaintext: string; json: unknown } | null>;
  response: { status: number; body: string };
}

export interface CapturedStep {
  id: string;
  description: string;
  exchanges: CapturedExchange[];
  wprus_logs: Record<'A' | 'B', { type: string; message: string; data: unknown }[]>;
}

export interface WireCaptures {
  sites: Record<'A' | 'B', { url: string }>;
  keys: { aes_key: string; hmac_key: string; token_expiry: number };
  steps: CapturedStep[];
}

export interface WprusSettingsFixture {
  A: Record<string, unknown>;
  B: Record<string, unknown>;
}
