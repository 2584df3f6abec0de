/*
 * The model picker in the panel's header: the configured model and the upstream's others.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import type { IModelChoice } from '../claude/models';

/**
 * A select of the models to use for the next question; picking one writes the setting.
 */
export class ModelPicker {
  constructor(options: ModelPicker.IOptions) {
    this._options = options;
    const trans = options.trans;
    const select = this._select;
    select.className = 'jp-Claude-model jp-mod-styled';
    select.setAttribute('aria-label', trans.__('Model'));
    select.title = trans.__('Model used for the next question');
    select.addEventListener('change', () => void options.setModel(select.value));
    this.node.className = 'jp-select-wrapper jp-Claude-modelWrapper';
    this.node.appendChild(select);
  }

  /**
   * The select in its wrapper.
   */
  readonly node = document.createElement('div');

  /**
   * Ask the upstream for its models, then show them.
   */
  async load(): Promise<void> {
    this._models = await this._options.listModels(this._options.configured());
    this.update();
  }

  /**
   * Show the models, the configured one selected (listed even if the upstream doesn't know it).
   */
  update(): void {
    const configured = this._options.configured();
    const choices = this._models.some(m => m.id === configured)
      ? this._models
      : [{ id: configured, displayName: configured }, ...this._models];
    this._select.textContent = '';
    for (const choice of choices) {
      const option = document.createElement('option');
      option.value = choice.id;
      option.textContent = choice.displayName;
      option.title = choice.id;
      this._select.appendChild(option);
    }
    this._select.value = configured;
  }

  private _options: ModelPicker.IOptions;
  private _select = document.createElement('select');
  private _models: IModelChoice[] = [];
}

export namespace ModelPicker {
  export interface IOptions {
    trans: TranslationBundle;
    /** The model in the settings. */
    configured: () => string;
    /** List the models to offer, always including the configured one. */
    listModels: (configured: string) => Promise<IModelChoice[]>;
    /** Make a model the one in use (writes the setting). */
    setModel: (model: string) => Promise<void>;
  }
}
