/*
 * What an MCP result gives back to Claude: its text, its structured content as JSON, its
 * images; `isError` as an error result. The registry then bounds and redacts it like any tool's.
 */
import type { IToolImage, IToolResult } from '../agent/tokens';
import type { IMcpResult } from './tokens';

const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

/**
 * The result of a call as Claude reads it.
 */
export function resultForClaude(result: IMcpResult): IToolResult {
  const parts: string[] = [];
  const images: IToolImage[] = [];
  const structured = result.structuredContent;
  const structuredText = structured === undefined || structured === null ? null : JSON.stringify(structured);
  for (const block of result.content ?? []) {
    switch (block.type) {
      case 'text':
        // Servers often repeat their structured content as text: send it once.
        if (!(structuredText !== null && Private.sameJSON(block.text ?? '', structured))) {
          parts.push(block.text ?? '');
        }
        break;
      case 'image':
        if (block.data && block.mimeType && IMAGE_TYPES.has(block.mimeType)) {
          images.push({ mediaType: block.mimeType as IToolImage['mediaType'], data: block.data });
        } else {
          parts.push(`[an image of type ${block.mimeType ?? 'unknown'} that cannot be shown to Claude]`);
        }
        break;
      case 'resource': {
        const resource = block.resource ?? {};
        parts.push(
          resource.text !== undefined
            ? `[resource ${resource.uri ?? ''}]\n${resource.text}`
            : `[binary resource ${resource.uri ?? ''} (${resource.mimeType ?? 'unknown type'}) not shown]`
        );
        break;
      }
      case 'resource_link':
        parts.push(`[resource link: ${block.name ?? ''} ${block.uri ?? ''}]`.replace(/\s+]/, ']'));
        break;
      default:
        parts.push(`[${block.type} content not shown]`);
    }
  }
  if (structuredText !== null) {
    parts.push(`Structured content:\n${structuredText}`);
  }
  if (result.truncated) {
    parts.push('[The Jupyter server cut this result: it was over its size limit.]');
  }
  const content = parts.join('\n').trim() || (result.isError ? 'The tool reported an error.' : '(no content)');
  return { content, isError: result.isError === true, ...(images.length ? { images } : {}) };
}

/**
 * The text of a result for the scientist's card (the full JSON of structured content).
 */
export function resultText(result: IMcpResult): string {
  const texts = (result.content ?? []).filter(b => b.type === 'text').map(b => b.text ?? '');
  if (result.structuredContent !== undefined && result.structuredContent !== null) {
    return JSON.stringify(result.structuredContent, null, 1);
  }
  return texts.join('\n');
}

namespace Private {
  export function sameJSON(text: string, value: unknown): boolean {
    try {
      return JSON.stringify(JSON.parse(text)) === JSON.stringify(value);
    } catch {
      return false;
    }
  }
}
