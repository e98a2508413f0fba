import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../../graphql/context.js';
import { AppError } from '../../shared/app-error.js';
import {
  CreateSiteInput,
  DeleteSiteInput,
  DeleteSitePayload,
  PingSiteInput,
  PingSitePayload,
  SetAllSiteActionsInput,
  SiteNode,
  SitePayload,
  toActionKeys,
  UpdateSiteInput,
} from './site.graphql.js';

function actor(ctx: GraphQLContext): string {
  return ctx.admin?.name ?? 'anonymous';
}

@Authorized()
@Resolver(() => SiteNode)
export class SiteResolver {
  @Query(() => [SiteNode], { description: 'Remote sites, in matching order.' })
  async sites(@Ctx() ctx: GraphQLContext): Promise<SiteNode[]> {
    return (await ctx.app.sites.list(ctx.em)).map((s) => SiteNode.from(s));
  }

  @Query(() => SiteNode, { nullable: true })
  async site(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<SiteNode | null> {
    try {
      return SiteNode.from(await ctx.app.sites.get(ctx.em, id));
    } catch (err) {
      if (err instanceof AppError && err.code === 'NOT_FOUND') return null;
      throw err;
    }
  }

  @Mutation(() => SitePayload)
  async createSite(
    @Arg('input', () => CreateSiteInput) input: CreateSiteInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<SitePayload> {
    const { site, warnings } = await ctx.app.sites.create(ctx.em, actor(ctx), {
      ...input,
      incomingActions: toActionKeys(input.incomingActions),
      outgoingActions: toActionKeys(input.outgoingActions),
    });
    return { site: SiteNode.from(site), warnings };
  }

  @Mutation(() => SitePayload)
  async updateSite(
    @Arg('input', () => UpdateSiteInput) input: UpdateSiteInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<SitePayload> {
    const { id, incomingActions, outgoingActions, ...rest } = input;
    const { site, warnings } = await ctx.app.sites.update(ctx.em, actor(ctx), id, {
      ...rest,
      incomingActions: incomingActions ? toActionKeys(incomingActions) : null,
      outgoingActions: outgoingActions ? toActionKeys(outgoingActions) : null,
    });
    return { site: SiteNode.from(site), warnings };
  }

  @Mutation(() => DeleteSitePayload)
  async deleteSite(
    @Arg('input', () => DeleteSiteInput) input: DeleteSiteInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<DeleteSitePayload> {
    const site = await ctx.app.sites.delete(ctx.em, actor(ctx), input.id);
    return { deletedSiteId: input.id, url: site.url };
  }

  @Mutation(() => SitePayload, {
    description: 'Enables or disables every action of one direction (the plugin’s "Toggle All Actions").',
  })
  async setAllSiteActions(
    @Arg('input', () => SetAllSiteActionsInput) input: SetAllSiteActionsInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<SitePayload> {
    const site = await ctx.app.sites.setAllActions(
      ctx.em,
      actor(ctx),
      input.siteId,
      input.direction,
      input.enabled,
    );
    return { site: SiteNode.from(site), warnings: await ctx.app.sites.overlapWarnings(ctx.em, site) };
  }

  @Mutation(() => PingSitePayload, {
    description: 'Performs the plugin’s Test request against the remote site and returns its answer.',
  })
  async pingSite(
    @Arg('input', () => PingSiteInput) input: PingSiteInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<PingSitePayload> {
    const site = await ctx.app.sites.get(ctx.em, input.siteId);
    const username = (ctx.admin?.name ?? 'admin').replace(/[^A-Za-z0-9 _.@-]/g, '').slice(0, 60) || 'admin';
    return ctx.app.ping.ping(site, input.action, input.direction, username);
  }
}
