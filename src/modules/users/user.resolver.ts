import {
  Arg,
  Args,
  ArgsType,
  Authorized,
  Ctx,
  Field,
  FieldResolver,
  ID,
  Int,
  Mutation,
  Query,
  Resolver,
  Root,
} from 'type-graphql';
import type { GraphQLContext } from '../../graphql/context.js';
import { encodeCursor, MAX_PAGE_SIZE, pageStart } from '../../graphql/relay.js';
import { AppError } from '../../shared/app-error.js';
import type { ChangeOrigin } from '../../shared/domain-events.js';
import { decodeCapabilities, decodeMetaValue } from './meta-codec.js';
import {
  CreateUserInput,
  DeleteUserInput,
  DeleteUserMetaInput,
  DeleteUserMetaPayload,
  DeleteUserPayload,
  MetaWriteMode,
  SetUserMetaInput,
  SetUserPasswordInput,
  SetUserRolesInput,
  UpdateUserInput,
  UserPayload,
} from './user.graphql-inputs.js';
import { metaKey, passwordSchema, roleSlug, type JsonValue } from './user.inputs.js';
import { UserConnection, UserMetaEntry, UserNode } from './user.type.js';

@ArgsType()
class UsersArgs {
  @Field(() => Int, { defaultValue: 50, description: `At most ${MAX_PAGE_SIZE}.` })
  first!: number;

  @Field(() => String, { nullable: true })
  after?: string | null;

  @Field(() => String, { nullable: true, description: 'Matches login, e-mail, display name or nicename.' })
  search?: string | null;

  @Field(() => String, { nullable: true })
  role?: string | null;
}

function parseOrBadInput<T>(
  schema: {
    safeParse(
      v: unknown,
    ): { success: true; data: T } | { success: false; error: { issues: { message: string }[] } };
  },
  value: unknown,
  field: string,
): T {
  const r = schema.safeParse(value);
  if (!r.success) throw AppError.badInput(`${field}: ${r.error.issues[0]?.message ?? 'invalid'}`, field);
  return r.data;
}

function origin(ctx: GraphQLContext): ChangeOrigin {
  return { kind: 'local', actor: ctx.admin?.name ?? 'anonymous' };
}

@Authorized()
@Resolver(() => UserNode)
export class UserResolver {
  @Query(() => UserConnection, { description: 'Users in ID order (a Relay connection).' })
  async users(@Args(() => UsersArgs) args: UsersArgs, @Ctx() ctx: GraphQLContext): Promise<UserConnection> {
    const afterId = pageStart('user', args.first, args.after);
    const repo = ctx.users.repository;
    const query = { first: args.first, afterId, search: args.search ?? null, role: args.role ?? null };
    const [{ users, hasNextPage }, totalCount] = await Promise.all([repo.list(query), repo.count(query)]);
    const edges = users.map((u) => ({ cursor: encodeCursor('user', u.id), node: UserNode.from(u) }));
    return {
      edges,
      totalCount,
      pageInfo: {
        hasNextPage,
        hasPreviousPage: afterId !== null,
        startCursor: edges[0]?.cursor ?? null,
        endCursor: edges.at(-1)?.cursor ?? null,
      },
    };
  }

  @Query(() => UserNode, { nullable: true, description: 'One user by ID or by login.' })
  async user(
    @Arg('id', () => ID, { nullable: true }) id: string | null,
    @Arg('login', () => String, { nullable: true }) login: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<UserNode | null> {
    try {
      return UserNode.from(await ctx.users.resolve({ id, login }));
    } catch (err) {
      if (err instanceof AppError && err.code === 'NOT_FOUND') return null;
      throw err;
    }
  }

  @FieldResolver(() => [String], { description: 'Role slugs, from usermeta {prefix}capabilities.' })
  async roles(@Root() user: UserNode, @Ctx() ctx: GraphQLContext): Promise<string[]> {
    const rows = await ctx.loaders.metaByUser.load(user.id);
    const caps = rows.find((r) => r.metaKey === ctx.users.capabilitiesKey);
    return decodeCapabilities(caps?.metaValue ?? null);
  }

  @FieldResolver(() => [UserMetaEntry], { description: 'Meta rows, all or only the given keys.' })
  async meta(
    @Root() user: UserNode,
    @Arg('keys', () => [String], { nullable: true }) keys: string[] | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<UserMetaEntry[]> {
    const rows = await ctx.loaders.metaByUser.load(user.id);
    const wanted = keys ? new Set(keys) : null;
    return rows
      .filter((r) => r.metaKey !== null && (!wanted || wanted.has(r.metaKey)))
      .map((r) => ({
        id: r.id,
        key: r.metaKey ?? '',
        raw: r.metaValue,
        value: decodeMetaValue(r.metaValue),
      }));
  }

  @Mutation(() => UserPayload)
  async createUser(
    @Arg('input', () => CreateUserInput) input: CreateUserInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<UserPayload> {
    const roles = input.roles?.map((r) => parseOrBadInput(roleSlug, r, 'roles'));
    const meta = input.meta?.map((m) => ({
      key: parseOrBadInput(metaKey, m.key, 'meta'),
      value: m.value as JsonValue,
    }));
    if (input.password != null) parseOrBadInput(passwordSchema, input.password, 'password');
    const user = await ctx.users.create(origin(ctx), { ...input, roles, meta });
    return { user: UserNode.from(user) };
  }

  @Mutation(() => UserPayload)
  async updateUser(
    @Arg('input', () => UpdateUserInput) input: UpdateUserInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<UserPayload> {
    if (input.password != null) parseOrBadInput(passwordSchema, input.password, 'password');
    const { id, login, ...fields } = input;
    const user = await ctx.users.update(origin(ctx), { user: { id, login }, ...fields });
    return { user: UserNode.from(user) };
  }

  @Mutation(() => DeleteUserPayload)
  async deleteUser(
    @Arg('input', () => DeleteUserInput) input: DeleteUserInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<DeleteUserPayload> {
    const result = await ctx.users.delete(
      origin(ctx),
      { id: input.id, login: input.login },
      input.reassignTo ? { login: input.reassignTo } : null,
    );
    return {
      deletedUserId: result.id,
      login: result.login,
      reassignedTo: result.reassignedTo ? UserNode.from(result.reassignedTo) : null,
    };
  }

  @Mutation(() => UserPayload)
  async setUserPassword(
    @Arg('input', () => SetUserPasswordInput) input: SetUserPasswordInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<UserPayload> {
    const password = parseOrBadInput(passwordSchema, input.password, 'password');
    const user = await ctx.users.setPassword(origin(ctx), { id: input.id, login: input.login }, password);
    return { user: UserNode.from(user) };
  }

  @Mutation(() => UserPayload)
  async setUserRoles(
    @Arg('input', () => SetUserRolesInput) input: SetUserRolesInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<UserPayload> {
    const roles = input.roles.map((r) => parseOrBadInput(roleSlug, r, 'roles'));
    const user = await ctx.users.setRoles(origin(ctx), { id: input.id, login: input.login }, roles);
    return { user: UserNode.from(user) };
  }

  @Mutation(() => UserPayload)
  async setUserMeta(
    @Arg('input', () => SetUserMetaInput) input: SetUserMetaInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<UserPayload> {
    const key = parseOrBadInput(metaKey, input.key, 'key');
    const value = input.value as JsonValue;
    const write =
      input.mode === MetaWriteMode.ADD
        ? { mode: 'add' as const, key, value, unique: input.unique }
        : {
            mode: 'update' as const,
            key,
            value,
            ...(input.prevValue !== undefined && input.prevValue !== null
              ? { prevValue: input.prevValue as JsonValue }
              : {}),
          };
    const user = await ctx.users.setMeta(origin(ctx), { id: input.id, login: input.login }, [write]);
    return { user: UserNode.from(user) };
  }

  @Mutation(() => DeleteUserMetaPayload)
  async deleteUserMeta(
    @Arg('input', () => DeleteUserMetaInput) input: DeleteUserMetaInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<DeleteUserMetaPayload> {
    const key = parseOrBadInput(metaKey, input.key, 'key');
    const value = input.value === undefined || input.value === null ? undefined : (input.value as JsonValue);
    const { user, deleted } = await ctx.users.deleteMeta(
      origin(ctx),
      { id: input.id, login: input.login },
      key,
      value,
    );
    return { user: UserNode.from(user), deletedCount: deleted };
  }
}
