import { Arg, Authorized, Field, ID, ObjectType, Resolver, Root, Subscription } from 'type-graphql';
import type { UserChangedPayload } from '../../shared/pubsub.js';

@ObjectType('UserChange', { description: 'A committed user change.' })
export class UserChangeNode {
  @Field(() => String, {
    description:
      'user.created, user.updated, user.deleted, user.password_changed, user.roles_changed or user.meta_changed',
  })
  type!: string;

  @Field(() => ID) userId!: string;
  @Field(() => String) login!: string;
  @Field(() => String, { description: 'local, peer or import' }) origin!: string;
  @Field(() => Date) at!: Date;
}

@Resolver()
export class UserEventsResolver {
  @Authorized()
  @Subscription(() => UserChangeNode, {
    topics: 'user.changed',
    filter: ({ payload, args }: { payload: UserChangedPayload; args: { login?: string | null } }) =>
      !args.login || args.login === payload.login,
    description: 'Streams user changes after they commit, optionally for one login.',
  })
  userChanged(
    @Root() payload: UserChangedPayload,
    @Arg('login', () => String, { nullable: true }) _login: string | null,
  ): UserChangeNode {
    return Object.assign(new UserChangeNode(), {
      type: payload.type,
      userId: payload.userId,
      login: payload.login,
      origin: payload.originKind,
      at: new Date(payload.at),
    });
  }
}
