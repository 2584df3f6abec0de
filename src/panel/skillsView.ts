/*
 * The Skills view: every skill in force with its source, size and switch, what it shadows,
 * its instructions rendered as sanitized Markdown on demand, and malformed skills with the
 * exact problem.
 */
import { MimeModel, type IRenderMimeRegistry } from '@jupyterlab/rendermime';
import type { TranslationBundle } from '@jupyterlab/translation';
import { Switch } from '@jupyterlab/ui-components';
import { Panel, Widget } from '@lumino/widgets';
import type { ISkillCatalog, ISkillEntry } from '../skills/tokens';
import { RemoteContent } from './remote';

const MARKDOWN = 'text/markdown';

/**
 * The Skills view of the panel.
 */
export class SkillsView extends Panel {
  constructor(options: SkillsView.IOptions) {
    super();
    this._catalog = options.catalog;
    this._rendermime = options.rendermime;
    this._trans = options.trans;
    this.addClass('jp-Claude-skillsView');
    this.node.setAttribute('role', 'region');
    this.node.setAttribute('aria-label', this._trans.__('Skills'));
    const head = new Widget();
    head.addClass('jp-Claude-skillsHead');
    const refresh = document.createElement('button');
    refresh.type = 'button';
    refresh.className = 'jp-mod-styled jp-Claude-skillsRefresh';
    refresh.textContent = this._trans.__('Refresh');
    refresh.addEventListener('click', () => void this.refresh());
    head.node.append(this._summary, refresh);
    this.addWidget(head);
    this._list.addClass('jp-Claude-skillsList');
    this.addWidget(this._list);
    this._catalog.changed.connect(this._render, this);
    this._render();
  }

  /**
   * List the skills again from the server.
   */
  async refresh(): Promise<void> {
    try {
      await this._catalog.refresh();
      this._error = '';
    } catch (error) {
      this._error = this._trans.__('The skills could not be listed: %1', (error as Error).message);
    }
    this._render();
  }

  protected onAfterShow(): void {
    void this.refresh();
  }

  private _render(): void {
    const entries = this._catalog.entries;
    const valid = entries.filter(e => !e.problems.length);
    const on = valid.filter(e => e.enabled).length;
    this._summary.className = 'jp-Claude-skillsSummary';
    this._summary.textContent = this._trans.__(
      '%1 of %2 skills offered to Claude. Only their names and descriptions are sent; Claude loads one when a question needs it.',
      on,
      valid.length
    );
    for (const widget of [...this._list.widgets]) {
      widget.dispose();
    }
    const notes = [this._error, ...this._catalog.problems].filter(Boolean);
    for (const note of notes) {
      const line = new Widget();
      line.addClass('jp-Claude-skillsProblem');
      line.node.textContent = note;
      this._list.addWidget(line);
    }
    if (!entries.length && !notes.length) {
      const empty = new Widget();
      empty.addClass('jp-Claude-skillsEmpty');
      empty.node.textContent = this._trans.__(
        'No skills found. Put skill folders (each with a SKILL.md) in ~/.claude/skills or in .claude/skills of the project.'
      );
      this._list.addWidget(empty);
    }
    for (const entry of entries) {
      this._list.addWidget(this._card(entry));
    }
  }

  private _card(entry: ISkillEntry): Widget {
    const trans = this._trans;
    const card = new Panel();
    card.addClass('jp-Claude-skill');
    card.node.dataset.skill = entry.name;
    card.node.dataset.source = entry.source;
    const head = new Widget();
    head.addClass('jp-Claude-skillHead');
    const name = document.createElement('span');
    name.className = 'jp-Claude-skillName';
    name.textContent = entry.name;
    const meta = document.createElement('span');
    meta.className = 'jp-Claude-skillMeta';
    meta.textContent = trans.__('%1 · %2', Private.sourceLabel(entry.source, trans), Private.size(entry.size));
    meta.title = entry.location;
    head.node.append(name, meta);
    card.addWidget(head);
    if (!entry.problems.length) {
      const toggle = new Switch();
      toggle.addClass('jp-Claude-skillSwitch');
      toggle.value = !entry.disabled;
      toggle.label = trans.__('Offered');
      toggle.caption = trans.__('Offer %1 to Claude', entry.name);
      toggle.valueChanged.connect((_, change) => void this._catalog.setEnabled(entry.name, change.newValue));
      card.addWidget(toggle);
    }
    const lines: Array<[string, string]> = [['jp-Claude-skillDescription', entry.description]];
    for (const problem of entry.problems) {
      lines.push(['jp-Claude-skillProblem', problem]);
    }
    for (const warning of entry.warnings) {
      lines.push(['jp-Claude-skillWarning', warning]);
    }
    for (const shadowed of entry.shadows) {
      lines.push([
        'jp-Claude-skillShadow',
        trans.__(
          'Hides the %1 skill of the same name (%2).',
          Private.sourceLabel(shadowed.source, trans),
          shadowed.location
        )
      ]);
    }
    if (entry.allowed_tools.length) {
      lines.push([
        'jp-Claude-skillNote',
        trans.__('Asks for tools %1: nothing is pre-approved here.', entry.allowed_tools.join(', '))
      ]);
    }
    for (const [className, text] of lines) {
      if (text) {
        const line = new Widget();
        line.addClass(className);
        line.node.textContent = text;
        card.addWidget(line);
      }
    }
    if (!entry.problems.length) {
      card.addWidget(this._bodyToggle(entry));
    }
    return card;
  }

  private _bodyToggle(entry: ISkillEntry): Widget {
    const trans = this._trans;
    const holder = new Panel();
    holder.addClass('jp-Claude-skillBodyHolder');
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'jp-mod-styled jp-Claude-skillShowBody';
    button.textContent = trans.__('Instructions');
    button.setAttribute('aria-expanded', 'false');
    const bar = new Widget();
    bar.node.append(button);
    holder.addWidget(bar);
    let body: Widget | null = null;
    button.addEventListener('click', async () => {
      if (body) {
        body.dispose();
        body = null;
        button.setAttribute('aria-expanded', 'false');
        return;
      }
      button.setAttribute('aria-expanded', 'true');
      // Untrusted (a skill is someone else's text): rendermime sanitizes it, as it does answers.
      const renderer = RemoteContent.rendermime(this._rendermime, trans).createRenderer(MARKDOWN);
      renderer.addClass('jp-Claude-skillBody');
      body = renderer;
      holder.addWidget(renderer);
      let text: string;
      try {
        text = (await this._catalog.body(entry.name, { evenIfOff: true })).body;
      } catch (error) {
        text = trans.__('The instructions could not be read: %1', (error as Error).message);
      }
      await renderer.renderModel(new MimeModel({ data: { [MARKDOWN]: text }, trusted: false }));
    });
    return holder;
  }

  private _catalog: ISkillCatalog;
  private _rendermime: IRenderMimeRegistry;
  private _trans: TranslationBundle;
  private _summary = document.createElement('div');
  private _list = new Panel();
  private _error = '';
}

export namespace SkillsView {
  export interface IOptions {
    catalog: ISkillCatalog;
    rendermime: IRenderMimeRegistry;
    trans: TranslationBundle;
  }
}

namespace Private {
  export function sourceLabel(source: string, trans: TranslationBundle): string {
    switch (source) {
      case 'built-in':
        return trans.__('built-in');
      case 'admin':
        return trans.__('admin');
      case 'user':
        return trans.__('user');
      default:
        return trans.__('project');
    }
  }

  export function size(bytes: number): string {
    return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(bytes < 10240 ? 1 : 0)} KB`;
  }
}
