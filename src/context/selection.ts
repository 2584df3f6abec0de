/*
 * The scientist's choices about what a notebook's questions carry: parts removed, cells attached.
 */
import { Signal } from '@lumino/signaling';
import type { IAttachedText, IContextSelection } from './tokens';

/**
 * What the scientist changed about the context of one notebook: parts removed, cells added.
 */
export class ContextSelection implements IContextSelection {
  get excludedIds(): string[] {
    return [...this._excluded];
  }

  get extraCellIds(): string[] {
    return [...this._extra];
  }

  get changed(): Signal<this, void> {
    return this._changed;
  }

  get attachedTexts(): ReadonlyArray<IAttachedText> {
    return [...this._texts.values()];
  }

  /** Attach a text to the next questions (the same id replaces it). */
  attachText(text: IAttachedText): void {
    this._texts.set(text.id, { ...text });
    this._excluded.delete(text.id);
    this._changed.emit();
  }

  /** Leave a part out of the next questions (an attached text is dropped). */
  exclude(id: string): void {
    if (this._texts.delete(id)) {
      this._changed.emit();
      return;
    }
    if (this._extra.delete(id) || !this._excluded.has(id)) {
      this._excluded.add(id);
      this._changed.emit();
    }
  }

  /** Put a removed part back. */
  include(id: string): void {
    if (this._excluded.delete(id)) {
      this._changed.emit();
    }
  }

  /** Attach cells (in full) to the next questions. */
  attach(cellIds: string[]): void {
    let changed = false;
    for (const id of cellIds) {
      changed = this._excluded.delete(id) || changed;
      if (!this._extra.has(id)) {
        this._extra.add(id);
        changed = true;
      }
    }
    if (changed) {
      this._changed.emit();
    }
  }

  private _texts = new Map<string, IAttachedText>();
  private _excluded = new Set<string>();
  private _extra = new Set<string>();
  private _changed = new Signal<this, void>(this);
}
