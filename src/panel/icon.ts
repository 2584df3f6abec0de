import { LabIcon } from '@jupyterlab/ui-components';
import claudeSvg from '../../style/icons/claude.svg';

/**
 * The Claude panel's icon.
 */
export const claudeIcon = new LabIcon({
  name: 'jupyterlab-claude:claude',
  svgstr: claudeSvg
});
