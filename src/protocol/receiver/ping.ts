import type { ActionKey } from '../actions.js';
import { encodePayload, type JsonObject } from '../envelope.js';
import { pingPayloadSchema } from './payload-schemas.js';
import type { PeerReply, ReceiverDeps, ReceiverSettings } from './types.js';

function reply(success: boolean, data: string): PeerReply {
  return { kind: 'json', body: encodePayload({ success, data }, { escapeUnicode: true }) };
}

/**
 * The receiving side of the plugin's "Test" button (§7): is `action` enabled in `direction` for the
 * site that sent the ping? Answers exactly the plugin's JSON messages.
 */
export async function handlePing(
  deps: ReceiverDeps,
  settings: ReceiverSettings,
  action: ActionKey,
  postData: JsonObject | null,
  remoteIp: string,
): Promise<PeerReply> {
  const base = { event: 'ping.received', action, remoteIp };
  if (!postData) {
    deps.log({
      ...base,
      type: 'info',
      message: 'Ping failed - Mismatch Encryption settings',
      outcome: 'refused',
      cause: 'invalid_payload',
    });
    return reply(
      false,
      'Mismatch Encryption settings - the test request was received but the data could not be decrypted.',
    );
  }
  const parsed = pingPayloadSchema.safeParse(postData);
  if (!parsed.success) {
    deps.log({
      ...base,
      type: 'info',
      message: 'Ping failed - Malformed data',
      outcome: 'refused',
      cause: 'invalid_payload',
    });
    return reply(
      false,
      'Malformed data - the test request was received but the data could not be extracted.',
    );
  }
  const { base_url: baseUrl, direction } = parsed.data;
  const site = await deps.findSite(baseUrl, action, direction, settings.strictSiteMatching);
  if (site) {
    deps.log({
      ...base,
      type: 'success',
      direction,
      siteId: site.id,
      message: `Ping received for activated action "${action}" from ${baseUrl} with remote IP ${remoteIp} (${direction})`,
      outcome: 'succeeded',
    });
    return reply(
      true,
      `Ping success for action "${action}" from ${deps.publicUrl} with remote IP ${remoteIp} (${direction})`,
    );
  }
  deps.log({
    ...base,
    type: 'warning',
    direction,
    message: `Ping received for deactivated action "${action}" from ${baseUrl} with remote IP ${remoteIp} (${direction})`,
    outcome: 'refused',
    cause: 'action_disabled',
  });
  return reply(
    false,
    `"${action}" action is not activated on ${deps.publicUrl} with remote IP ${remoteIp} (${direction}).`,
  );
}
