import {
  Arg,
  Authorized,
  Ctx,
  Field,
  ID,
  InputType,
  Int,
  Mutation,
  ObjectType,
  Query,
  Resolver,
  registerEnumType,
} from 'type-graphql';
import type { GraphQLContext } from '../../graphql/context.js';
import { AppError } from '../../shared/app-error.js';
import type { WpUser } from '../users/user.entity.js';
import type { Session } from './session.entity.js';

export enum SessionOriginKind {
  LOCAL = 'local',
  PEER = 'peer',
}
registerEnumType(SessionOriginKind, {
  name: 'SessionOrigin',
  description: 'LOCAL: signed in on this server; PEER: signed in by a remote site’s login request.',
});

@ObjectType('UserSession', { description: 'A browser session of a user. Its cookie secret is never shown.' })
export class UserSessionNode {
  @Field(() => ID) id!: string;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date, { description: 'Last request seen with this session (updated at most once a minute).' })
  lastSeenAt!: Date;
  @Field(() => Date) expiresAt!: Date;
  @Field(() => Boolean, { description: '“Remember me”: the cookie outlives the browser session.' })
  remember!: boolean;
  @Field(() => SessionOriginKind) origin!: SessionOriginKind;
  @Field(() => ID, { nullable: true, description: 'The site whose login request opened the session.' })
  originSiteId!: string | null;
  @Field(() => String, { nullable: true }) ip!: string | null;
  @Field(() => String, { nullable: true }) userAgent!: string | null;

  static from(s: Session): UserSessionNode {
    return Object.assign(new UserSessionNode(), {
      id: s.id,
      createdAt: s.createdAt,
      lastSeenAt: s.lastSeenAt,
      expiresAt: s.expiresAt,
      remember: s.remember,
      origin: s.origin === 'peer' ? SessionOriginKind.PEER : SessionOriginKind.LOCAL,
      originSiteId: s.originSiteId,
      ip: s.ip,
      userAgent: s.userAgent,
    });
  }
}

@InputType()
export class DestroyUserSessionsInput {
  @Field(() => String) login!: string;
  @Field(() => Boolean, {
    defaultValue: true,
    description:
      'Also ask every site with Logout enabled outgoing to end the user’s sessions (the plugin’s “Log Out Everywhere”; WordPress sites act on it in strict mode only).',
  })
  notifySites!: boolean;
}

@ObjectType()
export class DestroyUserSessionsPayload {
  @Field(() => String) login!: string;
  @Field(() => Int, { description: 'Sessions ended on this server.' }) destroyed!: number;
  @Field(() => Int, { description: 'Remote sites a logout was queued for (see deliveries).' })
  notifiedSites!: number;
}

async function userByLogin(ctx: GraphQLContext, login: string): Promise<WpUser> {
  if (!login.trim()) throw AppError.badInput('login must not be empty', 'login');
  const user = await ctx.users.repository.findByLogin(login.trim());
  if (!user) throw AppError.notFound(`user "${login}"`);
  return user;
}

@Authorized()
@Resolver()
export class SessionResolver {
  @Query(() => [UserSessionNode], { description: 'A user’s live browser sessions, newest first.' })
  async userSessions(
    @Arg('login', () => String) login: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<UserSessionNode[]> {
    const user = await userByLogin(ctx, login);
    return (await ctx.app.sessions.list(ctx.em, user.id)).map((s) => UserSessionNode.from(s));
  }

  @Mutation(() => DestroyUserSessionsPayload, {
    description:
      '“Log out everywhere”: ends every session of the user here and, by default, on the remote sites.',
  })
  async destroyUserSessions(
    @Arg('input', () => DestroyUserSessionsInput) input: DestroyUserSessionsInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<DestroyUserSessionsPayload> {
    const user = await userByLogin(ctx, input.login);
    const { destroyed, notifiedSites } = await ctx.em.transactional(async (em) => ({
      destroyed: await ctx.app.sessions.destroyAll(em, user.id),
      notifiedSites: input.notifySites ? await ctx.app.outbox.logoutEverywhere(em, user.userLogin) : 0,
    }));
    if (notifiedSites > 0) ctx.app.relay.wake();
    ctx.app.activity.record({
      type: 'info',
      event: 'auth.sessions_destroyed',
      message: `All sessions of "${user.userLogin}" ended by ${ctx.admin?.name ?? 'anonymous'} (${destroyed} here${input.notifySites ? `, logout sent to ${notifiedSites} site(s)` : ''})`,
      login: user.userLogin,
      outcome: 'applied',
      data: { destroyed, notifiedSites },
    });
    return { login: user.userLogin, destroyed, notifiedSites };
  }
}
