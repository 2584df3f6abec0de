/*
 * Loading the executed notebooks in `fixtures/` (rebuilt by `fixtures/build_fixtures.py`).
 */
import * as fs from 'fs';
import * as path from 'path';
import type { INotebookContent, IOutput } from '@jupyterlab/nbformat';

export function loadNotebook(name: string): INotebookContent {
  return JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', `${name}.ipynb`), 'utf-8'));
}

export function cellById(nb: INotebookContent, id: string) {
  const cell = nb.cells.find(c => c.id === id);
  if (!cell) {
    throw new Error(`no cell ${id}`);
  }
  return cell;
}

export function outputsOf(nb: INotebookContent, id: string): IOutput[] {
  return (cellById(nb, id).outputs as IOutput[]) ?? [];
}

/**
 * A fake Anthropic key made at test time, so no key-shaped string is committed.
 */
export function fakeAnthropicKey(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let tail = '';
  for (let i = 0; i < 40; i++) {
    tail += alphabet[Math.floor(Math.random() * alphabet.length)];
  }
  return ['sk', 'ant', 'api03', tail].join('-');
}
