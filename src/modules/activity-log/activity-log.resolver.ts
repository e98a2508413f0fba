import { Arg, Args, Authorized, Ctx, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { GraphQLContext } from '../../graphql/context.js';
import { decodeCursor, encodeCursor, MAX_PAGE_SIZE } from '../../graphql/relay.js';
import { AppError } from '../../shared/app-error.js';
import type { ActivityLoggedPayload } from '../../shared/pubsub.js';
import type { ActivityLogQuery } from './activity-log.repository.js';
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
    if (args.first < 0 || args.first > MAX_PAGE_SIZE)
      throw AppError.badInput(`first must be between 0 and ${MAX_PAGE_SIZE}`, 'first');
    const before = args.after ? decodeCursor('log', args.after) : null;
    if (args.after && before === null) throw AppError.badInput('after is not a valid cursor', 'after');
    const query = toQuery(args.filter);
    const repository = ctx.app.activityLog;
    const [page, totalCount] = await Promise.all([
      repository.page(query, args.first + 1, before === null ? null : Number(before)),
      repository.count(query),
    ]);
    const edges = page.slice(0, args.first).map((e) => ({
      cursor: encodeCursor('log', String(e.id)),
      node: ActivityLogEntryNode.from(e),
    }));
    return {
      edges,
      totalCount,
      pageInfo: {
        hasNextPage: page.length > args.first,
        hasPreviousPage: before !== null,
        startCursor: edges[0]?.cursor ?? null,
        endCursor: edges.at(-1)?.cursor ?? null,
      },
    };
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
    topics: 'activity.logged',
    filter: ({
      payload,
      args,
    }: {
      payload: ActivityLoggedPayload;
      args: { filter?: ActivityLogFilter | null };
    }) => matchesActivity(payload, args.filter),
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
