/*
 * Images in outputs: their pixel size read from the file header (PNG, JPEG, SVG) without
 * decoding, their token cost, and the candidate offered to Claude as an image block.
 */
import { formatBytes } from './text';

/**
 * An image output that may be sent to Claude as an image block.
 */
export interface IImageCandidate {
  /** `image/png`, `image/jpeg` or `image/svg+xml`. */
  mimeType: string;
  /** The image as stored in the notebook (base64 for PNG/JPEG, markup for SVG). */
  base64: string;
  /** Size of the image file in bytes. */
  bytes: number;
  /** Pixel width, when the header says it. */
  width?: number;
  /** Pixel height, when the header says it. */
  height?: number;
  /**
   * Whether the browser must draw it on a canvas before sending: larger than the maximum
   * dimension, or SVG (Claude takes raster images only).
   */
  needsDownsample: boolean;
  /** Estimated image tokens once downsampled (`width × height / 750`). */
  tokens: number;
}

/**
 * Options for offering images.
 */
export interface IImageOptions {
  /** Longest image side sent without downsampling, in pixels (default 768). */
  maxImageDimension?: number;
}

/**
 * An image as stored in an output, described for Claude (size, tokens, whether to downsample).
 */
export function imageCandidate(mimeType: string, stored: string, options: IImageOptions): IImageCandidate {
  const maxDimension = options.maxImageDimension ?? 768;
  const isSvg = mimeType === 'image/svg+xml';
  const base64 = isSvg || stored.indexOf('\n') < 0 ? stored : stored.replace(/\s+/g, '');
  const size = isSvg ? svgSize(base64) : imageSize(mimeType, base64);
  const bytes = isSvg ? base64.length : Private.base64Bytes(base64);
  return {
    mimeType,
    base64,
    bytes,
    width: size?.width,
    height: size?.height,
    needsDownsample: isSvg || !size || Math.max(size.width, size.height) > maxDimension,
    tokens: imageTokens(size?.width, size?.height, maxDimension)
  };
}

/**
 * One line naming an image: type, pixel size, file size.
 */
export function describeImage(image: IImageCandidate): string {
  const size = image.width && image.height ? ` ${image.width}×${image.height}` : '';
  return `${image.mimeType}${size} (${formatBytes(image.bytes)})`;
}

/**
 * Pixel size of a PNG or JPEG from its base64 header bytes, without decoding the image.
 */
export function imageSize(mimeType: string, base64: string): { width: number; height: number } | null {
  if (mimeType === 'image/png') {
    const bytes = Private.decodeBase64Prefix(base64, 24);
    if (bytes.length < 24 || bytes[12] !== 0x49 || bytes[13] !== 0x48) {
      return null; // not an IHDR chunk
    }
    return { width: Private.uint32(bytes, 16), height: Private.uint32(bytes, 20) };
  }
  if (mimeType === 'image/jpeg') {
    const bytes = Private.decodeBase64Prefix(base64, 256 * 1024);
    let at = 2;
    while (at + 9 < bytes.length) {
      if (bytes[at] !== 0xff) {
        at++;
        continue;
      }
      const marker = bytes[at + 1];
      if (marker === 0xff) {
        at++;
        continue;
      }
      const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
      if (isFrame) {
        return {
          height: (bytes[at + 5] << 8) | bytes[at + 6],
          width: (bytes[at + 7] << 8) | bytes[at + 8]
        };
      }
      at += 2 + ((bytes[at + 2] << 8) | bytes[at + 3]);
    }
    return null;
  }
  return null;
}

/**
 * Estimated tokens of an image once it fits within `maxDimension` (Claude counts about
 * `width × height / 750`; unknown sizes count as a full square).
 */
export function imageTokens(width: number | undefined, height: number | undefined, maxDimension: number): number {
  if (!width || !height) {
    return Math.ceil((maxDimension * maxDimension) / 750);
  }
  const scale = Math.min(1, maxDimension / Math.max(width, height));
  return Math.ceil((Math.round(width * scale) * Math.round(height * scale)) / 750);
}

/**
 * Pixel size of an SVG from its width/height attributes or viewBox.
 */
export function svgSize(svg: string): { width: number; height: number } | null {
  const open = /<svg\b[^>]*>/i.exec(svg.slice(0, 4000));
  if (!open) {
    return null;
  }
  const width = /\bwidth\s*=\s*["']?([\d.]+)(px|pt)?["']?/i.exec(open[0]);
  const height = /\bheight\s*=\s*["']?([\d.]+)(px|pt)?["']?/i.exec(open[0]);
  if (width && height) {
    const scale = (unit?: string) => (unit === 'pt' ? 4 / 3 : 1);
    return {
      width: Math.round(Number(width[1]) * scale(width[2])),
      height: Math.round(Number(height[1]) * scale(height[2]))
    };
  }
  const box = /\bviewBox\s*=\s*["']\s*[-\d.]+[\s,]+[-\d.]+[\s,]+([\d.]+)[\s,]+([\d.]+)/i.exec(open[0]);
  return box ? { width: Math.round(Number(box[1])), height: Math.round(Number(box[2])) } : null;
}

namespace Private {
  export function base64Bytes(base64: string): number {
    const padding = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0;
    return Math.max(0, Math.floor((base64.length * 3) / 4) - padding);
  }

  export function decodeBase64Prefix(base64: string, bytes: number): Uint8Array {
    const chars = Math.min(base64.length - (base64.length % 4), Math.ceil(bytes / 3) * 4);
    try {
      const binary = atob(base64.slice(0, chars));
      const result = new Uint8Array(binary.length);
      for (let i = 0; i < binary.length; i++) {
        result[i] = binary.charCodeAt(i);
      }
      return result;
    } catch {
      return new Uint8Array(0);
    }
  }

  export function uint32(bytes: Uint8Array, at: number): number {
    return ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0;
  }
}
