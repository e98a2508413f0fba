import type { SqlEntityManager as EntityManager, SqlOrm } from '../../db/types.js';
import { ACTION_KEYS, type ActionKey, type Direction } from '../../protocol/actions.js';
import { findSiteForSender, overlappingSites, type SiteMatchResult } from '../../protocol/site-matching.js';
import { AppError } from '../../shared/app-error.js';
import type { ActivityLogService } from '../activity-log/activity-log.service.js';
import { Site } from './site.entity.js';

export interface SiteFields {
  readonly url?: string | null;
  readonly incomingActions?: readonly ActionKey[] | null;
  readonly outgoingActions?: readonly ActionKey[] | null;
  readonly incomingMeta?: readonly string[] | null;
  readonly outgoingMeta?: readonly string[] | null;
  readonly incomingRoles?: readonly string[] | null;
  readonly outgoingRoles?: readonly string[] | null;
  readonly incomingRolesMerge?: boolean | null;
}

/** A plain snapshot of a site, safe to share between requests. */
export type SiteSnapshot = Readonly<Pick<Site, 'id' | 'url' | 'position' | 'incomingRolesMerge'>> & {
  readonly incomingActions: readonly ActionKey[];
  readonly outgoingActions: readonly ActionKey[];
  readonly incomingMeta: readonly string[];
  readonly outgoingMeta: readonly string[];
  readonly incomingRoles: readonly string[];
  readonly outgoingRoles: readonly string[];
};

/** Checks a remote site URL: http(s), no credentials, query or fragment; trailing slashes removed. */
export function normaliseSiteUrl(raw: string): string {
  const trimmed = raw.trim().replace(/[/\\]+$/, '');
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw AppError.badInput('url must be an absolute http(s) URL, e.g. https://example.com', 'url');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw AppError.badInput('url must use http or https', 'url');
  if (url.username || url.password) throw AppError.badInput('url must not contain credentials', 'url');
  if (url.search || url.hash) throw AppError.badInput('url must not contain a query or fragment', 'url');
  if (trimmed.length > 255) throw AppError.badInput('url has at most 255 characters', 'url');
  return trimmed;
}

const ROLE_OR_META = /^[^\s]{1,255}$/;

function cleanList(field: string, values: readonly string[]): string[] {
  const out = [...new Set(values.map((v) => v.trim()).filter((v) => v !== ''))];
  for (const v of out)
    if (!ROLE_OR_META.test(v)) throw AppError.badInput(`${field}: "${v}" is not a valid key`, field);
  return out;
}

function snapshot(site: Site): SiteSnapshot {
  return {
    id: site.id,
    url: site.url,
    position: site.position,
    incomingRolesMerge: site.incomingRolesMerge,
    incomingActions: [...site.incomingActions],
    outgoingActions: [...site.outgoingActions],
    incomingMeta: [...site.incomingMeta],
    outgoingMeta: [...site.outgoingMeta],
    incomingRoles: [...site.incomingRoles],
    outgoingRoles: [...site.outgoingRoles],
  };
}

/** Remote sites and their per-action settings; a short cache serves the peer routes. */
export class SiteService {
  private cache: { sites: SiteSnapshot[]; loadedAt: number } | null = null;

  constructor(
    private readonly orm: SqlOrm,
    private readonly activity: ActivityLogService,
    private readonly ttlMs = 1000,
  ) {}

  /** Every site, cached briefly; `em` reads within the caller's transaction when the cache is cold. */
  async all(em?: EntityManager): Promise<SiteSnapshot[]> {
    if (this.cache && Date.now() - this.cache.loadedAt < this.ttlMs) return this.cache.sites;
    const rows = await (em ?? this.orm.em.fork()).find(Site, {}, { orderBy: { position: 'asc', id: 'asc' } });
    const sites = rows.map(snapshot);
    this.cache = { sites, loadedAt: Date.now() };
    return sites;
  }

  invalidate(): void {
    this.cache = null;
  }

  /** The plugin's `get_site(url, action, direction)` (§2.7), plus our strict mode. */
  async findSender(
    baseUrl: string,
    action: ActionKey | null,
    direction: Direction,
    strict: boolean,
  ): Promise<SiteMatchResult<SiteSnapshot>> {
    const sites = await this.all();
    const key = direction === 'incoming' ? 'incomingActions' : 'outgoingActions';
    const candidates = action ? sites.filter((s) => s[key].includes(action)) : sites;
    return findSiteForSender(candidates, baseUrl, { strict });
  }

  list(em: EntityManager): Promise<Site[]> {
    return em.find(Site, {}, { orderBy: { position: 'asc', id: 'asc' } });
  }

  async get(em: EntityManager, id: string): Promise<Site> {
    if (!/^\d{1,20}$/.test(id)) throw AppError.badInput('id must be a numeric site ID', 'id');
    const site = await em.findOne(Site, { id });
    if (!site) throw AppError.notFound(`site ${id}`);
    return site;
  }

  private apply(site: Site, fields: SiteFields): void {
    if (fields.url != null) site.url = normaliseSiteUrl(fields.url);
    if (fields.incomingActions != null)
      site.incomingActions = ACTION_KEYS.filter((a) => fields.incomingActions?.includes(a));
    if (fields.outgoingActions != null)
      site.outgoingActions = ACTION_KEYS.filter((a) => fields.outgoingActions?.includes(a));
    if (fields.incomingMeta != null) site.incomingMeta = cleanList('incomingMeta', fields.incomingMeta);
    if (fields.outgoingMeta != null) site.outgoingMeta = cleanList('outgoingMeta', fields.outgoingMeta);
    if (fields.incomingRoles != null) site.incomingRoles = cleanList('incomingRoles', fields.incomingRoles);
    if (fields.outgoingRoles != null) site.outgoingRoles = cleanList('outgoingRoles', fields.outgoingRoles);
    if (fields.incomingRolesMerge != null) site.incomingRolesMerge = fields.incomingRolesMerge;
  }

  /** Warnings about senders that two sites would both match (the plugin silently picks one). */
  async overlapWarnings(em: EntityManager, site: Site): Promise<string[]> {
    const all = await this.list(em);
    return overlappingSites(all)
      .filter((o) => o.first.id === site.id || o.second.id === site.id)
      .map((o) => {
        const other = o.first.id === site.id ? o.second : o.first;
        return o.kind === 'same'
          ? `site ${other.id} (${other.url}) has the same host and path: a sender matching one matches both; enable strictSiteMatching or remove one`
          : `site ${other.id} (${other.url}) shares the host and one path is a prefix of the other: the longest matching prefix wins`;
      });
  }

  async create(
    em: EntityManager,
    actor: string,
    fields: SiteFields & { url: string },
  ): Promise<{ site: Site; warnings: string[] }> {
    const site = new Site();
    this.apply(site, fields);
    const [last] = await em.find(Site, {}, { orderBy: { position: 'desc' }, limit: 1 });
    site.position = (last?.position ?? 0) + 1;
    em.persist(site);
    await em.flush();
    this.invalidate();
    this.activity.record({
      type: 'info',
      event: 'settings.site',
      message: `Site ${site.url} added by ${actor}`,
      siteId: site.id,
      outcome: 'applied',
    });
    return { site, warnings: await this.overlapWarnings(em, site) };
  }

  async update(
    em: EntityManager,
    actor: string,
    id: string,
    fields: SiteFields,
  ): Promise<{ site: Site; warnings: string[] }> {
    const site = await this.get(em, id);
    this.apply(site, fields);
    await em.flush();
    this.invalidate();
    this.activity.record({
      type: 'info',
      event: 'settings.site',
      message: `Site ${site.url} updated by ${actor}`,
      siteId: site.id,
      outcome: 'applied',
    });
    return { site, warnings: await this.overlapWarnings(em, site) };
  }

  async setAllActions(
    em: EntityManager,
    actor: string,
    id: string,
    direction: Direction,
    enabled: boolean,
  ): Promise<Site> {
    const site = await this.get(em, id);
    const all = enabled ? [...ACTION_KEYS] : [];
    if (direction === 'incoming') site.incomingActions = all;
    else site.outgoingActions = all;
    await em.flush();
    this.invalidate();
    this.activity.record({
      type: 'info',
      event: 'settings.site',
      message: `All ${direction} actions ${enabled ? 'enabled' : 'disabled'} for ${site.url} by ${actor}`,
      siteId: site.id,
      direction,
      outcome: 'applied',
    });
    return site;
  }

  async delete(em: EntityManager, actor: string, id: string): Promise<Site> {
    const site = await this.get(em, id);
    em.remove(site);
    await em.flush();
    this.invalidate();
    this.activity.record({
      type: 'info',
      event: 'settings.site',
      message: `Site ${site.url} removed by ${actor}`,
      siteId: id,
      outcome: 'applied',
    });
    return site;
  }
}
