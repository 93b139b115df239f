import * as assert from 'assert';
import { hasSecrets, redactSecrets } from '../../../../src/core/prompts/redaction';

// Secrets are assembled from parts so that this file itself does not look like a leaked key.
const j = (...parts: string[]): string => parts.join('');

/** [description, text containing the secret, the secret itself (must be gone), rule id]. */
const SECRETS: ReadonlyArray<[string, string, string, string]> = [
  ['AWS access key id', `use ${j('AKIA', 'IOSFODNN7', 'EXAMPLE')} for s3`, j('AKIA', 'IOSFODNN7', 'EXAMPLE'), 'aws-access-key'],
  ['GitHub classic token', `token ${j('ghp_', 'a'.repeat(20), 'B1'.repeat(8))} please`, j('ghp_', 'a'.repeat(20), 'B1'.repeat(8)), 'github-token'],
  ['GitHub fine-grained token', j('github_pat_', '11ABCDEFG0', 'x'.repeat(60)), j('github_pat_', '11ABCDEFG0', 'x'.repeat(60)), 'github-token'],
  ['GitLab token', `glpat-${'Ab3_'.repeat(6)}`, `glpat-${'Ab3_'.repeat(6)}`, 'gitlab-token'],
  ['Slack bot token', `xoxb-${'1234567890'}-abcdefABCDEF`, `xoxb-${'1234567890'}-abcdefABCDEF`, 'slack-token'],
  ['Stripe live key', j('sk_', 'live_', '4eC39HqLyjWDarjtT1zdp7dc'), j('sk_', 'live_', '4eC39HqLyjWDarjtT1zdp7dc'), 'stripe-key'],
  ['Google API key', j('AIza', 'SyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY'), j('AIza', 'SyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY'), 'google-api-key'],
  ['OpenAI key', j('sk-', 'proj-', 'abcDEF123ghiJKL456mnoPQR'), j('sk-', 'proj-', 'abcDEF123ghiJKL456mnoPQR'), 'api-key'],
  ['Anthropic key', j('sk-', 'ant-', 'api03-', 'Zx9'.repeat(10)), j('sk-', 'ant-', 'api03-', 'Zx9'.repeat(10)), 'api-key'],
  ['npm token', j('npm_', 'A1b2C3d4'.repeat(4), 'E5f6'), j('npm_', 'A1b2C3d4'.repeat(4), 'E5f6'), 'npm-token'],
  ['JWT', j('eyJhbGciOiJIUzI1NiJ9', '.', 'eyJzdWIiOiIxMjM0NTY3ODkwIn0', '.', 'dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U'), j('eyJhbGciOiJIUzI1NiJ9', '.', 'eyJzdWIiOiIxMjM0NTY3ODkwIn0'), 'jwt'],
  ['PEM private key', `here:\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA1234\nabcd\n-----END RSA PRIVATE KEY-----\nthanks`, 'MIIEowIBAAKCAQEA1234', 'private-key'],
  ['unterminated private key', `-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n`, 'b3BlbnNzaC1rZXktdjEAAAAA', 'private-key'],
  ['postgres URL with password', 'connect to postgres://app:s3cr3tPw@db.internal:5432/app', 's3cr3tPw', 'connection-string'],
  ['mongodb+srv URL', 'mongodb+srv://admin:Pa55word!@cluster0.example.net/test', 'Pa55word!', 'connection-string'],
  ['ADO.NET connection string', 'Server=tcp:db;User Id=sa;Password=Str0ng!Pass;Encrypt=true', 'Str0ng!Pass', 'secret-assignment'],
  ['Azure storage key', 'DefaultEndpointsProtocol=https;AccountName=x;AccountKey=' + 'Ab12Cd34'.repeat(8) + '==;', 'Ab12Cd34'.repeat(8), 'high-entropy'],
  ['Bearer header', 'curl -H "Authorization: Bearer abcdef0123456789abcdef"', 'abcdef0123456789abcdef', 'authorization'],
  ['quoted password assignment', 'const password = "hunter2!x";', 'hunter2!x', 'secret-assignment'],
  ['JSON api key', '{"apiKey": "live-7f3a9c"}', 'live-7f3a9c', 'secret-assignment'],
  ['env file token', 'GITHUB_TOKEN=abc123def456', 'abc123def456', 'secret-assignment'],
  ['YAML client secret', 'client_secret: zz9-plural-z-alpha', 'zz9-plural-z-alpha', 'secret-assignment'],
  ['password in prose', 'my password is correcthorse, use it for the test user', 'correcthorse', 'password'],
  ['generic high-entropy token', 'the key is Q2hlY2tUaGlzT3V0MTIzNDU2Nzg5MGFiY2RlZmdoaWprbG1u ok', 'Q2hlY2tUaGlzT3V0MTIzNDU2Nzg5MGFiY2RlZmdoaWprbG1u', 'high-entropy'],
];

/** Ordinary code and prose that must come back unchanged (a false redaction hurts readability). */
const ORDINARY: readonly string[] = [
  'write a function that retries the request three times',
  'const token = getToken();',
  'interface User { password: string; token?: string | null }',
  'if (cfg.password === undefined) throw new Error("no password")',
  'def login(username: str, password: str) -> bool:',
  'password = request.form.get("password")',
  'git show 9fceb02d0ae598e95dc970b74767f19372d61af8',
  'sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  'https://example.com/docs/getting-started?page=2',
  'postgres://localhost:5432/app',
  'Author: Jane Doe <jane@example.com>',
  'the access token expires after an hour; refresh it with the refresh token',
  'const apiKey = process.env.API_KEY;',
];

describe('prompt redaction', () => {
  for (const [what, text, secret, rule] of SECRETS) {
    it(`redacts ${what}`, () => {
      const r = redactSecrets(text);
      assert.ok(!r.text.includes(secret), `still there: ${r.text}`);
      assert.ok(r.text.includes(`[REDACTED:${rule}]`), `${rule} expected in ${r.text}`);
      assert.ok(r.total >= 1);
      assert.ok(hasSecrets(text));
      assert.ok(!hasSecrets(r.text), `redacting twice changes ${r.text}`);
      assert.strictEqual(redactSecrets(r.text).text, r.text);
    });
  }

  it('keeps names, hosts and the rest of the sentence readable', () => {
    assert.strictEqual(redactSecrets('connect to postgres://app:s3cr3tPw@db.internal:5432/app now').text, 'connect to postgres://app:[REDACTED:connection-string]@db.internal:5432/app now');
    assert.strictEqual(redactSecrets('const password = "hunter2!x";').text, 'const password = "[REDACTED:secret-assignment]";');
    assert.strictEqual(redactSecrets('GITHUB_TOKEN=abc123def456\nNODE_ENV=production').text, 'GITHUB_TOKEN=[REDACTED:secret-assignment]\nNODE_ENV=production');
  });

  for (const text of ORDINARY) {
    it(`leaves ordinary text alone: ${text}`, () => {
      const r = redactSecrets(text);
      assert.strictEqual(r.text, text);
      assert.strictEqual(r.total, 0);
    });
  }
});
