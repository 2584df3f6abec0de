/*
 * Saved conversations: the client of the server's `claude/conversations` routes, and the
 * conversion between a conversation and the JSON file it is saved as.
 *
 * Requests go through `requestAPI`, so Jupyter's token and XSRF protection apply; a failed one
 * throws an `APIError` with the server's message.
 */
import { URLExt } from '@jupyterlab/coreutils';
import type { ServerConnection } from '@jupyterlab/services';
import { requestAPI } from '../api';
import type { IChatTurn, IConversationSummary, TurnStatus } from './tokens';
import type { Conversation } from './conversation';
import { cutText, wellFormedDeep } from '../unicode';

/**
 * The format of the saved files.
 */
export const STORE_VERSION = 1;

/**
 * A conversation as the server saves it (`<root>/.jupyter-claude/conversations/<notebook>/<id>.json`).
 */
export interface IStoredConversation {
  version: number;
  id: string;
  /** The notebook's path relative to the Jupyter root. */
  notebook: string;
  title: string;
  created: string;
  updated?: string;
  model: string;
  turns: IChatTurn[];
  /** Answers replaced by Retry, so that another tab's copy does not bring them back. */
  removed_turns: string[];
}

/**
 * Where conversations are saved.
 */
export interface IConversationStore {
  list(notebook: string): Promise<IConversationSummary[]>;
  get(notebook: string, id: string): Promise<IStoredConversation>;
  /** Save (merged on the server with what another tab saved); resolves with the result. */
  save(notebook: string, conversation: IStoredConversation): Promise<IStoredConversation>;
  remove(notebook: string, id: string): Promise<void>;
}

/**
 * The conversation as it is saved: every finished turn, as the scientist saw it, with the
 * exact Messages API blocks needed to continue it. A turn still streaming is left out.
 */
export function toStored(conversation: Conversation, notebook: string): IStoredConversation {
  const turns = conversation.turns
    .filter(turn => turn.status !== 'streaming')
    .map(turn => JSON.parse(JSON.stringify(turn)) as IChatTurn)
    // Half a character (from a tool or kernel that cut text) would make the save fail.
    .map(turn => wellFormedDeep(turn));
  const model = [...turns].reverse().find(t => t.role === 'assistant' && t.model)?.model ?? '';
  return {
    version: STORE_VERSION,
    id: conversation.id,
    notebook,
    title: titleOf(turns),
    created: conversation.created,
    model,
    turns,
    removed_turns: [...conversation.removedTurnIds]
  };
}

/**
 * A saved conversation, ready for `Conversation.restore`. Malformed turns are dropped; an
 * answer saved while streaming (a tab closed mid-answer) comes back as cut, so Retry works.
 */
export function fromStored(stored: IStoredConversation): Conversation.ISaved {
  const turns: IChatTurn[] = [];
  for (const raw of Array.isArray(stored.turns) ? stored.turns : []) {
    if (!raw || typeof raw.id !== 'string' || (raw.role !== 'user' && raw.role !== 'assistant')) {
      continue;
    }
    const status: TurnStatus = Private.STATUSES.has(raw.status)
      ? raw.status === 'streaming'
        ? 'cut'
        : raw.status
      : 'done';
    turns.push({
      ...raw,
      text: typeof raw.text === 'string' ? raw.text : '',
      thinking: typeof raw.thinking === 'string' ? raw.thinking : '',
      status
    });
  }
  return {
    id: stored.id,
    created: stored.created,
    turns,
    removedTurnIds: Array.isArray(stored.removed_turns) ? stored.removed_turns : []
  };
}

/**
 * The first question's first line.
 */
export function titleOf(turns: ReadonlyArray<IChatTurn>): string {
  const first = turns.find(t => t.role === 'user' && t.text.trim());
  const line = first ? first.text.trim().split('\n')[0].trim() : '';
  return line.length > 100 ? `${cutText(line, 99).trimEnd()}…` : line;
}

/**
 * The server's conversation store, through Jupyter's authenticated connection.
 */
export class ServerConversationStore implements IConversationStore {
  constructor(serverSettings: ServerConnection.ISettings) {
    this._settings = serverSettings;
  }

  async list(notebook: string): Promise<IConversationSummary[]> {
    const reply = await this._request('GET', '', notebook);
    return (reply as { conversations: IConversationSummary[] }).conversations;
  }

  async get(notebook: string, id: string): Promise<IStoredConversation> {
    return (await this._request('GET', id, notebook)) as IStoredConversation;
  }

  async save(notebook: string, conversation: IStoredConversation): Promise<IStoredConversation> {
    return (await this._request('PUT', conversation.id, notebook, conversation)) as IStoredConversation;
  }

  async remove(notebook: string, id: string): Promise<void> {
    await this._request('DELETE', id, notebook);
  }

  private _request(method: string, id: string, notebook: string, body?: unknown): Promise<unknown> {
    const route = id ? URLExt.join('conversations', encodeURIComponent(id)) : 'conversations';
    const init: RequestInit = { method };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers = { 'Content-Type': 'application/json' };
    }
    return requestAPI<unknown>(this._settings, route, init, { notebook });
  }

  private _settings: ServerConnection.ISettings;
}

namespace Private {
  export const STATUSES = new Set<string>(['streaming', 'done', 'stopped', 'cut', 'error']);
}
