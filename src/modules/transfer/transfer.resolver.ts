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
  Subscription,
  type SubscribeResolverData,
} from 'type-graphql';
import type { GraphQLContext } from '../../graphql/context.js';
import { encodeCursor, pageStart } from '../../graphql/relay.js';
import { AppError } from '../../shared/app-error.js';
import type { TransferProgressPayload } from '../../shared/pubsub.js';
import { metaKey, roleSlug } from '../users/user.inputs.js';
import {
  ExportUsersInput,
  ExportUsersPayload,
  ImportUsersInput,
  TransferDownloadLink,
  TransferJobConnection,
  TransferJobNode,
  TransferJobPayload,
  TransferKindEnum,
  TransferLineErrorNode,
  TransferLineErrorPage,
  TransferProgressNode,
} from './transfer.graphql.js';
import { progressOf } from './transfer-progress.js';

@ArgsType()
class TransferJobsArgs {
  @Field(() => Int, { defaultValue: 20 }) first!: number;
  @Field(() => String, { nullable: true }) after?: string | null;
  @Field(() => TransferKindEnum, { nullable: true }) kind?: TransferKindEnum | null;
}

function actor(ctx: GraphQLContext): string {
  return ctx.admin?.name ?? 'anonymous';
}

function check(ok: boolean, message: string, field: string): void {
  if (!ok) throw AppError.badInput(message, field);
}

/** Checks an export request at the edge, with the field that is wrong. */
function exportOptions(input: ExportUsersInput) {
  const roles = input.roles ?? [];
  for (const role of roles)
    check(roleSlug.safeParse(role).success, `roles: "${role}" is not a role slug`, 'roles');
  const metaKeys = input.metaKeys ?? [];
  for (const key of metaKeys)
    check(metaKey.safeParse(key).success, 'metaKeys: a meta key has 1 to 255 characters', 'metaKeys');
  const logins = (input.logins ?? []).map((l) => l.trim()).filter((l) => l !== '');
  check(
    roles.length <= 100 && metaKeys.length <= 1000 && logins.length <= 10_000,
    'too many values in a list',
    'logins',
  );
  check(Number.isInteger(input.offset) && input.offset >= 0, 'offset must be 0 or more', 'offset');
  check(Number.isInteger(input.max) && input.max >= 0, 'max must be 0 (no limit) or more', 'max');
  return {
    roles,
    keepRoles: input.keepRoles,
    metaKeys,
    logins,
    offset: input.offset,
    max: input.max,
    includePasswordHashes: input.includePasswordHashes,
  };
}

@Authorized()
@Resolver(() => TransferJobNode)
export class TransferResolver {
  @Query(() => TransferJobNode, { description: 'One import or export job.' })
  async transferJob(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<TransferJobNode> {
    return TransferJobNode.from(await ctx.app.transfers.get(id));
  }

  @Query(() => TransferJobConnection, { description: 'Import and export jobs, newest first.' })
  async transferJobs(
    @Args(() => TransferJobsArgs) args: TransferJobsArgs,
    @Ctx() ctx: GraphQLContext,
  ): Promise<TransferJobConnection> {
    const beforeId = pageStart('transfer', args.first, args.after);
    const page = await ctx.app.transfers.list({ kind: args.kind ?? null, first: args.first, beforeId });
    const edges = page.jobs.map((job) => ({
      cursor: encodeCursor('transfer', job.id),
      node: TransferJobNode.from(job),
    }));
    return {
      edges,
      totalCount: page.totalCount,
      pageInfo: {
        hasNextPage: page.hasNextPage,
        hasPreviousPage: beforeId !== null,
        startCursor: edges[0]?.cursor ?? null,
        endCursor: edges.at(-1)?.cursor ?? null,
      },
    };
  }

  @FieldResolver(() => TransferLineErrorPage, { description: 'Lines not imported, in line order.' })
  async errors(
    @Root() job: TransferJobNode,
    @Arg('first', () => Int, { defaultValue: 100 }) first: number,
    @Arg('afterLine', () => Int, { defaultValue: 0 }) afterLine: number,
    @Ctx() ctx: GraphQLContext,
  ): Promise<TransferLineErrorPage> {
    if (first < 0 || first > 1000) throw AppError.badInput('first must be between 0 and 1000', 'first');
    const page = await ctx.app.transfers.errors(job.id, first, afterLine);
    return {
      nodes: page.errors.map((e) => TransferLineErrorNode.from(e)),
      hasNextPage: page.hasNextPage,
      lastLine: page.errors.at(-1)?.line ?? null,
    };
  }

  @Mutation(() => ExportUsersPayload, {
    description: 'Starts an export in the plugin’s file format; download it once with `downloadUrl`.',
  })
  async exportUsers(
    @Arg('input', () => ExportUsersInput) input: ExportUsersInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ExportUsersPayload> {
    const { job, ...link } = await ctx.app.transfers.startExport(actor(ctx), exportOptions(input));
    return { job: TransferJobNode.from(job), ...link };
  }

  @Mutation(() => TransferJobPayload, {
    description: 'Imports a file uploaded with `POST /transfers/uploads` (the plugin’s format).',
  })
  async importUsers(
    @Arg('input', () => ImportUsersInput) input: ImportUsersInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<TransferJobPayload> {
    if (!Number.isInteger(input.batchSize) || input.batchSize < 1 || input.batchSize > 10_000)
      throw AppError.badInput('batchSize must be between 1 and 10000', 'batchSize');
    const job = await ctx.app.transfers.startImport(actor(ctx), {
      upload: input.upload.trim(),
      mode: input.mode,
      generatePasswords: input.generatePasswords,
      syncToSites: input.syncToSites,
      batchSize: input.batchSize,
    });
    return { job: TransferJobNode.from(job) };
  }

  @Mutation(() => TransferJobPayload, {
    description: 'Stops a job after its current batch (what was committed stays).',
  })
  async cancelTransferJob(
    @Arg('id', () => ID) id: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<TransferJobPayload> {
    return { job: TransferJobNode.from(await ctx.app.transfers.cancel(id, actor(ctx))) };
  }

  @Mutation(() => TransferDownloadLink, {
    description: 'A new single-use download link for an export (the previous link stops working).',
  })
  async createTransferDownloadLink(
    @Arg('id', () => ID) id: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<TransferDownloadLink> {
    return ctx.app.transfers.exchange.issueDownloadLink(id);
  }

  @Subscription(() => TransferProgressNode, {
    subscribe: ({ args, context }: SubscribeResolverData<unknown, { jobId: string }, GraphQLContext>) =>
      progressOf(context, args.jobId),
    description:
      'The job’s counters and rate: its current state first, then each step; ends once the job has ended.',
  })
  transferProgress(
    @Root() payload: TransferProgressPayload,
    @Arg('jobId', () => ID) _jobId: string,
  ): TransferProgressNode {
    return TransferProgressNode.from(payload);
  }
}
