import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { PageInfo } from '../../graphql/relay.js';
import type { DeliveryAttempt } from '../../protocol/outbox/delivery-attempt.entity.js';
import type { Delivery } from '../../protocol/outbox/delivery.entity.js';

export enum DeliveryStatus {
  PENDING = 'pending',
  DELIVERED = 'delivered',
  DEAD = 'dead',
}
registerEnumType(DeliveryStatus, {
  name: 'DeliveryStatus',
  description: 'PENDING (queued or retrying), DELIVERED, or DEAD (gave up).',
});

@ObjectType('DeliveryAttempt')
export class DeliveryAttemptNode {
  @Field(() => Date) attemptedAt!: Date;
  @Field(() => Int, { nullable: true, description: 'HTTP status, null for a transport error.' }) httpStatus!:
    number | null;
  @Field(() => Int) latencyMs!: number;
  @Field(() => String, { description: 'delivered, retry or dead' }) outcome!: string;
  @Field(() => String, { nullable: true }) error!: string | null;

  static from(a: DeliveryAttempt): DeliveryAttemptNode {
    return Object.assign(new DeliveryAttemptNode(), {
      attemptedAt: a.attemptedAt,
      httpStatus: a.httpStatus,
      latencyMs: a.latencyMs,
      outcome: a.outcome,
      error: a.error,
    });
  }
}

@ObjectType('Delivery', {
  description: 'One outgoing action to one remote site. The payload itself is encrypted and never shown.',
})
export class DeliveryNode {
  @Field(() => ID) id!: string;
  @Field(() => ID) siteId!: string;
  @Field(() => String) siteUrl!: string;
  @Field(() => String, { description: 'create, update, delete, password or meta' }) action!: string;
  @Field(() => String) login!: string;
  @Field(() => DeliveryStatus) status!: DeliveryStatus;
  @Field(() => Int) attempts!: number;
  @Field(() => Date) nextAttemptAt!: Date;
  @Field(() => Int, { nullable: true }) lastHttpStatus!: number | null;
  @Field(() => String, { nullable: true }) lastError!: string | null;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date, { nullable: true }) deliveredAt!: Date | null;

  static from(d: Delivery): DeliveryNode {
    return Object.assign(new DeliveryNode(), {
      id: d.id,
      siteId: d.siteId,
      siteUrl: d.siteUrl,
      action: d.action,
      login: d.login,
      status: d.status as DeliveryStatus,
      attempts: d.attempts,
      nextAttemptAt: d.nextAttemptAt,
      lastHttpStatus: d.lastHttpStatus,
      lastError: d.lastError,
      createdAt: d.createdAt,
      deliveredAt: d.deliveredAt,
    });
  }
}

@ObjectType()
export class DeliveryEdge {
  @Field(() => String) cursor!: string;
  @Field(() => DeliveryNode) node!: DeliveryNode;
}

@ObjectType()
export class DeliveryConnection {
  @Field(() => [DeliveryEdge]) edges!: DeliveryEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
  @Field(() => Int) totalCount!: number;
}

@InputType()
export class DeliveryFilter {
  @Field(() => DeliveryStatus, { nullable: true }) status?: DeliveryStatus | null;
  @Field(() => ID, { nullable: true }) siteId?: string | null;
  @Field(() => String, { nullable: true }) login?: string | null;
}

@InputType()
export class RetryDeliveryInput {
  @Field(() => ID) id!: string;
}

@InputType()
export class RetryDeadDeliveriesInput {
  @Field(() => ID, { nullable: true, description: 'Only this site; all sites when omitted.' }) siteId?:
    string | null;
}

@InputType()
export class ResyncUserInput {
  @Field(() => String) login!: string;
  @Field(() => [ID], {
    nullable: true,
    description: 'Only these sites; every site with outgoing Update when omitted.',
  })
  siteIds?: string[] | null;
}

@InputType()
export class ResyncAllUsersInput {
  @Field(() => ID) siteId!: string;
}

@ObjectType()
export class DeliveryPayload {
  @Field(() => DeliveryNode) delivery!: DeliveryNode;
}

@ObjectType()
export class QueuedPayload {
  @Field(() => Int, { description: 'Deliveries queued (or re-queued).' }) queued!: number;
}

@ObjectType('DeliveryUpdate', { description: 'A delivery’s state after an attempt or a retry request.' })
export class DeliveryUpdateNode {
  @Field(() => ID) id!: string;
  @Field(() => ID) siteId!: string;
  @Field(() => String) siteUrl!: string;
  @Field(() => String) action!: string;
  @Field(() => String) login!: string;
  @Field(() => DeliveryStatus) status!: DeliveryStatus;
  @Field(() => Int) attempts!: number;
  @Field(() => Int, { nullable: true }) lastHttpStatus!: number | null;
  @Field(() => String, { nullable: true }) lastError!: string | null;
  @Field(() => Date) at!: Date;
}
