/*
 * Redaction of secrets (API keys, tokens, passwords, private keys) before anything reaches Claude.
 */

/**
 * What `redactSecrets` returns: the cleaned text and how many secrets it replaced.
 */
export interface IRedaction {
  /** The text with every secret replaced by `[REDACTED:<kind>]`. */
  text: string;
  /** How many secrets were replaced. */
  count: number;
}

/**
 * Replace secrets in a text by `[REDACTED:<kind>]`.
 *
 * Recognised: Anthropic, OpenAI, GitHub, Slack, Google and Hugging Face tokens by their
 * prefixes, AWS access key ids, JWTs, `Authorization:` bearer/basic credentials, passwords in
 * connection strings (user and host are kept), PEM private key blocks, and values assigned to
 * names that look secret (`*_KEY`, `*_TOKEN`, `*SECRET*`, `*PASSWORD*`, `*PASSWD*`, `*_PAT`,
 * `*CREDENTIAL*`) in `NAME=value`, `NAME: value` and `'NAME': 'value'` forms.
 *
 * Ordinary data is left alone: commit hashes, UUIDs, numbers, a column called `key`, and
 * values under weak names (`primary_key`, `pad_token`) unless they look like a secret.
 */
export function redactSecrets(text: string): IRedaction {
  if (!text) {
    return { text, count: 0 };
  }
  if (!Private.MAY_HOLD_SECRET.test(text)) {
    return { text, count: 0 };
  }
  let count = 0;
  let result = text;
  for (const rule of Private.RULES) {
    if (rule.guard && !rule.guard.test(result)) {
      continue;
    }
    result = result.replace(rule.pattern, (...args: any[]) => {
      const replaced = rule.replace(args);
      if (replaced !== args[0]) {
        count++;
      }
      return replaced;
    });
  }
  return { text: result, count };
}

/**
 * The marker that replaces a secret of a kind.
 */
export function redactionMarker(kind: string): string {
  return `[REDACTED:${kind}]`;
}

namespace Private {
  /**
   * A pattern and what replaces each of its matches (the match itself to keep it).
   */
  export interface IRule {
    /** A cheap test that must pass before the pattern is worth running. */
    guard?: RegExp;
    pattern: RegExp;
    replace: (match: any[]) => string;
  }

  // Every rule below needs one of these; most text has none, and this test is cheap.
  export const MAY_HOLD_SECRET =
    /sk-|A[KSBC][IC]A|gh[pousr]_|github_pat_|xox[baprs]-|AIza|hf_|eyJ|:\/\/|PRIVATE KEY|-----END|key|token|secret|pass|pwd|credential|pat\b|_pat/i;

  const whole = (kind: string) => (): string => redactionMarker(kind);

  // Names whose value is a secret whatever it looks like.
  const STRONG_NAME =
    /SECRET|PASSWORD|PASSWD|PASSPHRASE|CREDENTIAL|(^|_)PAT$|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|AUTH_?TOKEN|ACCESS_?TOKEN|REFRESH_?TOKEN|(^|_)PWD$/;
  // Names whose value is a secret only when the value looks like one.
  const WEAK_NAME = /_KEY$|_TOKEN$|^TOKEN$|_KEY_|_TOKEN_/;

  const PLACEHOLDER =
    /^(none|null|nil|undefined|true|false|nan|n\/a|na|changeme|xxx+|\*+|\.\.\.|…|<[^>]*>|\{[^}]*\}|\$\{[^}]*\}|\$[A-Za-z_]\w*|%\(?\w*\)?s|\[[^\]]*\])$/i;

  /**
   * Whether `value`, assigned to `name`, should be redacted.
   */
  export function isSecretAssignment(name: string, value: string): boolean {
    const upper = name.toUpperCase().replace(/[-.\s]/g, '_');
    const strong = STRONG_NAME.test(upper);
    if (!strong && !WEAK_NAME.test(upper)) {
      return false;
    }
    if (
      !value ||
      value.startsWith('[REDACTED:') ||
      PLACEHOLDER.test(value) ||
      /^[-+]?\d+(\.\d+)?$/.test(value) ||
      /^(\/|~\/|\.\.?\/|[A-Za-z]:\\)/.test(value) ||
      /\.(json|pem|key|txt|env|ya?ml|cfg|ini|p12)$/i.test(value) ||
      value.toUpperCase().replace(/[-.]/g, '_') === upper
    ) {
      return false;
    }
    if (strong) {
      return value.length >= 4;
    }
    return value.length >= 12 && /[A-Za-z]/.test(value) && /\d/.test(value) && !/\s/.test(value);
  }

  // `NAME = "value"`, `'NAME': 'value'`, `"NAME": "value"`.
  const QUOTED_ASSIGNMENT =
    /(?<![A-Za-z0-9_.-])(["']?)([A-Za-z_][A-Za-z0-9_.-]{0,80})\1(\s*(?:=|:)\s*)(["'])([^"'\n]{1,500})\4/g;
  // `NAME=value`, `NAME: value` with a bare value running to a separator.
  const BARE_ASSIGNMENT =
    /\b([A-Za-z_][A-Za-z0-9_.-]{0,80})(\s*(?:=|:)[ \t]*)([^\s'"`,;()[\]{}<>]{1,500})(?=$|[\s'"`,;)\]}])/gm;

  export const RULES: IRule[] = [
    {
      // A whole PEM block, or what is left of one when the text was cut.
      guard: /PRIVATE KEY/,
      pattern: /-----BEGIN ((?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?)-----[\s\S]*?(?:-----END \1-----|$)/g,
      replace: whole('private-key')
    },
    {
      // The end of a PEM block whose beginning was elided; starts only at a line start.
      guard: /-----END /,
      pattern: /(?<=^|\n|\\n)(?:[A-Za-z0-9+/=]{16,}(?:\\n|\r?\n))+-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----/g,
      replace: whole('private-key')
    },
    { pattern: /\bsk-ant-[A-Za-z0-9_-]{20,}/g, replace: whole('anthropic-key') },
    {
      pattern: /\bsk-(?:proj-|svcacct-|admin-|None-)?[A-Za-z0-9_-]{20,}/g,
      replace: whole('openai-key')
    },
    { pattern: /\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b/g, replace: whole('aws-access-key-id') },
    { pattern: /\bgh[pousr]_[A-Za-z0-9]{30,}\b/g, replace: whole('github-token') },
    { pattern: /\bgithub_pat_[A-Za-z0-9_]{40,}\b/g, replace: whole('github-token') },
    { pattern: /\bxox[baprs]-[A-Za-z0-9-]{10,}/g, replace: whole('slack-token') },
    { pattern: /\bAIza[0-9A-Za-z_-]{35}/g, replace: whole('google-api-key') },
    { pattern: /\bhf_[A-Za-z0-9]{30,}\b/g, replace: whole('huggingface-token') },
    {
      pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g,
      replace: whole('jwt')
    },
    {
      // `Authorization: Bearer …` in headers, curl lines and dicts; the scheme is kept.
      pattern:
        /(\b(?:proxy-)?authorization["']?\s*[:=]\s*["']?\s*(?:bearer|basic|token|digest)\s+)([A-Za-z0-9._~+/=-]{6,})/gi,
      replace: m => `${m[1]}${redactionMarker('bearer-token')}`
    },
    {
      // scheme://user:password@host: keep the user and the host.
      pattern: /\b([a-z][a-z0-9+.-]*:\/\/)([^\s:/@'"]+):([^\s@/'"]+)@/gi,
      replace: m => (m[3].startsWith('[REDACTED:') ? m[0] : `${m[1]}${m[2]}:${redactionMarker('password')}@`)
    },
    {
      pattern: QUOTED_ASSIGNMENT,
      replace: m =>
        isSecretAssignment(m[2], m[5])
          ? `${m[1]}${m[2]}${m[1]}${m[3]}${m[4]}${redactionMarker(kindOf(m[2]))}${m[4]}`
          : m[0]
    },
    {
      pattern: BARE_ASSIGNMENT,
      replace: m => (isSecretAssignment(m[1], m[3]) ? `${m[1]}${m[2]}${redactionMarker(kindOf(m[1]))}` : m[0])
    }
  ];

  /**
   * The kind named in the marker of an assigned secret, from the name it was assigned to.
   */
  function kindOf(name: string): string {
    const upper = name.toUpperCase();
    if (/PASSWORD|PASSWD|PWD|PASSPHRASE/.test(upper)) {
      return 'password';
    }
    if (/SECRET/.test(upper)) {
      return 'secret';
    }
    if (/TOKEN|_PAT$|^PAT$/.test(upper)) {
      return 'token';
    }
    if (/KEY/.test(upper)) {
      return 'key';
    }
    if (/CREDENTIAL/.test(upper)) {
      return 'credential';
    }
    return 'secret';
  }
}
