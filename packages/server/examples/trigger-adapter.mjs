// Runs an existing Cognito Lambda trigger handler behind Latchkey's signed HTTP call (docs/triggers/README.md).
//   LATCHKEY_WEBHOOK_SECRET=whsec_… PORT=8787 node trigger-adapter.mjs
// then set e.g. LambdaConfig.PreSignUp = http://127.0.0.1:8787/ (https:// in production, behind your TLS proxy).
import { createServer } from 'node:http';
import { lambdaHttpAdapter } from '@latchkey/server';
import { handler } from './trigger-handler.mjs';

const secret = process.env.LATCHKEY_WEBHOOK_SECRET; // LatchkeyDescribeUserPoolSettings → Settings.webhookSecret
if (!secret) throw new Error('set LATCHKEY_WEBHOOK_SECRET to the pool webhook secret');
createServer(lambdaHttpAdapter(handler, { secret })).listen(Number(process.env.PORT ?? 8787), '127.0.0.1');
