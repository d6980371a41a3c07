import { it, vi } from 'vitest';
vi.mock('../src/config/load.js', async (importOriginal) => {
  const m = await importOriginal<typeof import('../src/config/load.js')>();
  return { ...m, loadConfig: (...args: Parameters<typeof m.loadConfig>) => ({ ...m.loadConfig(...args) }) };
});
import { startTestServer } from './helpers/harness.js';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
it('probe', async () => {
  const srv = await startTestServer('sqlite');
  const show = async (label: string, res: Response) => console.log(label, res.status, JSON.stringify([...res.headers]), (await res.text()).slice(0, 300));
  try {
    await show('1MiB', await fetch(srv.endpoint + '/', { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSCognitoIdentityProviderService.ListUserPools' }, body: JSON.stringify({ MaxResults: 1, Pad: 'x'.repeat(1024 * 1024) }) }));
  } catch (e) { console.log('1MiB threw', e); }
  await show('no ct', await fetch(srv.endpoint + '/', { method: 'POST', headers: { 'x-amz-target': 'AWSCognitoIdentityProviderService.ListUserPools' }, body: '{}' }));
  await show('options', await fetch(srv.endpoint + '/some/path', { method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-amz-target' } }));
  await show('options no rh', await fetch(srv.endpoint + '/', { method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' } }));
  await show('get unknown', await fetch(srv.endpoint + '/nope'));
  await show('put', await fetch(srv.endpoint + '/', { method: 'PUT', body: '{}' }));
  const deep = '{"a":'.repeat(40000) + '1' + '}'.repeat(40000);
  const url = new URL(srv.endpoint);
  const sign = async (target: string, body: string) => {
    const signer = new SignatureV4({ service: 'cognito-idp', region: 'us-east-1', credentials: srv.adminCredentials, sha256: Sha256 });
    const s = await signer.sign({ method: 'POST', protocol: 'http:', hostname: url.hostname, port: +url.port, path: '/', query: {}, headers: { host: url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AWSCognitoIdentityProviderService.${target}` }, body });
    const { host, ...h } = s.headers;
    return fetch(srv.endpoint + '/', { method: 'POST', headers: h, body });
  };
  await show('deep top', await sign('ListUserPools', deep));
  await show('deep doc', await sign('CreateUserPool', '{"PoolName":"x","LambdaConfig":' + deep + '}'));
  const deepArr = '['.repeat(100000) + ']'.repeat(100000);
  await show('deep arr doc', await sign('CreateUserPool', '{"PoolName":"x","LambdaConfig":' + deepArr + '}'));
  await show('array', await sign('ListUserPools', '[]'));
  await show('null', await sign('ListUserPools', 'null'));
  await show('bom', await sign('ListUserPools', '\ufeff{"MaxResults":1}'));
  await show('dup keys', await sign('ListUserPools', '{"MaxResults":1,"MaxResults":"x"}'));
  await show('proto', await sign('CreateUserPool', '{"PoolName":"p","__proto__":{"DeletionProtection":"ACTIVE"}}'));
  await show('float', await sign('ListUserPools', '{"MaxResults":1.5}'));
  await show('huge int', await sign('ListUserPools', '{"MaxResults":1e400}'));
  console.log(srv.log.lines.filter((l) => l.level === 'error').map((l) => JSON.stringify(l.obj).slice(0, 300)));
  await srv.stop();
});
