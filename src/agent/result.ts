/*
 * What a tool result may carry, whatever the tool: bounded and with secrets redacted. Loaded
 * with the first tool call (the redaction patterns are not part of start-up).
 */
import { redactSecrets } from '../context/redact';
import { cutText } from '../unicode';
import type { IToolResult } from './tokens';

/**
 * The longest text one tool result may carry.
 */
export const MAX_RESULT_CHARS = 16000;

/**
 * The most image data (base64 characters) one tool result may carry, and the most images.
 */
export const MAX_RESULT_IMAGE_CHARS = 2_000_000;
export const MAX_RESULT_IMAGES = 4;

/**
 * A result bounded to `MAX_RESULT_CHARS` (and its images to the limits above) with secrets
 * redacted, whatever the tool.
 */
export function boundResult(result: IToolResult): IToolResult {
  let content = redactSecrets(String(result.content ?? '')).text;
  if (content.length > MAX_RESULT_CHARS) {
    const kept = cutText(content, MAX_RESULT_CHARS);
    content = `${kept}\n… [${(content.length - kept.length).toLocaleString()} characters cut]`;
  }
  if (!result.images?.length) {
    return { ...result, content };
  }
  const images = [];
  let budget = MAX_RESULT_IMAGE_CHARS;
  for (const image of result.images) {
    if (images.length < MAX_RESULT_IMAGES && image.data.length <= budget) {
      images.push(image);
      budget -= image.data.length;
    }
  }
  if (images.length < result.images.length) {
    content += `\n[${result.images.length - images.length} image(s) left out: over the size limit for one result]`;
  }
  return { ...result, content, images };
}
