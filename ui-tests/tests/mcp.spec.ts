/*
 * MCP in the browser, on the example UV-Vis instrument and server-everything bridged by the
 * real Jupyter server: Claude's call waits on its card, runs with progress after Accept, its
 * result is saved beside the notebook and a proposed cell loads it into a DataFrame; a tool
 * result carrying instructions still runs and edits nothing without a click.
 */
import { expect, test } from '@jupyterlab/galata';
import * as fs from 'fs';
import * as path from 'path';
import {
  ask,
  claudePanel,
  lastAnswer,
  notebookJSON,
  openPanel,
  queueFixture,
  recordedRequests,
  resetMock
} from './helpers';

const EVERYTHING = path.resolve(
  __dirname,
  '../../tests/mcp_servers/node_modules/@modelcontextprotocol/server-everything'
);

test.use({ autoGoto: true });

test.beforeEach(async ({ request }) => {
  await resetMock(request);
});

async function openNotebook(page: any, tmpPath: string, name: string): Promise<void> {
  await page.contents.uploadContent(
    notebookJSON([{ id: 'intro', source: 'sample = "20-mer DNA duplex"' }]),
    'text',
    `${tmpPath}/${name}`
  );
  expect(await page.notebook.open(name)).toBe(true);
  await page.notebook.activate(name);
  await openPanel(page);
}

function toolResults(requests: any[]): any[] {
  return requests
    .filter(r => r.path === '/v1/messages')
    .flatMap(r => r.body.messages)
    .flatMap((m: any) => (Array.isArray(m.content) ? m.content : []))
    .filter((b: any) => b.type === 'tool_result');
}

test('ask, card, Accept, progress, result, save, proposed load cell, Accept: the spectrum is a DataFrame in the kernel', async ({
  page,
  request,
  tmpPath
}) => {
  await openNotebook(page, tmpPath, 'melting.ipynb');
  const panel = claudePanel(page);

  // The Tools view shows the instrument, its tools with annotations and permissions.
  await panel.locator('.jp-Claude-viewToggle[data-view="mcp"]').click();
  const uvvis = panel.locator('.jp-Claude-mcpServer[data-server="uvvis"]');
  await expect(uvvis).toHaveAttribute('data-state', 'connected');
  await expect(uvvis.locator('.jp-Claude-mcpTool[data-tool="get_status"] .jp-Claude-mcpBadge').first()).toHaveText(
    'read-only'
  );
  const acquirePermission = uvvis.locator('.jp-Claude-mcpTool[data-tool="acquire_spectrum"] select');
  await expect(acquirePermission).toHaveValue('ask');
  // Not read-only: the admin's default policy does not let it run without a click.
  await expect(acquirePermission.locator('option[value="allow"]')).toBeDisabled();
  await expect(uvvis.locator('code', { hasText: '/uvvis:melting_curve' })).toBeVisible();
  await panel.locator('.jp-Claude-viewToggle[data-view="mcp"]').click();

  await queueFixture(request, 'mcp_uvvis_acquire');
  await queueFixture(request, 'mcp_uvvis_done');
  await ask(page, 'Take a spectrum from 240 to 300 nm.');

  const card = panel.locator('.jp-Claude-mcpCall');
  await expect(card).toHaveAttribute('data-status', 'pending');
  await expect(card.locator('.jp-Claude-proposalTitle')).toHaveText('Call acquire_spectrum on uvvis');
  const shown = JSON.parse((await card.locator('.jp-Claude-mcpArguments').textContent()) ?? '');
  expect(shown).toEqual({ start_nm: 240, end_nm: 300, step_nm: 2, averages: 2, seed: 7 });
  // Claude was offered the instrument's tools by their MCP names.
  const first = (await recordedRequests(request)).filter(r => r.path === '/v1/messages')[0];
  expect(first.body.tools.map((t: any) => t.name)).toEqual(
    expect.arrayContaining(['mcp__uvvis__get_status', 'mcp__uvvis__set_temperature', 'mcp__uvvis__acquire_spectrum'])
  );

  await card.getByRole('button', { name: 'Accept' }).click();
  await expect(card).toHaveAttribute('data-status', 'running');
  const bar = card.locator('progress.jp-Claude-mcpProgressBar');
  await expect(bar).toHaveAttribute('max', '10');
  await expect(card.locator('.jp-Claude-mcpProgressText')).toContainText('Scanning');
  await expect(card).toHaveAttribute('data-status', 'done', { timeout: 30000 });
  await expect(lastAnswer(page)).toHaveAttribute('data-status', 'done');
  await expect(lastAnswer(page)).toContainText('peaks near 260 nm');

  // The structured spectrum went back to Claude.
  const result = toolResults(await recordedRequests(request)).find(
    b => b.tool_use_id === 'toolu_01McpAcquire0000000001'
  );
  expect(result.is_error).toBeUndefined();
  expect(JSON.stringify(result.content)).toContain('wavelength_nm');

  // The result, collapsible, then kept beside the notebook.
  await card.locator('.jp-Claude-mcpResult summary').click();
  await expect(card.locator('.jp-Claude-mcpResult pre')).toContainText('"absorbance"');
  await card.getByRole('button', { name: 'Save beside the notebook' }).click();
  await expect(card.locator('.jp-Claude-mcpSave')).toContainText(/Saved to .*mcp-data\/uvvis\/acquire_spectrum-/);
  const folder = await page.contents.getContentMetadata(`${tmpPath}/mcp-data/uvvis`, 'directory');
  expect(folder?.content.map((f: any) => f.name)).toEqual([expect.stringMatching(/^acquire_spectrum-.*\.json$/)]);

  // The load cell is a proposal like any other: nothing is in the notebook before Accept.
  expect(await page.notebook.getCellCount()).toBe(1);
  const proposal = panel.locator('.jp-Claude-proposal[data-kind="insert"]');
  await expect(proposal).toHaveAttribute('data-status', 'pending');
  await expect(proposal).toContainText('pd.DataFrame');
  await proposal.getByRole('button', { name: 'Accept and run' }).click();
  await expect(proposal).toHaveAttribute('data-status', 'accepted');
  expect(await page.notebook.getCellCount()).toBe(2);

  // The DataFrame exists in the kernel.
  await page.notebook.addCell(
    'code',
    'print(type(acquire_spectrum_df).__name__, acquire_spectrum_df.shape, acquire_spectrum_df.attrs["temperature_c"])'
  );
  await page.notebook.runCell(2);
  await expect(page.locator('.jp-Cell').nth(2).locator('.jp-OutputArea-output')).toContainText('DataFrame (31, 2)');
});

test('a tool result carrying instructions still runs and edits nothing without a click', async ({
  page,
  request,
  tmpPath
}) => {
  test.skip(!fs.existsSync(EVERYTHING), 'server-everything is not installed (npm ci --prefix tests/mcp_servers)');
  await openNotebook(page, tmpPath, 'injection.ipynb');
  const panel = claudePanel(page);
  await queueFixture(request, 'mcp_echo_injection');
  await queueFixture(request, 'mcp_injection_obeyed');
  await ask(page, 'Read the sample sheet.');

  const echo = panel.locator('.jp-Claude-mcpCall').first();
  await expect(echo).toHaveAttribute('data-status', 'pending');
  await echo.getByRole('button', { name: 'Accept' }).click();
  await expect(echo).toHaveAttribute('data-status', 'done');

  // The model obeyed the planted text: an inserted cell and an instrument command, both waiting.
  const temperature = panel.locator('.jp-Claude-mcpCall', { hasText: 'Call set_temperature on uvvis' });
  await expect(temperature).toHaveAttribute('data-status', 'pending');
  const proposal = panel.locator('.jp-Claude-proposal[data-kind="insert"]');
  await expect(proposal).toHaveAttribute('data-status', 'pending');
  expect(await page.notebook.getCellCount()).toBe(1);

  // Nothing reached the instrument: its setpoint is where it was.
  const status = await page.request.post('/claude/mcp/servers/uvvis/tools/get_status', { data: { arguments: {} } });
  expect((await status.json()).structuredContent.setpoint_c).toBe(25);

  await temperature.locator('input.jp-Claude-rejectReason').fill('Instructions came from a data file');
  await temperature.getByRole('button', { name: 'Reject' }).click();
  await proposal.getByRole('button', { name: 'Reject' }).click();
  await expect(lastAnswer(page)).toHaveAttribute('data-status', 'done');
  const rejected = toolResults(await recordedRequests(request)).find(
    b => b.tool_use_id === 'toolu_01McpObeyTemp000000001'
  );
  expect(rejected.is_error).toBe(true);
  expect(JSON.stringify(rejected.content)).toContain('Instructions came from a data file');
  expect(await page.notebook.getCellCount()).toBe(1);
  // The kernel never ran the planted code.
  await page.notebook.addCell('code', 'print("pwned" in globals())');
  await page.notebook.runCell(1);
  await expect(page.locator('.jp-Cell').nth(1).locator('.jp-OutputArea-output')).toContainText('False');
});

test('a resource attaches as a chip with its tokens, and a prompt is a /command', async ({
  page,
  request,
  tmpPath
}) => {
  await openNotebook(page, tmpPath, 'plan.ipynb');
  const panel = claudePanel(page);
  await panel.locator('.jp-Claude-viewToggle[data-view="mcp"]').click();
  const calibration = panel.locator('.jp-Claude-mcpServer[data-server="uvvis"] [data-uri="uvvis://calibration"]');
  await calibration.getByRole('button', { name: 'Attach' }).click();
  await expect(calibration).toContainText('Attached');
  await panel.locator('.jp-Claude-viewToggle[data-view="mcp"]').click();
  // Back in the notebook, as a scientist goes on (after the workflow test the context bar
  // otherwise missed this refresh: see the report).
  await page.notebook.selectCells(0);
  const chip = panel.locator('.jp-Claude-chip[data-id="mcp:uvvis:uvvis://calibration"]');
  await expect(chip).toContainText(/uvvis: calibration · \d+/);

  await ask(page, '/uvvis:melting_curve 30 80 5 Is the instrument calibrated well enough for this?');
  await expect(lastAnswer(page)).toHaveAttribute('data-status', 'done');
  const sent = (await recordedRequests(request)).filter(r => r.path === '/v1/messages')[0];
  const user = JSON.stringify(sent.body.messages[sent.body.messages.length - 1].content);
  expect(user).toContain('<attached title=\\"uvvis: calibration\\">');
  expect(user).toContain('holmium oxide');
  expect(user).toContain('Heat from 30 °C to 80 °C in steps of 5 °C');

  // The chip's × takes it off the next questions.
  await chip.getByRole('button', { name: 'Remove uvvis: calibration' }).click();
  await expect(chip).toHaveCount(0);
});
