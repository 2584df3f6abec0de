/*
 * The model picker in the panel's header: the configured model and the upstream's others.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import type { IModelChoice } from '../claude/models';
import { POLICY_WAIT_MS, policyKnownWithin } from '../usage/policy';
import type { IClaudePolicy } from '../usage/tokens';

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
    this.lateNote.className = 'jp-Claude-headerNote';
    this.lateNote.setAttribute('role', 'status');
    this.lateNote.hidden = true;
    options.policy?.changed.connect(() => this.update());
    // Built after the policy arrived (the chat loads when the panel is first shown): apply it
    // now rather than after the upstream's model list.
    void options.policy?.ready.then(() => this.update());
  }

  /**
   * The select in its wrapper.
   */
  readonly node = document.createElement('div');

  /**
   * A status line for the panel: shown when a question went before the policy arrived.
   */
  readonly lateNote = document.createElement('div');

  /**
   * Ask the upstream for its models, then show them.
   */
  async load(): Promise<void> {
    if (this._options.policy) {
      await policyKnownWithin(this._options.policy);
    }
    this._models = await this._options.listModels(this._options.configured());
    this.update();
  }

  /**
   * Wait for the administrator's policy (a bounded wait) and apply it; false if it is late.
   */
  async policyKnown(): Promise<boolean> {
    const policy = this._options.policy;
    const known = policy ? await policyKnownWithin(policy) : true;
    this.lateNote.hidden = known;
    this.lateNote.textContent = known
      ? ''
      : this._options.trans.__(
          "The Jupyter server has not sent the administrator's policy within %1 seconds: the question went with the model picked, and the server still applies the policy.",
          POLICY_WAIT_MS / 1000
        );
    this.update();
    return known;
  }

  /**
   * Show the models, the configured one selected (listed even if the upstream doesn't know it).
   */
  update(): void {
    const policy = this._options.policy;
    const allowed = policy?.policy.allowedModels ?? [];
    let configured = this._options.configured();
    let choices = this._models.some(m => m.id === configured)
      ? this._models
      : [{ id: configured, displayName: configured }, ...this._models];
    if (allowed.length) {
      // Only what the administrator allows, in their order; names from the upstream's list.
      choices = allowed.map(id => choices.find(m => m.id === id) ?? { id, displayName: id });
      if (!allowed.includes(configured)) {
        // The server would refuse it: use the first allowed model instead.
        configured = allowed[0];
        void this._options.setModel(configured);
      }
    }
    const managed = !!policy?.isManaged('allowed_models') && allowed.length > 0;
    this.node.classList.toggle('jp-mod-managed', managed);
    this._select.title = managed
      ? this._options.trans.__('Model used for the next question. The models offered are set by your administrator.')
      : this._options.trans.__('Model used for the next question');
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
    /** The administrator's policy: only its allowed models are offered. */
    policy?: IClaudePolicy | null;
  }
}
