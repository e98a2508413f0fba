import 'reflect-metadata';
import { fastifyApolloHandler } from '@as-integrations/fastify';
import { MikroORM } from '@mikro-orm/core';
import type { SqlOrm } from './db/types.js';
import Fastify, { type FastifyInstance } from 'fastify';
import type { AppConfig } from './config/config.js';
import { buildOrmOptions } from './db/orm-options.js';
import { createApolloServer } from './graphql/apollo.js';
import { createRequestContext } from './graphql/request-context.js';
import { buildAppSchema } from './graphql/schema.js';
import { attachGraphQLWebSocket } from './graphql/websocket.js';
import { registerOpsRoutes } from './http/ops.routes.js';
import { registerPlayground } from './http/playground.js';
import { ActivityLogService } from './modules/activity-log/activity-log.service.js';
import { AdminAudit } from './modules/admin-auth/admin-audit.js';
import { AdminAuthService, bearerSecret } from './modules/admin-auth/admin-auth.service.js';
import { SecurityService } from './modules/security/security.service.js';
import { SettingsStore } from './modules/security/settings.store.js';
import { AsyncActionService } from './modules/sessions/async-actions.service.js';
import { registerAuthRoutes } from './modules/sessions/auth.routes.js';
import { AuthService } from './modules/sessions/auth.service.js';
import { LoginThrottle } from './modules/sessions/login-throttle.js';
import { CookieJar } from './modules/sessions/session-cookie.js';
import { SessionService } from './modules/sessions/session.service.js';
import { PingService } from './modules/sites/ping.service.js';
import { SiteService } from './modules/sites/site.service.js';
import { registerTransferRoutes } from './modules/transfer/transfer.routes.js';
import { TransferService } from './modules/transfer/transfer.service.js';
import { UserSyncService } from './modules/users/user-sync.service.js';
import { envelopeKeys } from './modules/security/security.settings.js';
import { clientIp } from './protocol/ip-allowlist.js';
import { PeerClient } from './protocol/peer-client.js';
import { defaultHandlers } from './protocol/receiver/handlers/registry.js';
import { PeerReceiver } from './protocol/receiver/peer-receiver.js';
import { registerPeerRoutes } from './protocol/receiver/peer.routes.js';
import { RateLimiter } from './protocol/receiver/rate-limiter.js';
import { TokenStore } from './protocol/receiver/token.store.js';
import { ReceiptStore } from './protocol/receiver/receipt.store.js';
import type { ReceiverHooks } from './protocol/receiver/types.js';
import { KeyedMutex } from './shared/keyed-mutex.js';
import { loadUserSnapshot } from './modules/users/user-snapshot.js';
import { OutboxRelay } from './protocol/outbox/outbox-relay.js';
import { OutboxWriter, type SenderHooks } from './protocol/outbox/outbox-writer.js';
import type { RetryPolicy } from './protocol/outbox/retry-policy.js';
import type { AppServices } from './services.js';
import { DomainEvents } from './shared/domain-events.js';
import { createLogger, type Logger } from './shared/logger.js';
import { AppMetrics } from './shared/metrics.js';
import { createMemoryPubSub, createRedisPubSub, type AppPubSub } from './shared/pubsub.js';
import { ActivityLogPolicy } from './modules/activity-log/activity-log.policy.js';
import { ActivityLogRepository } from './modules/activity-log/activity-log.repository.js';
import { publishActivity, publishDelivery } from './modules/activity-log/activity-stream.js';

export interface CreateAppOptions {
  readonly logger?: Logger;
  /** Collect Node.js process metrics (off in tests that start several apps in one process). */
  readonly defaultMetrics?: boolean;
  /** Typed equivalents of the plugin's `wprus_*` hooks, for embedded use. */
  readonly hooks?: { readonly receiver?: ReceiverHooks; readonly sender?: SenderHooks };
  /** Run the outbox relay in this instance (default true). */
  readonly relay?: boolean;
  /** Retry timing of outgoing deliveries (tests shorten it). */
  readonly retryPolicy?: RetryPolicy;
  /** Token requests allowed per client IP: sustained rate per second and burst. */
  readonly tokenRateLimit?: { readonly perSecond: number; readonly burst: number };
}

export interface App {
  readonly orm: SqlOrm;
  readonly fastify: FastifyInstance;
  readonly services: AppServices;
  /** The initial admin token, when this start created it (printed once by main). */
  readonly initialAdminToken: string | null;
  /** The listening URL, once `listen` has resolved. */
  readonly url: string;
  listen(): Promise<string>;
  close(): Promise<void>;
}

/**
 * The composition root: database, GraphQL over HTTP and WebSocket, peer routes and operations routes.
 * Tests, benchmarks and the CLI all start the server through here.
 */
export async function createApp(config: AppConfig, options: CreateAppOptions = {}): Promise<App> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const orm = (await MikroORM.init(
    buildOrmOptions({ database: config.database, tablePrefix: config.tablePrefix }),
  )) as unknown as SqlOrm;
  try {
    if (config.migrateOnStart) await orm.getMigrator().up();
  } catch (err) {
    await orm.close(true);
    throw err;
  }

  const metrics = new AppMetrics({ defaultMetrics: options.defaultMetrics ?? false });
  const pubsub: AppPubSub = config.redisUrl
    ? createRedisPubSub(config.redisUrl, pubsubNamespace(config), (err) =>
        logger.warn({ err: err.message }, 'redis pub/sub error'),
      )
    : createMemoryPubSub();
  const events = new DomainEvents((err, event) =>
    logger.error({ err, event: event.type }, 'event handler failed'),
  );
  const activity = new ActivityLogService(orm, logger);
  const settings = new SettingsStore(orm);
  const activityLog = new ActivityLogRepository(orm);
  const logPolicy = new ActivityLogPolicy({ settings, activity, repository: activityLog, logger });
  activity.onLogged((entries) => publishActivity(pubsub, entries));
  const security = new SecurityService(settings, activity);
  const peerClient = new PeerClient({ publicUrl: config.publicUrl });
  const locks = new KeyedMutex();
  const tokens = new TokenStore(orm);
  const receipts = new ReceiptStore(orm);
  const sites = new SiteService(orm, activity);
  const currentKeys = async () => envelopeKeys(await security.effective());
  const outbox = new OutboxWriter({
    keys: async (em) => envelopeKeys(await security.get(em)),
    sites: async (em) =>
      (await sites.all(em)).map((site) => ({
        id: site.id,
        url: site.url,
        outgoingActions: site.outgoingActions,
        outgoingMeta: site.outgoingMeta,
        outgoingRoles: site.outgoingRoles,
      })),
    snapshot: (em, userId) => loadUserSnapshot(em, config.tablePrefix, userId),
    publicUrl: config.publicUrl,
    hooks: options.hooks?.sender,
  });
  events.onTransaction(async (em, event) => {
    await outbox.write(em, event);
  });
  const relay = new OutboxRelay({
    orm,
    client: peerClient,
    keys: currentKeys,
    log: (entry) => activity.record(entry),
    skipLocked: config.database.kind !== 'sqlite',
    policy: options.retryPolicy,
    leaseMs: config.outboxLeaseSeconds * 1000,
    onSettled: (settlement) => publishDelivery(pubsub, settlement),
  });

  const publicPath = new URL(config.publicUrl).pathname.replace(/\/+$/, '');
  const cookies = new CookieJar(config.sessionCookie, publicPath || '/');
  const sessions = new SessionService({
    orm,
    tablePrefix: config.tablePrefix,
    cookies,
    ttlSeconds: config.sessionTtlSeconds,
    rememberSeconds: config.sessionRememberSeconds,
  });
  const asyncActions = new AsyncActionService({
    orm,
    sites: () => sites.all(),
    keys: currentKeys,
    browserSupport: () => security.browserSupport(),
    peerClient,
    publicUrl: config.publicUrl,
    tokenTimeoutMs: config.asyncTokenTimeoutMs,
    cookies,
    log: (entry) => activity.record(entry),
  });
  const auth = new AuthService({
    orm,
    tablePrefix: config.tablePrefix,
    sessions,
    async: asyncActions,
    throttle: new LoginThrottle(config.loginThrottle),
    log: (entry) => activity.record(entry),
  });

  const services: AppServices = {
    config,
    orm,
    logger,
    metrics,
    events,
    pubsub,
    adminAuth: new AdminAuthService(config.adminToken),
    adminAudit: new AdminAudit(activity),
    activity,
    activityLog,
    logPolicy,
    settings,
    security,
    sites,
    outbox,
    relay,
    peerClient,
    ping: new PingService(peerClient, security, activity, config.publicUrl),
    locks,
    tokens,
    sessions,
    transfers: new TransferService({ orm, config, activity, pubsub, events, logger }),
  };
  events.onCommitted((event) => {
    metrics.userChanges.inc({ type: event.type, origin: event.origin.kind });
    pubsub.publishTyped('user.changed', {
      type: event.type,
      userId: event.userId,
      login: event.login,
      originKind: event.origin.kind,
      at: event.at.toISOString(),
    });
  });

  const initialAdminToken = await services.adminAuth.bootstrap(orm.em.fork());

  const fastify = Fastify({
    bodyLimit: config.bodyLimitBytes,
    logger: false,
    forceCloseConnections: 'idle',
    trustProxy: false,
  });
  registerOpsRoutes(fastify, services);
  await registerTransferRoutes(fastify, services);

  const schema = await buildAppSchema(pubsub);
  const ws = attachGraphQLWebSocket(fastify, schema, services);
  const apollo = await createApolloServer(fastify, schema, services, [ws.plugin]);
  if (config.playground === 'offline') registerPlayground(fastify, { endpoint: '/graphql' });

  const receiver = new PeerReceiver(
    {
      settings: async () => {
        const s = await security.effective();
        return {
          keys: envelopeKeys(s),
          tokenExpiry: s.tokenExpiry,
          whitelist: s.whitelistRanges,
          trustedProxies: s.trustedProxyRanges,
          strictSiteMatching: s.strictSiteMatching,
          browserSupport: await security.browserSupport(),
        };
      },
      findSite: async (baseUrl, action, direction, strict) =>
        (await services.sites.findSender(baseUrl, action, direction, strict)).site,
      tokens,
      users: new UserSyncService({
        orm,
        tablePrefix: config.tablePrefix,
        hashFormat: config.passwordHashFormat,
        events,
        locks,
        sqlBatches: config.database.kind !== 'sqlite',
      }),
      receipts,
      sessions,
      log: (entry) => activity.record(entry),
      publicUrl: config.publicUrl,
      hooks: options.hooks?.receiver,
    },
    defaultHandlers(),
  );
  await registerPeerRoutes(fastify, {
    receiver,
    tokenLimiter: new RateLimiter(
      options.tokenRateLimit?.perSecond ?? 50,
      options.tokenRateLimit?.burst ?? 200,
    ),
    bodyLimit: config.bodyLimitBytes,
    prefixes: publicPath ? ['', publicPath] : [''],
    log: (entry) => activity.record(entry),
  });
  await registerAuthRoutes(fastify, {
    auth,
    sessions,
    async: asyncActions,
    prefixes: publicPath ? ['', publicPath] : [''],
    base: publicPath,
    publicUrl: config.publicUrl,
    clientIp: async (req) =>
      clientIp(
        req.socket.remoteAddress,
        req.headers['x-forwarded-for'],
        (await security.effective()).trustedProxyRanges,
      ) ?? 'unknown',
    siteOrigins: async () => {
      const origins = (await sites.all())
        .filter((s) => s.outgoingActions.includes('login') || s.outgoingActions.includes('logout'))
        .flatMap((s) => {
          try {
            return [new URL(s.url).origin];
          } catch {
            return [];
          }
        });
      return [...new Set(origins)];
    },
    log: (entry) => activity.record(entry),
  });
  // A change from a peer writes no outbox rows, so it wakes nobody.
  events.onCommitted((event) => {
    if (outbox.sendsOut(event)) relay.wake();
  });
  if (options.relay ?? true) relay.start();
  logPolicy.start();
  services.transfers.start();

  const tokenCleanup = setInterval(() => {
    tokens.cleanup().catch((err: unknown) => logger.warn({ err }, 'token cleanup failed'));
    receipts.cleanup().catch((err: unknown) => logger.warn({ err }, 'receipt cleanup failed'));
    sessions.cleanup().catch((err: unknown) => logger.warn({ err }, 'session cleanup failed'));
  }, 3600_000);
  tokenCleanup.unref();
  const handler = fastifyApolloHandler(apollo, {
    context: async (request) => {
      const ctx = createRequestContext(services, null);
      const secret = bearerSecret(request.headers.authorization);
      const admin = await services.adminAuth.authenticate(ctx.em, secret);
      services.adminAudit.noteAccess(admin, secret !== null, 'http', request.ip);
      return { ...ctx, admin };
    },
  });
  fastify.route({ url: '/graphql', method: ['GET', 'POST', 'OPTIONS'], handler });

  let url = '';
  let closed = false;
  return {
    orm,
    fastify,
    services,
    initialAdminToken,
    get url() {
      return url;
    },
    async listen() {
      const address = await fastify.listen({ port: config.port, host: config.host });
      url = address.replace('[::1]', 'localhost');
      logger.info({ url, publicUrl: config.publicUrl, database: config.database.kind }, 'listening');
      return url;
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(tokenCleanup);
      await services.transfers.close();
      await relay.stop();
      await receipts.flush();
      await logPolicy.stop();
      await apollo.stop(); // drains HTTP and closes WebSockets
      await fastify.close();
      await activity.close();
      await pubsub.close();
      await orm.close(true);
    },
  };
}

/** Redis channels of one deployment: its database and table prefix. */
function pubsubNamespace(config: AppConfig): string {
  const db = config.database;
  return `rus:${db.kind}:${db.host ?? ''}:${db.port ?? ''}:${db.dbName}:${config.tablePrefix}`;
}
