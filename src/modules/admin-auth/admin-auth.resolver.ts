import {
  Arg,
  Authorized,
  Ctx,
  Field,
  ID,
  InputType,
  Mutation,
  ObjectType,
  Query,
  Resolver,
} from 'type-graphql';
import type { GraphQLContext } from '../../graphql/context.js';
import type { AdminToken } from './admin-token.entity.js';

@ObjectType('AdminToken', {
  description: 'An admin API token. The secret is shown only once, by createAdminToken.',
})
export class AdminTokenNode {
  @Field(() => ID) id!: string;
  @Field(() => String) name!: string;
  @Field(() => String, { description: 'The first characters of the secret, to recognise it.' })
  prefix!: string;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date, { nullable: true }) lastUsedAt!: Date | null;
  @Field(() => Date, { nullable: true }) revokedAt!: Date | null;

  static from(t: AdminToken): AdminTokenNode {
    return Object.assign(new AdminTokenNode(), {
      id: t.id,
      name: t.name,
      prefix: t.prefix,
      createdAt: t.createdAt,
      lastUsedAt: t.lastUsedAt,
      revokedAt: t.revokedAt,
    });
  }
}

@InputType()
export class CreateAdminTokenInput {
  @Field(() => String) name!: string;
}

@InputType()
export class RevokeAdminTokenInput {
  @Field(() => ID) id!: string;
}

@ObjectType()
export class CreateAdminTokenPayload {
  @Field(() => AdminTokenNode) adminToken!: AdminTokenNode;
  @Field(() => String, { description: 'The bearer secret. Store it now: it cannot be shown again.' })
  secret!: string;
}

@ObjectType()
export class RevokeAdminTokenPayload {
  @Field(() => AdminTokenNode) adminToken!: AdminTokenNode;
}

@Authorized()
@Resolver()
export class AdminAuthResolver {
  @Query(() => [AdminTokenNode])
  async adminTokens(@Ctx() ctx: GraphQLContext): Promise<AdminTokenNode[]> {
    return (await ctx.app.adminAuth.list(ctx.em)).map((t) => AdminTokenNode.from(t));
  }

  @Mutation(() => CreateAdminTokenPayload)
  async createAdminToken(
    @Arg('input', () => CreateAdminTokenInput) input: CreateAdminTokenInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<CreateAdminTokenPayload> {
    const { token, secret } = await ctx.app.adminAuth.create(ctx.em, input.name);
    ctx.app.activity.record({
      type: 'info',
      event: 'admin.token_created',
      message: `Admin token "${token.name}" created by "${ctx.admin?.name ?? 'unknown'}"`,
      outcome: 'applied',
    });
    return { adminToken: AdminTokenNode.from(token), secret };
  }

  @Mutation(() => RevokeAdminTokenPayload)
  async revokeAdminToken(
    @Arg('input', () => RevokeAdminTokenInput) input: RevokeAdminTokenInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<RevokeAdminTokenPayload> {
    const token = await ctx.app.adminAuth.revoke(ctx.em, input.id);
    ctx.app.activity.record({
      type: 'warning',
      event: 'admin.token_revoked',
      message: `Admin token "${token.name}" revoked by "${ctx.admin?.name ?? 'unknown'}"`,
      outcome: 'applied',
    });
    return { adminToken: AdminTokenNode.from(token) };
  }
}
