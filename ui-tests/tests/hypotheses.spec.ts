/*
 * Hypotheses: Claude proposes records with falsification tests; the scientist accepts them;
 * the test cells run in a real kernel (pandas + scipy) on DiscoveryBench's NLS incarceration
 * data; the ledger computes each verdict from the cells' results and corrects for multiplicity.
 */
import { expect, test, type IJupyterLabPageFixture } from '@jupyterlab/galata';
import * as path from 'path';
import {
  claudePanel,
  lastAnswer,
  notebookJSON,
  queueFixture,
  recordedRequests,
  reloadWith,
  resetMock
} from './helpers';

const CSV = path.resolve(
  __dirname,
  '../../examples/data/discoverybench/nls_incarceration/nls_incarceration_processed.csv'
);

const NOTEBOOK = notebookJSON([
  {
    id: 'load',
    source: 'import pandas as pd\ndf = pd.read_csv("nls_incarceration_processed.csv")\ndf.shape'
  }
]);

/** The cells of the notebook in focus: index, type, source, and their `claude` metadata. */
async function cells(
  page: IJupyterLabPageFixture
): Promise<Array<{ id: string; type: string; source: string; claude: any }>> {
  return page.evaluate(() => {
    const model = (window as any).jupyterapp.shell.currentWidget.content.model;
    return Array.from({ length: model.cells.length }, (_, i) => {
      const cell = model.cells.get(i);
      return {
        id: cell.id,
        type: cell.type,
        source: cell.sharedModel.getSource(),
        claude: cell.getMetadata('claude') ?? null
      };
    });
  });
}

async function notebookMetadata(page: IJupyterLabPageFixture): Promise<any> {
  return page.evaluate(
    () => (window as any).jupyterapp.shell.currentWidget.content.model.getMetadata('claude') ?? null
  );
}

async function testCellIndices(page: IJupyterLabPageFixture): Promise<number[]> {
  return (await cells(page)).flatMap((c, i) => (c.claude?.kind === 'hypothesis-test' ? [i] : []));
}

function ledger(page: IJupyterLabPageFixture) {
  return claudePanel(page).locator('.jp-Claude-ledger');
}

async function showLedger(page: IJupyterLabPageFixture): Promise<void> {
  const toggle = claudePanel(page).locator('.jp-Claude-ledgerToggle');
  if ((await toggle.getAttribute('aria-pressed')) !== 'true') {
    await toggle.click();
  }
  await expect(ledger(page)).toBeVisible();
}

async function showChat(page: IJupyterLabPageFixture): Promise<void> {
  const toggle = claudePanel(page).locator('.jp-Claude-ledgerToggle');
  if ((await toggle.getAttribute('aria-pressed')) === 'true') {
    await toggle.click();
  }
}

const SEX = 'Among respondents jailed between 1985 and 1994, men had higher composite wealth in 1996 than women.';
const RACE =
  'Among respondents who were later jailed, Hispanic respondents had lower composite wealth in 1985 than white respondents.';

function row(page: IJupyterLabPageFixture, statement: string) {
  return ledger(page).locator('.jp-Claude-ledgerRow').filter({ hasText: statement });
}

test.use({ autoGoto: true });

test.beforeEach(async ({ page, request, tmpPath }) => {
  await resetMock(request);
  await page.contents.uploadFile(CSV, `${tmpPath}/nls_incarceration_processed.csv`);
  await page.contents.uploadContent(NOTEBOOK, 'text', `${tmpPath}/wealth.ipynb`);
  expect(await page.notebook.open('wealth.ipynb')).toBe(true);
  await page.notebook.runCell(0);
});

/** Ask for hypotheses, accept both, run both tests. */
async function acceptAndRunBoth(page: IJupyterLabPageFixture, request: any): Promise<void> {
  await queueFixture(request, 'hypotheses_two');
  const box = claudePanel(page).getByRole('textbox', { name: 'Ask Claude' });
  await page.locator('.jp-SideBar.jp-mod-right li[data-id="jp-claude-panel"]').click();
  await box.fill('What could we test about wealth among the respondents who were jailed?');
  await box.press('Enter');

  // (Running the last cell added an empty one below it, as Shift+Enter does.)
  const before = await cells(page);
  const cards = claudePanel(page).locator('.jp-Claude-hypothesisCard');
  await expect(cards).toHaveCount(2);
  await expect(cards.nth(0)).toHaveAttribute('data-status', 'pending');
  await expect(cards.nth(0).locator('.jp-Claude-hypothesisStatement')).toHaveText(SEX);
  await expect(cards.nth(0).locator('.jp-Claude-hypothesisFacts')).toContainText('Welch t-test, α = 0.05, two-sided');
  await expect(cards.nth(0).locator('.cm-content')).toContainText('stats.ttest_ind(men, women, equal_var=False)');
  // Proposed is not recorded: the notebook is untouched until the scientist accepts.
  expect(await notebookMetadata(page)).toBeNull();
  expect(await cells(page)).toEqual(before);

  await cards.nth(0).getByRole('button', { name: 'Accept for testing' }).click();
  await expect(cards.nth(0)).toHaveAttribute('data-status', 'accepted');
  await cards.nth(1).getByRole('button', { name: 'Accept for testing' }).click();
  await expect(cards.nth(1)).toHaveAttribute('data-status', 'accepted');
  // Claude heard both decisions and finished its answer.
  await expect(lastAnswer(page)).toHaveAttribute('data-status', 'done');

  const all = await cells(page);
  expect(all.slice(0, before.length)).toEqual(before);
  expect(all.slice(before.length).map(c => [c.type, c.claude?.kind ?? null])).toEqual([
    ['markdown', 'hypothesis-statement'],
    ['code', 'hypothesis-test'],
    ['markdown', 'hypothesis-statement'],
    ['code', 'hypothesis-test']
  ]);
  const stored = (await notebookMetadata(page)).hypotheses;
  const records = Object.values(stored) as any[];
  expect(records).toHaveLength(2);
  for (const record of records) {
    expect(record.status).toBe('accepted');
    expect(all.find(c => c.id === record.testCellId)?.claude?.hypothesis_id).toBe(record.id);
    expect(all.find(c => c.id === record.statementCellId)?.source).toContain(record.statement);
  }
  // Accepting ran nothing.
  for (const index of await testCellIndices(page)) {
    await expect((await page.notebook.getCellLocator(index))!.locator('.jp-OutputArea-output')).toHaveCount(0);
  }

  for (const index of await testCellIndices(page)) {
    await page.notebook.runCell(index);
  }
}

test('two hypotheses: accepted, tested in the kernel, verdicts computed and corrected, kept across a reload, exported', async ({
  page,
  request,
  tmpPath
}) => {
  await acceptAndRunBoth(page, request);
  await showLedger(page);

  // Holm across the two tests: each p is below 0.05 on its own, neither survives.
  await expect(ledger(page).locator('.jp-Claude-ledgerFamily')).toHaveText(
    'Holm across the 2 tests run in this notebook'
  );
  await expect(row(page, SEX).locator('.jp-Claude-ledgerEvidence')).toContainText('p = 0.048');
  await expect(row(page, SEX).locator('.jp-Claude-ledgerEvidence')).toContainText('adjusted p = 0.083');
  await expect(row(page, SEX).locator('.jp-Claude-ledgerEvidence')).toContainText('n = 289');
  await expect(row(page, RACE).locator('.jp-Claude-ledgerEvidence')).toContainText('p = 0.041');
  await expect(row(page, RACE).locator('.jp-Claude-ledgerEvidence')).toContainText('n = 130');
  for (const statement of [SEX, RACE]) {
    await expect(row(page, statement).locator('.jp-Claude-ledgerVerdict')).toHaveText(
      'On its own: supported · after correction: inconclusive'
    );
    await expect(row(page, statement).locator('.jp-Claude-ledgerStatus')).toHaveText('inconclusive');
  }

  // Benjamini-Hochberg controls the false discovery rate instead: both stand.
  await ledger(page).locator('select.jp-Claude-ledgerMethod').selectOption('bh');
  await expect(ledger(page).locator('.jp-Claude-ledgerFamily')).toHaveText(
    'Benjamini-Hochberg across the 2 tests run in this notebook'
  );
  for (const statement of [SEX, RACE]) {
    await expect(row(page, statement).locator('.jp-Claude-ledgerEvidence')).toContainText('adjusted p = 0.048');
    await expect(row(page, statement).locator('.jp-Claude-ledgerStatus')).toHaveText('supported');
  }

  // The evidence lives in the notebook: save, reload, and the ledger is the same.
  const before = (await notebookMetadata(page)).hypotheses;
  for (const record of Object.values(before) as any[]) {
    expect(record.evidence.pValue).toBeGreaterThan(0.04);
    expect(record.evidence.pValue).toBeLessThan(0.05);
    expect(record.status).toBe('supported');
  }
  await page.notebook.save();
  await reloadWith(page, `${tmpPath}/wealth.ipynb`);
  expect((await notebookMetadata(page)).hypotheses).toEqual(before);
  await showLedger(page);
  for (const statement of [SEX, RACE]) {
    await expect(row(page, statement).locator('.jp-Claude-ledgerStatus')).toHaveText('inconclusive');
    await expect(row(page, statement).locator('.jp-Claude-ledgerEvidence')).toContainText('adjusted p = 0.083');
  }

  // The report cites the test cells.
  const tests = await testCellIndices(page);
  await ledger(page).getByRole('button', { name: 'Insert report cell' }).click();
  const after = await cells(page);
  const report = after[after.length - 1];
  expect(report.type).toBe('markdown');
  expect(report.claude?.kind).toBe('hypothesis-report');
  expect(report.source).toContain('Holm');
  for (const index of tests) {
    expect(report.source).toContain(`cell #${index + 1}`);
    expect(report.source).toContain(after[index].id);
  }
  expect(report.source).toContain(SEX);

  await ledger(page).getByRole('button', { name: 'Save report as Markdown' }).click();
  await expect(ledger(page).locator('.jp-Claude-ledgerExport [role="status"]')).toHaveText(
    `Saved ${tmpPath}/wealth-hypotheses.md`
  );
  const saved = await page.contents.getContentMetadata(`${tmpPath}/wealth-hypotheses.md`);
  expect(saved).toBeTruthy();
});

test('a test cell that fails leaves its hypothesis not tested, with the error; an override is kept with its note', async ({
  page,
  request
}) => {
  await acceptAndRunBoth(page, request);
  const [first] = await testCellIndices(page);
  // The scientist breaks the first test (a column that is not there) and runs it again.
  await page.notebook.setCell(first, 'code', 'result = {"p_value": df["wealth_2000"].mean()}');
  await page.notebook.runCell(first);
  await showLedger(page);
  await expect(row(page, SEX).locator('.jp-Claude-ledgerStatus')).toHaveText('not tested');
  await expect(row(page, SEX).locator('.jp-Claude-ledgerEvidence')).toContainText(
    "Test cell failed: KeyError: 'wealth_2000'"
  );
  await expect(ledger(page).locator('.jp-Claude-ledgerFamily')).toHaveText(
    'Holm across the 1 tests run in this notebook'
  );
  // With one test left in the family, the other stands on its own.
  await expect(row(page, RACE).locator('.jp-Claude-ledgerStatus')).toHaveText('supported');

  await row(page, RACE).getByRole('button', { name: 'Override…' }).click();
  const dialog = page.locator('.jp-Dialog');
  await dialog.locator('select').selectOption('retired');
  await dialog.locator('textarea').fill('Only 130 respondents; the 1985 wealth composite is unreliable for them.');
  await dialog.getByRole('button', { name: 'Override' }).click();
  await expect(row(page, RACE).locator('.jp-Claude-ledgerStatus')).toHaveText('retired');
  await expect(row(page, RACE).locator('.jp-Claude-ledgerOverride')).toHaveText(
    'Set to retired by the scientist: Only 130 respondents; the 1985 wealth composite is unreliable for them.'
  );
  // The computed verdict is still there, beside the override.
  await expect(row(page, RACE).locator('.jp-Claude-ledgerVerdict')).toHaveText(
    'On its own: supported · after correction: supported'
  );
  const stored = Object.values((await notebookMetadata(page)).hypotheses) as any[];
  const race = stored.find(h => h.statement === RACE);
  expect(race.override).toMatchObject({ status: 'retired', note: expect.stringContaining('Only 130 respondents') });
  const sex = stored.find(h => h.statement === SEX);
  expect(sex.status).toBe('not_tested');
  expect(sex.evidence.error).toContain('KeyError');
});

test('Claude reads the ledger through a tool before proposing more', async ({ page, request }) => {
  await acceptAndRunBoth(page, request);
  await resetMock(request);
  await queueFixture(request, 'tool_read_hypotheses');
  await showChat(page);
  const answers = claudePanel(page).locator('.jp-Claude-turn-assistant');
  const count = await answers.count();
  const box = claudePanel(page).getByRole('textbox', { name: 'Ask Claude' });
  await box.fill('What should we test next?');
  await box.press('Enter');
  await expect(answers).toHaveCount(count + 1);
  await expect(lastAnswer(page)).toHaveAttribute('data-status', 'done');
  await expect(lastAnswer(page).locator('.jp-Claude-toolCall')).toContainText('Read the hypothesis ledger');
  const requests = (await recordedRequests(request)).filter(r => r.path === '/v1/messages');
  expect(requests).toHaveLength(2);
  const messages = requests[1].body.messages;
  const toolResult = messages[messages.length - 1].content.find((b: any) => b.type === 'tool_result');
  expect(toolResult.tool_use_id).toBe('toolu_01ReadHypotheses0000001');
  const text =
    typeof toolResult.content === 'string' ? toolResult.content : toolResult.content.map((c: any) => c.text).join('');
  expect(text).toContain(SEX);
  expect(text).toContain(RACE);
  expect(text).toMatch(/0\.048/);
  expect(text).toMatch(/holm/i);
  // Both tools were offered to Claude with their schemas.
  const names = requests[0].body.tools.map((t: any) => t.name);
  expect(names).toEqual(expect.arrayContaining(['propose_hypothesis', 'read_hypotheses']));
});
