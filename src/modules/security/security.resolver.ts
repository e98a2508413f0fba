import {
  Arg,
  Authorized,
  Ctx,
  Field,
  InputType,
  Int,
  Mutation,
  ObjectType,
  Query,
  Resolver,
} from 'type-graphql';
import type { GraphQLContext } from '../../graphql/context.js';
import type { BrowserSupport } from '../../protocol/browser-support.js';
import { SiteNode } from '../sites/site.graphql.js';
import { keysConfigured, maskKey, type SecuritySettings } from './security.settings.js';
import { importWprusOption } from './wprus-import.js';

@ObjectType('BrowserSupport', {
  description:
    'The plugin’s browser-support settings: how login and logout reach remote sites in browsers. Keep them the same on every site.',
})
export class BrowserSupportNode {
  @Field(() => Boolean, {
    description:
      '“Force Login Redirects & Logout Everywhere”: every browser uses the redirect chain, and a logout ends all the user’s sessions. Otherwise only Safari and iPhone/iPad browsers do.',
  })
  forceLoginLogoutStrict!: boolean;
  @Field(() => Boolean, {
    description:
      '“Force Disable Login Redirects & Logout Everywhere”: hidden iframes for every browser. Wins over force.',
  })
  forceDisableLoginLogoutStrict!: boolean;
  @Field(() => Boolean, {
    description: '“Use Silent Redirection”: redirect with HTTP 303 instead of a “Processing…” page.',
  })
  silentLoginLogoutStrict!: boolean;

  static from(b: BrowserSupport): BrowserSupportNode {
    return Object.assign(new BrowserSupportNode(), {
      forceLoginLogoutStrict: b.forceStrict,
      forceDisableLoginLogoutStrict: b.forceDisableStrict,
      silentLoginLogoutStrict: b.silentStrict,
    });
  }
}

@ObjectType('SecuritySettings', { description: 'The shared keys (masked) and the receiver’s access rules.' })
export class SecuritySettingsNode {
  @Field(() => String, { nullable: true, description: 'Masked: length and fingerprint only.' }) aesKey!:
    string | null;
  @Field(() => String, { nullable: true, description: 'Masked: length and fingerprint only.' }) hmacKey!:
    string | null;
  @Field(() => Boolean, { description: 'Both keys are set: the peer routes are active.' }) ready!: boolean;
  @Field(() => Int, { description: 'Token lifetime in seconds (the plugin’s Action Token Validity).' })
  tokenExpiry!: number;
  @Field(() => [String], {
    description: 'IPv4/IPv6 addresses and CIDR ranges allowed to POST actions. Empty: any.',
  })
  ipWhitelist!: string[];
  @Field(() => [String], {
    description: 'Proxies whose X-Forwarded-For is believed. Empty: the socket address is the client.',
  })
  trustedProxies!: string[];
  @Field(() => Boolean, { description: 'Match senders by exact URL instead of host + path prefix.' })
  strictSiteMatching!: boolean;
  @Field(() => BrowserSupportNode) browserSupport!: BrowserSupportNode;

  static from(s: SecuritySettings, browser: BrowserSupport): SecuritySettingsNode {
    return Object.assign(new SecuritySettingsNode(), {
      aesKey: maskKey(s.aesKey),
      hmacKey: maskKey(s.hmacKey),
      ready: keysConfigured(s),
      tokenExpiry: s.tokenExpiry,
      ipWhitelist: s.ipWhitelist,
      trustedProxies: s.trustedProxies,
      strictSiteMatching: s.strictSiteMatching,
      browserSupport: BrowserSupportNode.from(browser),
    });
  }
}

@InputType({ description: 'Only the given fields change.' })
export class UpdateSecuritySettingsInput {
  @Field(() => String, { nullable: true }) aesKey?: string | null;
  @Field(() => String, { nullable: true }) hmacKey?: string | null;
  @Field(() => Int, { nullable: true }) tokenExpiry?: number | null;
  @Field(() => [String], { nullable: true }) ipWhitelist?: string[] | null;
  @Field(() => [String], { nullable: true }) trustedProxies?: string[] | null;
  @Field(() => Boolean, { nullable: true }) strictSiteMatching?: boolean | null;
  @Field(() => Boolean, { nullable: true }) forceLoginLogoutStrict?: boolean | null;
  @Field(() => Boolean, { nullable: true }) forceDisableLoginLogoutStrict?: boolean | null;
  @Field(() => Boolean, { nullable: true }) silentLoginLogoutStrict?: boolean | null;
  @Field(() => Boolean, {
    nullable: true,
    description: 'Replace both keys with strong random ones, returned once in the payload.',
  })
  generateKeys?: boolean | null;
}

@ObjectType({
  description: 'Freshly generated keys: copy them into every WordPress site of the federation now.',
})
export class GeneratedKeys {
  @Field(() => String) aesKey!: string;
  @Field(() => String) hmacKey!: string;
}

@ObjectType()
export class UpdateSecuritySettingsPayload {
  @Field(() => SecuritySettingsNode) securitySettings!: SecuritySettingsNode;
  @Field(() => [String]) warnings!: string[];
  @Field(() => GeneratedKeys, {
    nullable: true,
    description: 'Only when generateKeys was set; never shown again.',
  })
  generatedKeys!: GeneratedKeys | null;
}

@InputType()
export class ImportWprusSettingsInput {
  @Field(() => String, {
    description: 'The plugin’s option as JSON, e.g. the output of `wp option get wprus --format=json`.',
  })
  json!: string;
}

@ObjectType()
export class ImportWprusSettingsPayload {
  @Field(() => SecuritySettingsNode) securitySettings!: SecuritySettingsNode;
  @Field(() => [SiteNode]) sites!: SiteNode[];
  @Field(() => Int) sitesCreated!: number;
  @Field(() => Int) sitesUpdated!: number;
  @Field(() => [String]) warnings!: string[];
}

@Authorized()
@Resolver()
export class SecurityResolver {
  @Mutation(() => ImportWprusSettingsPayload, {
    description:
      'Copies a WordPress site’s WP Remote Users Sync setup (keys, token lifetime, whitelist, sites), in one transaction.',
  })
  async importWprusSettings(
    @Arg('input', () => ImportWprusSettingsInput) input: ImportWprusSettingsInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ImportWprusSettingsPayload> {
    const result = await ctx.em.transactional((em) =>
      importWprusOption(
        em,
        { security: ctx.app.security, sites: ctx.app.sites, settings: ctx.app.settings },
        ctx.admin?.name ?? 'anonymous',
        input.json,
      ),
    );
    ctx.app.sites.invalidate();
    const em = ctx.em.fork();
    return {
      securitySettings: SecuritySettingsNode.from(
        await ctx.app.security.get(em),
        await ctx.app.security.browserSupport(em),
      ),
      sites: (await ctx.app.sites.list(em)).map((site) => SiteNode.from(site)),
      ...result,
    };
  }

  @Query(() => SecuritySettingsNode)
  async securitySettings(@Ctx() ctx: GraphQLContext): Promise<SecuritySettingsNode> {
    return SecuritySettingsNode.from(
      await ctx.app.security.get(ctx.em),
      await ctx.app.security.browserSupport(ctx.em),
    );
  }

  @Mutation(() => UpdateSecuritySettingsPayload)
  async updateSecuritySettings(
    @Arg('input', () => UpdateSecuritySettingsInput) input: UpdateSecuritySettingsInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<UpdateSecuritySettingsPayload> {
    const { settings, warnings, generated } = await ctx.app.security.update(
      ctx.em,
      ctx.admin?.name ?? 'anonymous',
      input,
    );
    return {
      securitySettings: SecuritySettingsNode.from(settings, await ctx.app.security.browserSupport(ctx.em)),
      warnings,
      generatedKeys: generated,
    };
  }
}
