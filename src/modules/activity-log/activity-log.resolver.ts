import {
  Arg,
  Args,
  Authorized,
  Ctx,
  Mutation,
  Query,
  Resolver,
  Root,
  Subscription,
  type SubscribeResolverData,
} from 'type-graphql';
import type { GraphQLContext } from '../../graphql/context.js';
import { pageOf, pageStart } from '../../graphql/relay.js';
import { AppError } from '../../shared/app-error.js';
import type { ActivityLoggedPayload } from '../../shared/pubsub.js';
import type { ActivityLogQuery } from './activity-log.repository.js';
import { activityPayload } from './activity-stream.js';
import {
  ActivityLogArgs,
  ActivityLogConnection,
  ActivityLogEntryNode,
  ActivityLogFilter,
  ActivityLogSettingsNode,
  ClearActivityLogPayload,
  UpdateActivityLogSettingsInput,
} from './activity-log.graphql.js';

function toQuery(filter: ActivityLogFilter | null | undefined): ActivityLogQuery {
  if (!filter) return {};
  if (filter.since && filter.until && filter.since >= filter.until)
    throw AppError.badInput('since must be before until', 'since');
  if (filter.search && filter.search.length > 200)
    throw AppError.badInput('search has at most 200 characters', 'search');
  return {
    types: filter.types ?? null,
    siteId: filter.siteId ?? null,
    action: filter.action ?? null,
    direction: filter.direction ?? null,
    login: filter.login ?? null,
    event: filter.event ?? null,
    cause: filter.cause ?? null,
    sinceMs: filter.since?.getTime() ?? null,
    untilMs: filter.until?.getTime() ?? null,
    search: filter.search ?? null,
  };
}

/** The subscription filter, applied to each raw payload before any GraphQL execution. */
export function matchesActivity(
  payload: ActivityLoggedPayload,
  filter: ActivityLogFilter | null | undefined,
): boolean {
  if (!filter) return true;
  if (filter.types?.length && !(filter.types as string[]).includes(payload.type)) return false;
  if (filter.siteId && filter.siteId !== payload.siteId) return false;
  if (filter.action && filter.action !== payload.action) return false;
  if (filter.direction && filter.direction !== payload.direction) return false;
  if (filter.login && filter.login !== payload.login) return false;
  if (filter.event && filter.event !== payload.event) return false;
  if (filter.cause && filter.cause !== payload.cause) return false;
  if (filter.since && payload.loggedAtMs < filter.since.getTime()) return false;
  if (filter.until && payload.loggedAtMs >= filter.until.getTime()) return false;
  if (filter.search && !payload.message.toLowerCase().includes(filter.search.toLowerCase())) return false;
  return true;
}

@Authorized()
@Resolver()
export class ActivityLogResolver {
  @Query(() => ActivityLogConnection, { description: 'The activity log, newest first.' })
  async activityLog(
    @Args(() => ActivityLogArgs) args: ActivityLogArgs,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ActivityLogConnection> {
    const before = pageStart('log', args.first, args.after);
    const query = toQuery(args.filter);
    const repository = ctx.app.activityLog;
    const [rows, totalCount] = await Promise.all([
      repository.page(query, args.first + 1, before === null ? null : Number(before)),
      repository.count(query),
    ]);
    const page = pageOf(
      'log',
      rows,
      args.first,
      before,
      (e) => String(e.id),
      (e) => ActivityLogEntryNode.from(activityPayload(e)),
    );
    return { ...page, totalCount };
  }

  @Mutation(() => ClearActivityLogPayload, {
    description: 'Removes every entry (the plugin’s "Clear All"), then logs who cleared it.',
  })
  async clearActivityLog(@Ctx() ctx: GraphQLContext): Promise<ClearActivityLogPayload> {
    await ctx.app.activity.flush();
    const removed = await ctx.app.activityLog.clear();
    ctx.app.activity.record({
      type: 'warning',
      event: 'activity.cleared',
      message: `Activity log cleared (${removed} entries) by admin token "${ctx.admin?.name ?? 'unknown'}"`,
      outcome: 'applied',
    });
    return { removed };
  }

  @Query(() => ActivityLogSettingsNode)
  activityLogSettings(@Ctx() ctx: GraphQLContext): Promise<ActivityLogSettingsNode> {
    return ctx.app.logPolicy.current(ctx.em);
  }

  @Mutation(() => ActivityLogSettingsNode, { description: 'Logging on/off and retention.' })
  updateActivityLogSettings(
    @Arg('input', () => UpdateActivityLogSettingsInput) input: UpdateActivityLogSettingsInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ActivityLogSettingsNode> {
    return ctx.app.logPolicy.update(ctx.em, input);
  }

  @Subscription(() => ActivityLogEntryNode, {
    subscribe: ({
      args,
      context,
    }: SubscribeResolverData<unknown, { filter?: ActivityLogFilter | null }, GraphQLContext>) =>
      context.app.pubsub.subscribeWhere('activity.logged', (payload) =>
        matchesActivity(payload, args.filter),
      ),
    description:
      'Streams activity entries once they are stored, on every instance (with REDIS_URL). The filter is applied before any GraphQL execution.',
  })
  activityLogged(
    @Root() payload: ActivityLoggedPayload,
    @Arg('filter', () => ActivityLogFilter, { nullable: true }) _filter: ActivityLogFilter | null,
  ): ActivityLogEntryNode {
    return ActivityLogEntryNode.from(payload);
  }
}
