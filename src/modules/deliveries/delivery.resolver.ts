import {
  Arg,
  Args,
  ArgsType,
  Authorized,
  Ctx,
  Field,
  FieldResolver,
  Int,
  Mutation,
  Query,
  Resolver,
  Root,
  Subscription,
  type SubscribeResolverData,
} from 'type-graphql';
import type { DeliveryUpdatedPayload } from '../../shared/pubsub.js';
import type { GraphQLContext } from '../../graphql/context.js';
import { pageOf, pageStart } from '../../graphql/relay.js';
import { DeliveryAttempt } from '../../protocol/outbox/delivery-attempt.entity.js';
import { Delivery } from '../../protocol/outbox/delivery.entity.js';
import { AppError } from '../../shared/app-error.js';
import { WpUserMeta } from '../users/user-meta.entity.js';
import { WpUser } from '../users/user.entity.js';
import {
  DeliveryAttemptNode,
  DeliveryConnection,
  DeliveryFilter,
  DeliveryNode,
  DeliveryPayload,
  DeliveryStatus,
  DeliveryUpdateNode,
  QueuedPayload,
  ResyncAllUsersInput,
  ResyncUserInput,
  RetryDeadDeliveriesInput,
  RetryDeliveryInput,
} from './delivery.graphql.js';

@ArgsType()
class DeliveriesArgs {
  @Field(() => Int, { defaultValue: 50 }) first!: number;
  @Field(() => String, { nullable: true }) after?: string | null;
  @Field(() => DeliveryFilter, { nullable: true }) filter?: DeliveryFilter | null;
}

@Authorized()
@Resolver(() => DeliveryNode)
export class DeliveryResolver {
  @Query(() => DeliveryConnection, { description: 'Outgoing deliveries, newest first.' })
  async deliveries(
    @Args(() => DeliveriesArgs) args: DeliveriesArgs,
    @Ctx() ctx: GraphQLContext,
  ): Promise<DeliveryConnection> {
    const beforeId = pageStart('delivery', args.first, args.after);
    const where: Record<string, unknown> = {};
    if (args.filter?.status) where['status'] = args.filter.status;
    if (args.filter?.siteId) where['siteId'] = args.filter.siteId;
    if (args.filter?.login) where['login'] = args.filter.login;
    const rows = await ctx.em.find(Delivery, beforeId ? { ...where, id: { $lt: beforeId } } : where, {
      orderBy: { id: 'desc' },
      limit: args.first + 1,
    });
    const totalCount = await ctx.em.count(Delivery, where);
    return {
      ...pageOf(
        'delivery',
        rows,
        args.first,
        beforeId,
        (d) => d.id,
        (d) => DeliveryNode.from(d),
      ),
      totalCount,
    };
  }

  @FieldResolver(() => [DeliveryAttemptNode], { description: 'Every attempt, oldest first.' })
  async attemptLog(
    @Root() delivery: DeliveryNode,
    @Ctx() ctx: GraphQLContext,
  ): Promise<DeliveryAttemptNode[]> {
    return (await ctx.em.find(DeliveryAttempt, { deliveryId: delivery.id }, { orderBy: { id: 'asc' } })).map(
      (a) => DeliveryAttemptNode.from(a),
    );
  }

  @Mutation(() => DeliveryPayload, { description: 'Sends a dead (or waiting) delivery again now.' })
  async retryDelivery(
    @Arg('input', () => RetryDeliveryInput) input: RetryDeliveryInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<DeliveryPayload> {
    if (!/^\d{1,20}$/.test(input.id)) throw AppError.badInput('id must be a numeric delivery ID', 'id');
    const delivery = await ctx.em.findOne(Delivery, { id: input.id });
    if (!delivery) throw AppError.notFound(`delivery ${input.id}`);
    if (delivery.status === 'delivered')
      throw new AppError('CONFLICT', 'this delivery was already delivered');
    delivery.status = 'pending';
    delivery.nextAttemptAt = new Date();
    delivery.lockedUntil = null;
    await ctx.em.flush();
    ctx.app.relay.wake();
    ctx.app.activity.record({
      type: 'info',
      event: 'delivery.requeued',
      message: `${delivery.action} action to ${delivery.siteUrl} for "${delivery.login}" queued again by an admin`,
      action: delivery.action,
      direction: 'outgoing',
      login: delivery.login,
      siteId: delivery.siteId,
      outcome: 'pending',
    });
    ctx.app.pubsub.publishTyped('delivery.updated', {
      id: delivery.id,
      siteId: delivery.siteId,
      siteUrl: delivery.siteUrl,
      action: delivery.action,
      login: delivery.login,
      status: 'pending',
      attempts: delivery.attempts,
      lastHttpStatus: delivery.lastHttpStatus,
      lastError: delivery.lastError,
      at: new Date().toISOString(),
    });
    return { delivery: DeliveryNode.from(delivery) };
  }

  @Mutation(() => QueuedPayload, { description: 'Sends every dead delivery (of one site) again.' })
  async retryDeadDeliveries(
    @Arg('input', () => RetryDeadDeliveriesInput) input: RetryDeadDeliveriesInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<QueuedPayload> {
    const where = input.siteId
      ? { status: 'dead' as const, siteId: input.siteId }
      : { status: 'dead' as const };
    const queued = await ctx.em.nativeUpdate(Delivery, where, {
      status: 'pending',
      nextAttemptAt: new Date(),
      lockedUntil: null,
    });
    ctx.app.relay.wake();
    ctx.app.activity.record({
      type: 'info',
      event: 'delivery.requeued',
      message: `${queued} dead deliveries queued again by an admin${input.siteId ? ` (site ${input.siteId})` : ''}`,
      direction: 'outgoing',
      siteId: input.siteId ?? null,
      outcome: 'pending',
    });
    return { queued };
  }

  @Subscription(() => DeliveryUpdateNode, {
    subscribe: ({
      args,
      context,
    }: SubscribeResolverData<unknown, { filter?: DeliveryFilter | null }, GraphQLContext>) =>
      context.app.pubsub.subscribeWhere(
        'delivery.updated',
        (payload) =>
          (!args.filter?.status || String(args.filter.status) === payload.status) &&
          (!args.filter?.siteId || args.filter.siteId === payload.siteId) &&
          (!args.filter?.login || args.filter.login === payload.login),
      ),
    description:
      'Streams delivery state changes (attempt recorded, retry requested) on every instance. The filter is applied before any GraphQL execution.',
  })
  deliveryUpdated(
    @Root() payload: DeliveryUpdatedPayload,
    @Arg('filter', () => DeliveryFilter, { nullable: true }) _filter: DeliveryFilter | null,
  ): DeliveryUpdateNode {
    return Object.assign(new DeliveryUpdateNode(), {
      ...payload,
      status: payload.status as DeliveryStatus,
      at: new Date(payload.at),
    });
  }

  @Mutation(() => QueuedPayload, {
    description: 'Pushes a user’s current state (update + outgoing meta) to sites.',
  })
  async resyncUser(
    @Arg('input', () => ResyncUserInput) input: ResyncUserInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<QueuedPayload> {
    const user = await ctx.users.resolve({ login: input.login });
    const queued = await ctx.em.transactional((em) =>
      ctx.app.outbox.resync(em, user.id, input.siteIds ?? null, async (key) =>
        (await em.find(WpUserMeta, { userId: user.id, metaKey: key }, { orderBy: { id: 'asc' } })).map(
          (m) => m.metaValue ?? '',
        ),
      ),
    );
    ctx.app.relay.wake();
    return { queued };
  }

  @Mutation(() => QueuedPayload, { description: 'Pushes every user to one site (e.g. a newly added one).' })
  async resyncAllUsers(
    @Arg('input', () => ResyncAllUsersInput) input: ResyncAllUsersInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<QueuedPayload> {
    await ctx.app.sites.get(ctx.em, input.siteId);
    let queued = 0;
    let afterId = '0';
    for (;;) {
      const users = await ctx.em
        .fork()
        .find(WpUser, { id: { $gt: afterId } }, { orderBy: { id: 'asc' }, limit: 200, fields: ['id'] });
      if (users.length === 0) break;
      queued += await ctx.em.fork().transactional(async (em) => {
        let n = 0;
        for (const u of users) {
          n += await ctx.app.outbox.resync(em, u.id, [input.siteId], async (key) =>
            (await em.find(WpUserMeta, { userId: u.id, metaKey: key }, { orderBy: { id: 'asc' } })).map(
              (m) => m.metaValue ?? '',
            ),
          );
        }
        return n;
      });
      afterId = users.at(-1)?.id ?? afterId;
      ctx.app.relay.wake();
    }
    return { queued };
  }
}
