/*
 * Gathering what Claude sees with a question: the notebook context within its budget, the
 * kernel's variables, and the plots, with what the scientist removed or attached.
 */
import type { INotebookContent } from '@jupyterlab/nbformat';
import type { Kernel } from '@jupyterlab/services';
import { attachedContext } from '../context/attached';
import { buildContext } from '../context/budget';
import { OMITTED_REASON } from '../context/render';
import { type IRulesSource, RULES_PART_ID, rulesContext } from '../context/rules';
import type { IImageCandidate } from '../context/images';
import type { IContextImage, IContextPart, IContextSelection, ISentContext } from '../context/tokens';
import type { IClaudeSettings } from '../claude/tokens';
import { formatKernelSummary } from '../kernel/summary';
import type { KernelInspectionResult } from '../kernel/types';

/**
 * Where the context of a notebook comes from, read at the moment of asking.
 */
export interface INotebookContextInputs {
  /** The notebook as nbformat JSON, or null when it is gone. */
  notebook(): INotebookContent | null;
  activeCellId(): string | null;
  selectedCellIds(): string[];
  /** The notebook's kernel, if any. */
  kernel(): Kernel.IKernelConnection | null | undefined;
  settings(): IClaudeSettings;
  selection: IContextSelection;
  /** Ask the kernel for its variables (silently, bounded). */
  inspectKernel(kernel: Kernel.IKernelConnection | null | undefined): Promise<KernelInspectionResult>;
  /** Turn an image output into an image Claude takes (downsampled PNG/JPEG), or null. */
  toImage?(id: string, title: string, candidate: IImageCandidate): Promise<IContextImage | null>;
  /** The project's rules files (AGENTS.md, CLAUDE.md) for this notebook. */
  rules?(): Promise<IRulesSource[]>;
}

/**
 * Share of the budget the kernel's variables may take.
 */
const VARIABLES_SHARE = 0.3;

/**
 * Gather the context for a question (or for the preview of the next one).
 */
export async function gatherContext(inputs: INotebookContextInputs): Promise<ISentContext | null> {
  const notebook = inputs.notebook();
  if (!notebook) {
    return null;
  }
  const settings = inputs.settings();
  const budget = settings.contextBudgetTokens;
  const selection = inputs.selection;
  const notes: string[] = [];
  let kernelSummary: string | undefined;
  const variablesRemoved = selection.excludedIds.includes('variables');
  if (settings.inspectKernel && !variablesRemoved) {
    const result = await inputs.inspectKernel(inputs.kernel());
    kernelSummary = formatKernelSummary(result, Math.floor(budget * VARIABLES_SHARE));
    if (!result.ok) {
      notes.push(result.message);
    }
  }
  const context = buildContext({
    notebook,
    activeCellId: inputs.activeCellId(),
    selectedCellIds: inputs.selectedCellIds(),
    extraCellIds: selection.extraCellIds,
    kernelSummary,
    budgetTokens: budget,
    excludedIds: selection.excludedIds
  });
  const images: IContextImage[] = [];
  for (const block of context.blocks) {
    if (!block.image || !inputs.toImage) {
      continue;
    }
    try {
      const image = await inputs.toImage(block.id, block.title, block.image);
      if (image) {
        images.push(image);
      } else {
        notes.push(`${block.title}: this image could not be converted and was not sent.`);
      }
    } catch {
      notes.push(`${block.title}: this image could not be converted and was not sent.`);
    }
  }
  const omitted = context.omitted.map(Private.part);
  let volatileText = context.volatileText;
  if (settings.inspectKernel && variablesRemoved) {
    // Never inspected, so the builder can't name it: say it here, as it does for the rest.
    const reason = OMITTED_REASON.removed;
    omitted.push({
      id: 'variables',
      kind: 'variables',
      title: 'Kernel variables',
      tokens: 0,
      cause: 'removed',
      reason
    });
    volatileText = [volatileText, `Kernel variables: left out (${reason}); ask if you need them.`]
      .filter(Boolean)
      .join('\n\n');
  }
  const parts = context.blocks.map(Private.part);
  let rulesText: string | undefined;
  let rulesTokens = 0;
  if (inputs.rules) {
    let rules: ReturnType<typeof rulesContext> = null;
    try {
      rules = rulesContext(await inputs.rules());
    } catch (error) {
      notes.push(`The project rules could not be read: ${(error as Error).message}`);
    }
    if (rules && selection.excludedIds.includes(RULES_PART_ID)) {
      omitted.push({ ...rules.part, cause: 'removed', reason: OMITTED_REASON.removed });
    } else if (rules) {
      rulesText = rules.text;
      rulesTokens = rules.part.tokens;
      parts.unshift(rules.part);
    }
  }
  // Texts the scientist attached (an MCP resource) go with the question, each its own chip.
  const attached = attachedContext(selection.attachedTexts ?? []);
  if (attached.parts.length) {
    volatileText = [volatileText, attached.text].filter(Boolean).join('\n\n');
    parts.push(...attached.parts);
  }
  return {
    stableText: context.stableText,
    volatileText,
    ...(rulesText ? { rulesText } : {}),
    images,
    parts,
    omitted,
    totalTokens: context.totalTokens + rulesTokens + attached.tokens,
    redactions: context.redactions + attached.redactions,
    notes
  };
}

namespace Private {
  /**
   * A part as sent and saved: without the block's text, image or cell position.
   */
  export function part(block: IContextPart): IContextPart {
    const { id, kind, title, tokens, cause, reason } = block;
    return cause ? { id, kind, title, tokens, cause, reason } : { id, kind, title, tokens };
  }
}
