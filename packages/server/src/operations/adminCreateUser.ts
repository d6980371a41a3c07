import { operation, type Wire } from './types.js';
import { insertUser, newUserRecord } from '../auth/newUser.js';
import { v, common } from '../protocol/validate.js';
import { loadPool } from './shared.js';
import { assertRequiredAttributes, parseAttributes, deliveryTarget } from '../domain/users.js';
import { describeUser } from '../domain/describe.js';
import { assertPasswordPolicy, findUserForAdmin, passwordSecret } from '../auth/password.js';
import { randomString } from '../security/secrets.js';
import { UnsupportedUserStateException, CodeDeliveryFailureException, UserNotFoundException } from '../protocol/errors.js';
import type { UserRecord } from '../storage/store.js';
import { applyPreSignUp, runPreSignUp } from '../triggers/signUp.js';
import { NO_CLIENT } from '../triggers/events.js';
import { applyTemplate, customMessage, type MessageTemplate } from '../triggers/customMessage.js';
import type { CodeMessage } from '../domain/sender.js';
import type { Pool } from '../domain/pools.js';
import type { Services } from '../services.js';
import type { AdminCreateUserResponse } from '@aws-sdk/client-cognito-identity-provider';

/** A temporary password that satisfies any policy Cognito allows. */
function temporaryPassword(): string {
  const upper = randomString(4, 'ABCDEFGHJKLMNPQRSTUVWXYZ');
  const lower = randomString(4, 'abcdefghijkmnpqrstuvwxyz');
  return `${upper}${lower}${randomString(3, '23456789')}${randomString(1, '!#%+=?')}`;
}

/** AdminCreateUser: FORCE_CHANGE_PASSWORD with a temporary password; the invitation can be suppressed. */
export const AdminCreateUser = operation({
  auth: 'sigv4',
  input: {
    UserPoolId: common.userPoolId(),
    Username: common.username(),
    UserAttributes: common.attributes(),
    ValidationData: common.attributes(),
    TemporaryPassword: common.password(false),
    ForceAliasCreation: v.bool(),
    MessageAction: v.str({ enum: ['RESEND', 'SUPPRESS'] }),
    DesiredDeliveryMediums: v.list(v.str({ enum: ['SMS', 'EMAIL'] })),
    ClientMetadata: common.clientMetadata(),
  },
  async handle(s: Pick<Services, 'store' | 'clock' | 'sender' | 'log' | 'triggers'>, input): Promise<Wire<AdminCreateUserResponse>> {
    const pool = await loadPool(s, input.UserPoolId);
    const password = input.TemporaryPassword ?? temporaryPassword();
    if (input.TemporaryPassword !== undefined) assertPasswordPolicy(pool, input.TemporaryPassword);
    const now = s.clock.now();
    if (input.MessageAction === 'RESEND') {
      const existing = await findUserForAdmin(s, pool, input.Username);
      if (!existing) throw new UserNotFoundException('User does not exist.');
      if (existing.status !== 'FORCE_CHANGE_PASSWORD')
        throw new UnsupportedUserStateException('Resend not possible. User is not in FORCE_CHANGE_PASSWORD state.');
      const template = await inviteTemplate(s, pool, existing, input.ClientMetadata);
      await s.store.updateUser(pool.id, existing.id, passwordSecret(pool, existing, password, now), now);
      await invite(s, pool.id, existing, password, template);
      return { User: describeUser({ ...existing, updatedAt: now }) };
    }
    const attributes = parseAttributes(pool, input.UserAttributes, { admin: true, creating: true });
    const user = newUserRecord(pool, input.Username, attributes, 'FORCE_CHANGE_PASSWORD', password, now, { emailAttributeSuffices: true });
    assertRequiredAttributes(pool, attributes);
    applyPreSignUp(pool, user, await runPreSignUp(s, pool, 'PreSignUp_AdminCreateUser', NO_CLIENT, user, input), false);
    // The custom message trigger's text is asked for before the user is stored: its failure leaves nothing.
    const template = input.MessageAction !== 'SUPPRESS' ? await inviteTemplate(s, pool, user, input.ClientMetadata) : undefined;
    await insertUser(s, user, 'User account already exists');
    if (input.MessageAction !== 'SUPPRESS') await invite(s, pool.id, user, password, template);
    return { User: describeUser(user) };
  },
});

/** CustomMessage_AdminCreateUser's text for the invitation, when one will be sent. */
function inviteTemplate(s: Pick<Services, 'triggers'>, pool: Pool, user: UserRecord, clientMetadata: Record<string, string> | undefined) {
  const target = deliveryTarget(user);
  if (!target) return Promise.resolve(undefined);
  return customMessage(s, pool, user, target.destination, { source: 'CustomMessage_AdminCreateUser', clientId: NO_CLIENT, clientMetadata });
}

async function invite(s: Pick<Services, 'sender' | 'log'>, poolId: string, user: UserRecord, password: string, template?: MessageTemplate) {
  const target = deliveryTarget(user);
  if (!target) return;
  try {
    const message: CodeMessage = {
      poolId,
      purpose: 'invitation',
      userId: user.id,
      destination: target.destination,
      subject: 'Your temporary password',
      body: `Your username is ${user.username} and temporary password is ${password}`,
      code: password,
      kind: 'temporary-password',
    };
    await s.sender.send(applyTemplate(message, template, user.username));
  } catch (err) {
    s.log.error({ err, poolId }, 'invitation delivery failed');
    throw new CodeDeliveryFailureException('Unable to deliver the invitation.');
  }
}
