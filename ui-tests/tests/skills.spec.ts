/*
 * Skills and project rules in a real JupyterLab: a project skill's description goes with the
 * first request and its body only once Claude asks for it (use_skill, scripted in the local
 * Messages API server); /name makes Claude use it; switching it off takes it out of the next
 * request; the project's AGENTS.md is a removable part of the system prompt.
 */
import { expect, test } from '@jupyterlab/galata';
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

const DESCRIPTION = 'QC of 96-well plate reader exports: blanks, edge effects, saturation.';
const BODY_MARKER = 'PLATE-BODY-MARKER';
const RULE = 'Report every concentration in mol/L with its n.';

/**
 * A cell that installs a project skill and AGENTS.md at the Jupyter root (the kernel runs in
 * the test's folder under it), as a scientist would by copying folders.
 */
function installCell(): string {
  return [
    'import os, pathlib',
    'root = next(p for p in [pathlib.Path.cwd(), *pathlib.Path.cwd().parents] if p.name.startswith("galata-test-"))',
    'skill = root / ".claude" / "skills" / "plate-reader-qc"',
    '(skill / "references").mkdir(parents=True, exist_ok=True)',
    `(skill / "SKILL.md").write_text('---\\nname: plate-reader-qc\\ndescription: "${DESCRIPTION}"\\n---\\n# Plate reader QC\\n\\nSubtract the blank wells first. ${BODY_MARKER}\\n')`,
    '(skill / "references" / "edge.md").write_text("Edge wells evaporate faster.\\n")',
    `(root / "AGENTS.md").write_text("${RULE}\\n")`,
    'print("installed", skill.exists())'
  ].join('\n');
}

const messages = async (request: any) => (await recordedRequests(request)).filter(r => r.path === '/v1/messages');
const systemOf = (r: any) => r.body.system.map((b: any) => b.text).join('\n');

test.use({ autoGoto: true });

test.beforeEach(async ({ request }) => {
  await resetMock(request);
});

test('a project skill: listed, loaded by use_skill, used with /name, switched off; project rules', async ({
  page,
  request,
  tmpPath
}) => {
  await page.contents.uploadContent(
    notebookJSON([{ id: 'install', source: installCell() }]),
    'text',
    `${tmpPath}/plates.ipynb`
  );
  expect(await page.notebook.open('plates.ipynb')).toBe(true);
  await page.notebook.runCell(0);
  await expect(page.locator('.jp-OutputArea-output').filter({ hasText: 'installed True' })).toBeVisible();

  const panel = await openPanel(page);
  // The Skills view lists it from the project, beside the built-in skills.
  const skillsButton = panel.locator('button[data-view="skills"]');
  await skillsButton.click();
  const card = panel.locator('.jp-Claude-skill[data-skill="plate-reader-qc"]');
  await expect(card).toBeVisible();
  await expect(card).toContainText(DESCRIPTION);
  await expect(card.locator('.jp-Claude-skillMeta')).toContainText('project');
  await expect(panel.locator('.jp-Claude-skill[data-source="built-in"]')).toHaveCount(5);
  // Its instructions, rendered as Markdown (a heading, not '#').
  await card.getByRole('button', { name: 'Instructions' }).click();
  await expect(card.locator('.jp-Claude-skillBody h1')).toHaveText(/Plate reader QC/);
  await page.screenshot({ path: test.info().outputPath('skills-view.png') });
  await skillsButton.click();

  // 1. The first request lists the description, not the body; Claude calls use_skill; the
  //    next request's tool result carries the body.
  await queueFixture(request, 'tool_use_skill');
  await ask(page, 'Are the edge wells of plate 3 off?');
  await expect(lastAnswer(page)).toHaveAttribute('data-status', 'done');
  let sent = await messages(request);
  expect(sent).toHaveLength(2);
  expect(systemOf(sent[0])).toContain(`- plate-reader-qc: ${DESCRIPTION}`);
  expect(systemOf(sent[0])).toContain(RULE);
  expect(JSON.stringify(sent[0].body)).not.toContain(BODY_MARKER);
  expect(sent[0].body.tools.map((t: any) => t.name)).toEqual(expect.arrayContaining(['use_skill', 'read_skill_file']));
  const last = sent[1].body.messages[sent[1].body.messages.length - 1];
  const result = last.content.find((b: any) => b.type === 'tool_result');
  expect(result.tool_use_id).toBe('toolu_01UseSkill00000000000001');
  expect(JSON.stringify(result.content)).toContain(BODY_MARKER);

  // 2. /name: typing '/plate' offers the skill; Enter picks it; the question carries the body.
  await resetMock(request);
  const box = panel.getByRole('textbox', { name: 'Ask Claude' });
  await box.click();
  await box.pressSequentially('/plate');
  const option = panel.locator('.jp-Claude-slashOption[data-name="plate-reader-qc"]');
  await expect(option).toBeVisible();
  await expect(option).toHaveAttribute('aria-selected', 'true');
  await page.screenshot({ path: test.info().outputPath('slash-menu.png') });
  await box.press('Enter');
  await expect(box).toHaveValue('/plate-reader-qc ');
  await box.pressSequentially('check plate 2');
  await box.press('Enter');
  await expect(panel.locator('.jp-Claude-turn-assistant')).toHaveCount(2);
  await expect(lastAnswer(page)).toHaveAttribute('data-status', 'done');
  sent = await messages(request);
  const question = sent[0].body.messages[sent[0].body.messages.length - 1].content.map((b: any) => b.text ?? '');
  expect(question.join('\n')).toContain('chose the skill "plate-reader-qc"');
  expect(question.join('\n')).toContain(BODY_MARKER);
  expect(question[question.length - 1]).toBe('/plate-reader-qc check plate 2');

  // 3. Switched off in the Skills view: gone from the next request.
  await skillsButton.click();
  await card.getByRole('switch').click();
  await expect(card.getByRole('switch')).toHaveAttribute('aria-checked', 'false');
  await skillsButton.click();
  await resetMock(request);
  await claudePanel(page).locator('.jp-Claude-newChat').click();
  await expect(panel.locator('.jp-Claude-turn-assistant')).toHaveCount(0);
  await ask(page, 'And plate 4?');
  await expect(panel.locator('.jp-Claude-turn-assistant')).toHaveCount(1);
  await expect(lastAnswer(page)).toHaveAttribute('data-status', 'done');
  sent = await messages(request);
  expect(systemOf(sent[0])).not.toContain('plate-reader-qc');
  expect(systemOf(sent[0])).toContain('- timeseries-qc:');
});

test('project rules: a chip with its tokens, in the system prompt until removed', async ({
  page,
  request,
  tmpPath
}) => {
  await page.contents.uploadContent(
    notebookJSON([{ id: 'install', source: installCell() }]),
    'text',
    `${tmpPath}/rules.ipynb`
  );
  expect(await page.notebook.open('rules.ipynb')).toBe(true);
  await page.notebook.runCell(0);
  const panel = await openPanel(page);
  await ask(page, 'What does this notebook set up?');
  await expect(lastAnswer(page)).toHaveAttribute('data-status', 'done');
  let [sent] = await messages(request);
  expect(sent.body.system.map((b: any) => b.text).join('\n')).toContain(RULE);
  const chip = panel.locator('.jp-Claude-chip[data-id="rules"]');
  await expect(chip).toContainText(/AGENTS\.md · \d+/);
  await chip.getByRole('button', { name: 'Remove AGENTS.md' }).click();
  await expect(panel.locator('.jp-Claude-chip.jp-mod-removed[data-id="rules"]')).toBeVisible();
  await resetMock(request);
  await panel.locator('.jp-Claude-newChat').click();
  await expect(panel.locator('.jp-Claude-turn-assistant')).toHaveCount(0);
  await ask(page, 'Summarise the plate.');
  await expect(panel.locator('.jp-Claude-turn-assistant')).toHaveCount(1);
  await expect(lastAnswer(page)).toHaveAttribute('data-status', 'done');
  [sent] = await messages(request);
  expect(JSON.stringify(sent.body)).not.toContain(RULE);
});
