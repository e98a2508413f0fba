import { GraphQLJSON } from 'graphql-scalars';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { PageInfo } from '../../graphql/relay.js';
import type { WpUser } from './user.entity.js';

@ObjectType('UserMeta', {
  description: 'One row of usermeta. `value` is unserialized the way WordPress reads it.',
})
export class UserMetaEntry {
  @Field(() => ID, { description: 'umeta_id' })
  id!: string;

  @Field(() => String)
  key!: string;

  @Field(() => GraphQLJSON, { nullable: true, description: 'maybe_unserialize(meta_value) as JSON' })
  value!: unknown;

  @Field(() => String, { nullable: true, description: 'meta_value exactly as stored' })
  raw!: string | null;
}

@ObjectType('User', { description: 'A WordPress user (wp_users row). The password hash is never exposed.' })
export class UserNode {
  @Field(() => ID, { description: 'ID' })
  id!: string;

  @Field(() => String, { description: 'user_login' })
  login!: string;

  @Field(() => String, { description: 'user_nicename' })
  nicename!: string;

  @Field(() => String, { description: 'user_email' })
  email!: string;

  @Field(() => String, { description: 'user_url' })
  url!: string;

  @Field(() => Date, { description: 'user_registered (UTC)' })
  registered!: Date;

  @Field(() => Int, { description: 'user_status' })
  status!: number;

  @Field(() => String, { description: 'display_name' })
  displayName!: string;

  static from(user: WpUser): UserNode {
    return Object.assign(new UserNode(), {
      id: user.id,
      login: user.userLogin,
      nicename: user.userNicename,
      email: user.userEmail,
      url: user.userUrl,
      registered: user.userRegistered,
      status: user.userStatus,
      displayName: user.displayName,
    });
  }
}

@ObjectType()
export class UserEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => UserNode)
  node!: UserNode;
}

@ObjectType()
export class UserConnection {
  @Field(() => [UserEdge])
  edges!: UserEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => Int)
  totalCount!: number;
}
