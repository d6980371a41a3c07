import type { Selectable } from 'kysely';
import type { MfaMethod, MfaPreferencePatch, TotpUse, UserMfaRecord } from '../types.js';
import type { UserMfaTable } from './schema.js';
import { CeremoniesStore } from './ceremonies.js';
import type { Db } from './base.js';

const n = (v: unknown): number => (typeof v === 'number' ? v : Number(v));

const toMfa = (r: Selectable<UserMfaTable>): UserMfaRecord => ({
  poolId: r.pool_id,
  userId: r.user_id,
  totpSecretEnc: r.totp_secret_enc,
  totpPendingEnc: r.totp_pending_enc,
  totpLastStep: n(r.totp_last_step),
  totpName: r.totp_name,
  totpEnabled: n(r.totp_enabled) === 1,
  smsEnabled: n(r.sms_enabled) === 1,
  emailEnabled: n(r.email_enabled) === 1,
  webAuthnEnabled: n(r.webauthn_enabled) === 1,
  preferred: r.preferred as MfaMethod | null,
  updatedAt: n(r.updated_at),
});

const emptyRow = (poolId: string, userId: string, now: number): UserMfaTable => ({
  pool_id: poolId,
  user_id: userId,
  totp_secret_enc: null,
  totp_pending_enc: null,
  totp_last_step: 0,
  totp_name: null,
  totp_enabled: 0,
  sms_enabled: 0,
  email_enabled: 0,
  webauthn_enabled: 0,
  preferred: null,
  updated_at: now,
});

/** The guarded step update behind useTotpStep and finishSignIn's totpUse. */
export async function recordTotpStep(db: Db, use: TotpUse, now: number): Promise<boolean> {
  const r = await db
    .updateTable('user_mfa')
    .set({ totp_last_step: use.step, updated_at: now })
    .where('pool_id', '=', use.poolId)
    .where('user_id', '=', use.userId)
    .where('totp_secret_enc', '=', use.secretEnc)
    .where('totp_last_step', '<', use.step)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Users' MFA state (table user_mfa). */
export class MfaStore extends CeremoniesStore {
  async getUserMfa(poolId: string, userId: string): Promise<UserMfaRecord | undefined> {
    const r = await this.db
      .selectFrom('user_mfa')
      .selectAll()
      .where('pool_id', '=', poolId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return r && toMfa(r);
  }
  async putPendingTotp(poolId: string, userId: string, secretEnc: string, now: number): Promise<void> {
    await this.db
      .insertInto('user_mfa')
      .values({ ...emptyRow(poolId, userId, now), totp_pending_enc: secretEnc })
      .onConflict((oc) => oc.columns(['pool_id', 'user_id']).doUpdateSet({ totp_pending_enc: secretEnc, updated_at: now }))
      .execute();
  }
  async activateTotp(
    poolId: string,
    userId: string,
    pendingEnc: string,
    step: number,
    name: string | null,
    now: number,
    enable: boolean,
  ): Promise<boolean> {
    const r = await this.db
      .updateTable('user_mfa')
      .set({
        totp_secret_enc: pendingEnc,
        totp_pending_enc: null,
        totp_last_step: step,
        totp_name: name,
        updated_at: now,
        ...(enable ? { totp_enabled: 1, preferred: 'SOFTWARE_TOKEN_MFA' } : {}),
      })
      .where('pool_id', '=', poolId)
      .where('user_id', '=', userId)
      .where('totp_pending_enc', '=', pendingEnc)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }
  async useTotpStep(use: TotpUse, now: number): Promise<boolean> {
    return recordTotpStep(this.db, use, now);
  }
  async setMfaPreference(poolId: string, userId: string, patch: MfaPreferencePatch, now: number, requireTotp: boolean): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const set = {
        ...(patch.totpEnabled !== undefined ? { totp_enabled: patch.totpEnabled ? 1 : 0 } : {}),
        ...(patch.smsEnabled !== undefined ? { sms_enabled: patch.smsEnabled ? 1 : 0 } : {}),
        ...(patch.emailEnabled !== undefined ? { email_enabled: patch.emailEnabled ? 1 : 0 } : {}),
        ...(patch.webAuthnEnabled !== undefined ? { webauthn_enabled: patch.webAuthnEnabled ? 1 : 0 } : {}),
        ...(patch.preferred !== undefined ? { preferred: patch.preferred } : {}),
        updated_at: now,
      };
      if (requireTotp) {
        const r = await trx
          .updateTable('user_mfa')
          .set(set)
          .where('pool_id', '=', poolId)
          .where('user_id', '=', userId)
          .where('totp_secret_enc', 'is not', null)
          .executeTakeFirst();
        if (Number(r.numUpdatedRows) === 0) return false;
      } else {
        await trx
          .insertInto('user_mfa')
          .values({ ...emptyRow(poolId, userId, now), ...set })
          .onConflict((oc) => oc.columns(['pool_id', 'user_id']).doUpdateSet(set))
          .execute();
      }
      await clearDisabledPreference(trx, poolId, userId);
      return true;
    });
  }
}

/** A preferred method that is not enabled is no preference (Cognito never reports one). */
async function clearDisabledPreference(db: Db, poolId: string, userId: string): Promise<void> {
  for (const [method, col] of [
    ['SOFTWARE_TOKEN_MFA', 'totp_enabled'],
    ['SMS_MFA', 'sms_enabled'],
    ['EMAIL_OTP', 'email_enabled'],
  ] as const) {
    await db
      .updateTable('user_mfa')
      .set({ preferred: null })
      .where('pool_id', '=', poolId)
      .where('user_id', '=', userId)
      .where('preferred', '=', method)
      .where(col, '=', 0)
      .execute();
  }
}
