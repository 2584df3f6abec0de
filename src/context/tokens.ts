/*
 * Public interfaces of the notebook context: what Claude sees and what the scientist chose.
 * No logic lives here.
 */
import type { ISignal } from '@lumino/signaling';

/**
 * The kinds of part a notebook context is made of.
 */
export type ContextPartKind =
  'outline' | 'active-cell' | 'selected-cell' | 'error' | 'output' | 'variables' | 'image' | 'rules' | 'attachment';

/**
 * Why a part was left out: the scientist removed it, it did not fit the budget, the image
 * limit was reached, it was outside the outline window, or no such cell exists.
 */
export type OmittedCause = 'removed' | 'budget' | 'image-limit' | 'outline-window' | 'missing';

/**
 * A part of the notebook context, sent or left out, as shown to the scientist (a chip).
 */
export interface IContextPart {
  /** `outline`, `variables`, a cell id, or `<cell id>/outputs/<n>` for an image. */
  id: string;
  kind: ContextPartKind;
  title: string;
  /** Estimated tokens (what it costs, or would have cost). */
  tokens: number;
  /** Position of the cell the part is about, from 0. */
  cellIndex?: number;
  /** For a part left out: why, as data (what code decides by). */
  cause?: OmittedCause;
  /** For a part left out: why, in words (what the scientist and Claude read). */
  reason?: string;
}

/**
 * An image sent to Claude with a question (a plot from an output).
 */
export interface IContextImage {
  id: string;
  title: string;
  mediaType: 'image/png' | 'image/jpeg';
  base64: string;
}

/**
 * The notebook context sent with one question: exactly what Claude saw.
 */
export interface ISentContext {
  /** The beginning that rarely changes (heading, outline): cached between questions. */
  stableText: string;
  /** The rest: variables, outputs, the cells in focus, the last error, what was left out. */
  volatileText: string;
  /** The project's rules (AGENTS.md, CLAUDE.md), sent in the system prompt (cached). */
  rulesText?: string;
  images: IContextImage[];
  /** What was attached. */
  parts: IContextPart[];
  /** What was left out, and why. */
  omitted: IContextPart[];
  totalTokens: number;
  /** Secrets replaced before sending. */
  redactions: number;
  /** A problem gathering it (e.g. the kernel was busy), said plainly. */
  notes: string[];
}

/**
 * A text attached to a question beside the notebook's parts (an MCP resource).
 */
export interface IAttachedText {
  /** Unique among the attachments (`mcp:<server>:<uri>`). */
  id: string;
  /** What the chip says. */
  title: string;
  text: string;
}

/**
 * What the scientist changed about a notebook's context: parts removed, cells attached.
 */
export interface IContextSelection {
  readonly excludedIds: string[];
  readonly extraCellIds: string[];
  /** Texts attached to the next questions (an MCP resource), until removed. */
  readonly attachedTexts?: ReadonlyArray<IAttachedText>;
  /** Attach a text (replacing one of the same id); `exclude(id)` removes it. */
  attachText?(text: IAttachedText): void;
  readonly changed: ISignal<IContextSelection, void>;
  exclude(id: string): void;
  include(id: string): void;
  attach(cellIds: string[]): void;
}
