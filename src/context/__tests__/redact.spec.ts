import { redactSecrets } from '../redact';
import { fakeAnthropicKey } from './fixtures';

// Key-shaped strings are assembled from parts so the repository never holds one whole.
const join = (...parts: string[]) => parts.join('');

describe('redactSecrets', () => {
  it('replaces an Anthropic key and counts it', () => {
    const key = fakeAnthropicKey();
    const { text, count } = redactSecrets(`client = Anthropic(api_key="${key}")`);
    expect(text).not.toContain(key);
    expect(text).toContain('[REDACTED:anthropic-key]');
    expect(count).toBe(1);
  });

  it.each([
    ['OpenAI project key', join('sk-', 'proj-', 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6'), 'openai-key'],
    ['OpenAI key', join('sk-', 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6'), 'openai-key'],
    ['AWS access key id', join('AKIA', 'IOSFODNN7EXAMPLE'), 'aws-access-key-id'],
    ['GitHub token', join('ghp_', 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8'), 'github-token'],
    ['GitHub OAuth token', join('gho_', 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8'), 'github-token'],
    [
      'GitHub fine-grained token',
      join('github_pat_', '11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJ'),
      'github-token'
    ],
    ['Slack token', join('xoxb-', '1234567890-0987654321-AbCdEfGhIjKl'), 'slack-token'],
    ['Google API key', join('AIza', 'SyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q'), 'google-api-key'],
    ['Hugging Face token', join('hf_', 'aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789'), 'huggingface-token'],
    [
      'JWT',
      join(
        'eyJhbGciOiJIUzI1NiJ9',
        '.',
        'eyJzdWIiOiIxMjM0NTY3ODkwIn0',
        '.',
        'dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U'
      ),
      'jwt'
    ]
  ])('replaces a %s', (_, secret, kind) => {
    const { text, count } = redactSecrets(`token in output: ${secret} (end)`);
    expect(text).toBe(`token in output: [REDACTED:${kind}] (end)`);
    expect(count).toBe(1);
  });

  it('keeps the scheme of an Authorization header and hides the credential', () => {
    const { text } = redactSecrets(
      "curl -H 'Authorization: Bearer abc123.def456-ghi789' https://api.example.org\n" +
        "headers = {'Authorization': 'Basic dXNlcjpwYXNzd29yZA=='}"
    );
    expect(text).toContain("Authorization: Bearer [REDACTED:bearer-token]'");
    expect(text).toContain("'Authorization': 'Basic [REDACTED:bearer-token]'");
  });

  it('keeps user and host of a connection string and hides the password', () => {
    const { text } = redactSecrets('engine = create_engine("postgres://analyst:hunter2@db.example.org:5432/nls")');
    expect(text).toBe('engine = create_engine("postgres://analyst:[REDACTED:password]@db.example.org:5432/nls")');
  });

  it('removes a PEM private key block, and what is left of one cut in half', () => {
    const body =
      'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\nVJTUt9Us8cKjMzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZH\n';
    const pem = `-----BEGIN ${'PRIVATE'} KEY-----\n${body}-----END PRIVATE KEY-----`;
    expect(redactSecrets(`key:\n${pem}\ndone`).text).toBe('key:\n[REDACTED:private-key]\ndone');
    expect(redactSecrets(`-----BEGIN RSA PRIVATE KEY-----\n${body}`).text).toBe('[REDACTED:private-key]');
    expect(redactSecrets(`${body}-----END RSA PRIVATE KEY-----\n`).text).toBe('[REDACTED:private-key]\n');
  });

  it.each([
    ['DB_PASSWORD=hunter2', 'DB_PASSWORD=[REDACTED:password]'],
    ['export GITHUB_PAT=abc123def456', 'export GITHUB_PAT=[REDACTED:token]'],
    ['client_secret: s3cr3t-value', 'client_secret: [REDACTED:secret]'],
    ["{'aws_secret_access_key': 'not/a+real=secret0123456789'}", "{'aws_secret_access_key': '[REDACTED:secret]'}"],
    ['"db_password": "correct horse"', '"db_password": "[REDACTED:password]"'],
    ['MAPS_API_KEY = "k3y-f0r-maps-0123456789"', 'MAPS_API_KEY = "[REDACTED:key]"'],
    ['SERVICE_TOKEN=9f8e7d6c5b4a39281706', 'SERVICE_TOKEN=[REDACTED:token]'],
    ['GOOGLE_CREDENTIALS="{secret blob}x"', 'GOOGLE_CREDENTIALS="[REDACTED:credential]"']
  ])('redacts a value assigned to a secret-looking name: %s', (input, expected) => {
    expect(redactSecrets(input).text).toBe(expected);
  });

  it.each([
    ['a commit hash', 'HEAD is now at 3f786850e387550fdab836ed7e6dc881de23001b Fix merge'],
    ['a UUID', 'run id 123e4567-e89b-12d3-a456-426614174000 finished'],
    ['numbers', 'loss=0.0123 step=10000 lr: 3e-4 1234567890123456789012'],
    ['a DataFrame with a column named key', '   key  value\n0    a      1\n1    b      2\ndf.merge(other, on="key")'],
    ['a dict with a key called key', "{'key': 'region', 'value': 3}"],
    ['a primary key column', "primary_key = 'customer_id'"],
    ['special tokens of a tokenizer', 'pad_token = "[PAD]"\neos_token: </s>\nMAX_TOKENS = 4096'],
    ['code that reads a secret', 'password = getpass()\napi_key = os.environ["API_KEY"]\ntoken = tokenizer(text)'],
    ['placeholders', 'API_KEY=<your key here>\nDB_PASSWORD=${DB_PASSWORD}\nSECRET_KEY = None'],
    ['a credentials file path', 'GOOGLE_APPLICATION_CREDENTIALS=/home/me/creds.json'],
    ['a URL with a port', 'see http://localhost:8888/lab?token=abc and https://example.org:443/x@y'],
    ['a task name', 'task-abcdefghijklmnopqrstuvwxyz0123 done'],
    ['the word secret in prose', 'The secret of good science: read the data.']
  ])('leaves %s alone', (_, input) => {
    expect(redactSecrets(input)).toEqual({ text: input, count: 0 });
  });
});
