import { GraphQLJSON } from 'graphql-scalars';
import { ArgsType, Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { PageInfo } from '../../graphql/relay.js';
import { phpToJs } from '../../lib/php-value.js';
import { maybeUnserialize } from '../../lib/wp-serialize.js';
import type { ActivityLoggedPayload } from '../../shared/pubsub.js';
import { SyncDirection } from '../sites/site.graphql.js';

export enum LogLevel {
  INFO = 'info',
  SUCCESS = 'success',
  WARNING = 'warning',
  ALERT = 'alert',
}
registerEnumType(LogLevel, { name: 'LogLevel', description: 'The plugin’s log types.' });

@ObjectType('ActivityLogEntry', {
  description:
    'One entry of the activity log: the plugin’s columns (timestamp, type, message, data) plus structured fields. Passwords, keys and tokens never appear in it.',
})
export class ActivityLogEntryNode {
  @Field(() => ID) id!: string;
  @Field(() => Date, { description: 'When it was logged (millisecond precision).' }) at!: Date;
  @Field(() => LogLevel) type!: LogLevel;
  @Field(() => String) message!: string;
  @Field(() => GraphQLJSON, { nullable: true, description: 'The plugin’s `data` column, decoded.' })
  data!: unknown;
  @Field(() => String, {
    nullable: true,
    description: 'A stable event name: token.issued, incoming.action, delivery.delivered…',
  })
  event!: string | null;
  @Field(() => ID, { nullable: true }) siteId!: string | null;
  @Field(() => String, { nullable: true, description: 'create, update, … or ping' }) action!: string | null;
  @Field(() => SyncDirection, { nullable: true }) direction!: SyncDirection | null;
  @Field(() => String, { nullable: true }) login!: string | null;
  @Field(() => String, { nullable: true, description: 'applied, refused, delivered, retry, dead…' })
  outcome!: string | null;
  @Field(() => String, {
    nullable: true,
    description: 'The precise cause of a refusal or failure (mac_mismatch, expired_token, http_500…).',
  })
  cause!: string | null;
  @Field(() => Int, { nullable: true }) latencyMs!: number | null;
  @Field(() => String, { nullable: true }) remoteIp!: string | null;

  static from(e: ActivityLoggedPayload): ActivityLogEntryNode {
    return Object.assign(new ActivityLogEntryNode(), {
      id: String(e.id),
      at: new Date(e.loggedAtMs),
      type: (Object.values(LogLevel) as string[]).includes(e.type) ? e.type : LogLevel.INFO,
      message: e.message,
      data: e.data === null ? null : phpToJs(maybeUnserialize(e.data)),
      event: e.event,
      siteId: e.siteId,
      action: e.action,
      direction: e.direction,
      login: e.login,
      outcome: e.outcome,
      cause: e.cause,
      latencyMs: e.latencyMs,
      remoteIp: e.remoteIp,
    });
  }
}

@ObjectType()
export class ActivityLogEdge {
  @Field(() => String) cursor!: string;
  @Field(() => ActivityLogEntryNode) node!: ActivityLogEntryNode;
}

@ObjectType()
export class ActivityLogConnection {
  @Field(() => [ActivityLogEdge]) edges!: ActivityLogEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
  @Field(() => Int) totalCount!: number;
}

@InputType({ description: 'Every given field must match (AND).' })
export class ActivityLogFilter {
  @Field(() => [LogLevel], { nullable: true }) types?: LogLevel[] | null;
  @Field(() => ID, { nullable: true }) siteId?: string | null;
  @Field(() => String, { nullable: true }) action?: string | null;
  @Field(() => SyncDirection, { nullable: true }) direction?: SyncDirection | null;
  @Field(() => String, { nullable: true }) login?: string | null;
  @Field(() => String, { nullable: true }) event?: string | null;
  @Field(() => String, { nullable: true }) cause?: string | null;
  @Field(() => Date, { nullable: true, description: 'Inclusive.' }) since?: Date | null;
  @Field(() => Date, { nullable: true, description: 'Exclusive.' }) until?: Date | null;
  @Field(() => String, { nullable: true, description: 'A substring of the message.' }) search?: string | null;
}

@ArgsType()
export class ActivityLogArgs {
  @Field(() => Int, { defaultValue: 50 }) first!: number;
  @Field(() => String, { nullable: true }) after?: string | null;
  @Field(() => ActivityLogFilter, { nullable: true }) filter?: ActivityLogFilter | null;
}

@ObjectType('ActivityLogSettings')
export class ActivityLogSettingsNode {
  @Field(() => Boolean, { description: 'Whether entries are stored (and streamed).' }) enabled!: boolean;
  @Field(() => Int, { description: 'The newest entries always kept (the plugin’s minimum number).' })
  minEntries!: number;
  @Field(() => Int, {
    nullable: true,
    description:
      'Older entries are removed after this many days; null removes every entry beyond minEntries, as the plugin does.',
  })
  maxAgeDays!: number | null;
}

@InputType()
export class UpdateActivityLogSettingsInput {
  @Field(() => Boolean, { nullable: true }) enabled?: boolean | null;
  @Field(() => Int, { nullable: true }) minEntries?: number | null;
  @Field(() => Int, { nullable: true, description: 'Give null explicitly for the plugin’s behaviour.' })
  maxAgeDays?: number | null;
}

@ObjectType()
export class ClearActivityLogPayload {
  @Field(() => Int, { description: 'Entries removed.' }) removed!: number;
}
