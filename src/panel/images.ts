/*
 * Plots for Claude: output images drawn at most `maxSide` pixels on a side, as PNG or JPEG.
 */
import type { IImageCandidate } from '../context/images';
import type { IContextImage } from '../context/tokens';

/**
 * The longest side of an image sent to Claude.
 */
export const MAX_IMAGE_SIDE = 768;

/**
 * Convert an output image for Claude: PNG and JPEG pass as they are when small enough;
 * larger ones and SVG are drawn on a canvas and sent as PNG. Returns null if it can't be drawn.
 */
export async function imageForClaude(
  id: string,
  title: string,
  candidate: IImageCandidate,
  maxSide = MAX_IMAGE_SIDE
): Promise<IContextImage | null> {
  const mime = candidate.mimeType;
  if ((mime === 'image/png' || mime === 'image/jpeg') && !candidate.needsDownsample) {
    return { id, title, mediaType: mime, base64: candidate.base64.replace(/\s+/g, '') };
  }
  const source =
    mime === 'image/svg+xml'
      ? `data:image/svg+xml;charset=utf-8,${encodeURIComponent(candidate.base64)}`
      : `data:${mime};base64,${candidate.base64.replace(/\s+/g, '')}`;
  const image = new Image();
  image.src = source;
  try {
    await image.decode();
  } catch {
    return null;
  }
  const width = image.naturalWidth || candidate.width || maxSide;
  const height = image.naturalHeight || candidate.height || maxSide;
  const scale = Math.min(1, maxSide / Math.max(width, height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(width * scale));
  canvas.height = Math.max(1, Math.round(height * scale));
  const context = canvas.getContext('2d');
  if (!context) {
    return null;
  }
  // Plots are often transparent: give them the white page they were drawn for.
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.drawImage(image, 0, 0, canvas.width, canvas.height);
  const url = canvas.toDataURL('image/png');
  return { id, title, mediaType: 'image/png', base64: url.slice(url.indexOf(',') + 1) };
}
