/*
 * Proposals: changes Claude would like to make to a notebook. A proposal is data; nothing
 * in the notebook changes until the scientist accepts it (see `actions.ts`).
 */
import { UUID } from '@lumino/coreutils';
import { ISignal, Signal } from '@lumino/signaling';
import type { IProposal, ProposalKind, ProposalStatus } from './tokens';

/**
 * What may change about a proposal after it was made.
 */
export type ProposalPatch = Partial<
  Pick<IProposal, 'status' | 'edited' | 'reason' | 'appliedCellId' | 'appliedBy' | 'asksBecause'>
>;

/**
 * The proposals of one conversation, in the order they were made.
 */
export class ProposalList {
  /**
   * Emitted with the new state of a proposal whenever one is added or changes.
   */
  get changed(): ISignal<this, IProposal> {
    return this._changed;
  }

  /**
   * All proposals, oldest first.
   */
  get all(): ReadonlyArray<IProposal> {
    return this._order.map(id => this._byId.get(id)!);
  }

  /**
   * The proposals still waiting for the scientist.
   */
  pending(): IProposal[] {
    return this.all.filter(p => p.status === 'pending');
  }

  get(id: string): IProposal | undefined {
    return this._byId.get(id);
  }

  add(proposal: IProposal): IProposal {
    if (this._byId.has(proposal.id)) {
      throw new Error(`A proposal with id ${proposal.id} already exists`);
    }
    const stored = { ...proposal };
    this._byId.set(stored.id, stored);
    this._order.push(stored.id);
    this._changed.emit(stored);
    return stored;
  }

  /**
   * Change a proposal; the stored object is replaced, so earlier snapshots stay as they were.
   *
   * Throws on an unknown id and on a status change that makes no sense (see
   * `Private.allowed`): a rejected, stale or failed proposal is final; an accepted one
   * goes back to pending when its change is undone, or fails (an approved run that failed).
   */
  update(id: string, patch: ProposalPatch): IProposal {
    const current = this._byId.get(id);
    if (!current) {
      throw new Error(`No proposal with id ${id}`);
    }
    if (patch.status && patch.status !== current.status) {
      if (!Private.allowed[current.status].includes(patch.status)) {
        throw new Error(`A proposal cannot go from ${current.status} to ${patch.status}`);
      }
    }
    const next: IProposal = { ...current, ...patch };
    this._byId.set(id, next);
    this._changed.emit(next);
    return next;
  }

  private _byId = new Map<string, IProposal>();
  private _order: string[] = [];
  private _changed = new Signal<this, IProposal>(this);
}

/**
 * What a tool call says about the change Claude wants, as Claude sends it.
 */
export interface IProposalToolInput {
  kind?: unknown;
  cell_id?: unknown;
  cell_type?: unknown;
  source?: unknown;
}

/**
 * Make a proposal from a tool call.
 *
 * `input` is the tool call's input (untrusted: it comes from the model). When the tool
 * itself names the kind (an `insert_cell` tool, say), pass `kind` and it wins over
 * `input.kind`. `originalSource` is the target cell's source as it is now; the caller reads
 * it from the notebook (`ProposalActions.propose` does).
 *
 * Throws an Error whose message can be sent back to Claude as the tool result.
 */
export function createProposal(options: {
  toolUseId: string;
  input: unknown;
  kind?: ProposalKind;
  originalSource?: string | null;
  model: string;
  requestId: string | null;
  now?: Date;
}): IProposal {
  const input = options.input;
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new Error('The tool input must be a JSON object.');
  }
  const raw = input as IProposalToolInput;
  const kind = options.kind ?? raw.kind;
  if (!Private.isKind(kind)) {
    throw new Error(`Unknown proposal kind ${JSON.stringify(kind)}: use one of ${Private.kinds.join(', ')}.`);
  }

  let cellId: string | null;
  if (kind === 'insert') {
    if (raw.cell_id === undefined || raw.cell_id === null) {
      cellId = null;
    } else if (typeof raw.cell_id === 'string' && raw.cell_id !== '') {
      cellId = raw.cell_id;
    } else {
      throw new Error('`cell_id` must be the id of the cell to insert after, or null to insert at the top.');
    }
  } else {
    if (typeof raw.cell_id !== 'string' || raw.cell_id === '') {
      throw new Error(`${Private.article(kind)} ${kind} proposal needs \`cell_id\`: the id of the target cell.`);
    }
    cellId = raw.cell_id;
  }

  let cellType: 'code' | 'markdown' = 'code';
  if (kind === 'insert' && raw.cell_type !== undefined) {
    if (raw.cell_type !== 'code' && raw.cell_type !== 'markdown') {
      throw new Error('`cell_type` must be "code" or "markdown".');
    }
    cellType = raw.cell_type;
  }

  let source = '';
  if (kind === 'insert' || kind === 'replace') {
    if (typeof raw.source !== 'string') {
      throw new Error(
        `${Private.article(kind)} ${kind} proposal needs \`source\`: the full new source of the cell, as a string.`
      );
    }
    source = raw.source;
  }

  let originalSource: string | null = null;
  if (kind !== 'insert') {
    if (typeof options.originalSource !== 'string') {
      // Our own mistake, not Claude's: the caller must read the target first.
      throw new Error(`The current source of cell ${cellId} is needed to propose a ${kind}.`);
    }
    originalSource = options.originalSource;
  }

  return {
    id: UUID.uuid4(),
    kind,
    toolUseId: options.toolUseId,
    cellId,
    cellType,
    source,
    originalSource,
    status: 'pending',
    edited: false,
    model: options.model,
    requestId: options.requestId,
    createdAt: (options.now ?? new Date()).toISOString()
  };
}

namespace Private {
  export const kinds: ProposalKind[] = ['insert', 'replace', 'delete', 'run'];

  export function article(kind: ProposalKind): string {
    return kind === 'insert' ? 'An' : 'A';
  }

  export function isKind(value: unknown): value is ProposalKind {
    return typeof value === 'string' && (kinds as string[]).includes(value);
  }

  /**
   * The status changes that make sense.
   */
  export const allowed: Record<ProposalStatus, ProposalStatus[]> = {
    pending: ['accepted', 'rejected', 'stale', 'failed'],
    // Undoing an accepted change makes it pending again; an approved run can still fail.
    accepted: ['pending', 'failed'],
    rejected: [],
    stale: [],
    failed: []
  };
}
