import { GraphQLJSON } from 'graphql-scalars';
import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { UserNode } from './user.type.js';

@InputType({
  description: 'One meta entry; `value` is stored with maybe_serialize (arrays and objects serialized).',
})
export class MetaEntryInputGql {
  @Field(() => String)
  key!: string;

  @Field(() => GraphQLJSON)
  value!: unknown;
}

@InputType()
export class CreateUserInput {
  @Field(() => String, {
    description: 'user_login: at most 60 characters of letters, digits, space, _ . - @',
  })
  login!: string;

  @Field(() => String)
  email!: string;

  @Field(() => String, {
    nullable: true,
    description: 'Plain text; stored as a hash. Empty: the user cannot sign in until one is set.',
  })
  password?: string | null;

  @Field(() => String, { nullable: true }) url?: string | null;
  @Field(() => String, { nullable: true }) displayName?: string | null;
  @Field(() => String, { nullable: true }) nicename?: string | null;
  @Field(() => String, { nullable: true }) nickname?: string | null;
  @Field(() => String, { nullable: true }) firstName?: string | null;
  @Field(() => String, { nullable: true }) lastName?: string | null;
  @Field(() => String, { nullable: true }) description?: string | null;
  @Field(() => String, { nullable: true }) locale?: string | null;

  @Field(() => [String], { nullable: true, description: 'Defaults to [subscriber], as WordPress does.' })
  roles?: string[] | null;

  @Field(() => [MetaEntryInputGql], { nullable: true })
  meta?: MetaEntryInputGql[] | null;
}

@InputType()
export class UpdateUserInput {
  @Field(() => ID, { nullable: true }) id?: string | null;
  @Field(() => String, {
    nullable: true,
    description: 'Identifies the user; logins cannot change (as in WordPress).',
  })
  login?: string | null;
  @Field(() => String, { nullable: true }) email?: string | null;
  @Field(() => String, { nullable: true }) password?: string | null;
  @Field(() => String, { nullable: true }) url?: string | null;
  @Field(() => String, { nullable: true }) displayName?: string | null;
  @Field(() => String, { nullable: true }) nicename?: string | null;
  @Field(() => String, { nullable: true }) nickname?: string | null;
  @Field(() => String, { nullable: true }) firstName?: string | null;
  @Field(() => String, { nullable: true }) lastName?: string | null;
  @Field(() => String, { nullable: true }) description?: string | null;
  @Field(() => String, { nullable: true }) locale?: string | null;
}

@InputType()
export class DeleteUserInput {
  @Field(() => ID, { nullable: true }) id?: string | null;
  @Field(() => String, { nullable: true }) login?: string | null;
  @Field(() => String, {
    nullable: true,
    description: 'Login of the user who receives the deleted user’s content.',
  })
  reassignTo?: string | null;
}

@InputType()
export class SetUserPasswordInput {
  @Field(() => ID, { nullable: true }) id?: string | null;
  @Field(() => String, { nullable: true }) login?: string | null;
  @Field(() => String) password!: string;
}

@InputType()
export class SetUserRolesInput {
  @Field(() => ID, { nullable: true }) id?: string | null;
  @Field(() => String, { nullable: true }) login?: string | null;
  @Field(() => [String], { description: 'The complete list of roles; empty removes every role.' })
  roles!: string[];
}

export enum MetaWriteMode {
  UPDATE = 'update',
  ADD = 'add',
}
registerEnumType(MetaWriteMode, {
  name: 'MetaWriteMode',
  description:
    'UPDATE replaces the values of the key (update_user_meta); ADD adds one more row (add_user_meta).',
});

@InputType()
export class SetUserMetaInput {
  @Field(() => ID, { nullable: true }) id?: string | null;
  @Field(() => String, { nullable: true }) login?: string | null;
  @Field(() => String) key!: string;
  @Field(() => GraphQLJSON) value!: unknown;
  @Field(() => MetaWriteMode, { defaultValue: MetaWriteMode.UPDATE }) mode!: MetaWriteMode;
  @Field(() => GraphQLJSON, {
    nullable: true,
    description: 'UPDATE only: change only the rows holding this value.',
  })
  prevValue?: unknown;
  @Field(() => Boolean, {
    defaultValue: false,
    description: 'ADD only: refuse when the key already has a value.',
  })
  unique!: boolean;
}

@InputType()
export class DeleteUserMetaInput {
  @Field(() => ID, { nullable: true }) id?: string | null;
  @Field(() => String, { nullable: true }) login?: string | null;
  @Field(() => String) key!: string;
  @Field(() => GraphQLJSON, { nullable: true, description: 'Delete only the rows holding this value.' })
  value?: unknown;
}

@ObjectType()
export class UserPayload {
  @Field(() => UserNode) user!: UserNode;
}

@ObjectType()
export class DeleteUserPayload {
  @Field(() => ID) deletedUserId!: string;
  @Field(() => String) login!: string;
  @Field(() => UserNode, { nullable: true }) reassignedTo!: UserNode | null;
}

@ObjectType()
export class DeleteUserMetaPayload {
  @Field(() => UserNode) user!: UserNode;
  @Field(() => Number) deletedCount!: number;
}
