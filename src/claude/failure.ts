/*
 * How an answer that did not finish ends: stopped by the scientist, gone silent, or failed
 * (cut if part of it had arrived), with words the scientist can act on.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import { describeError, isUserAbort } from './errors';
import { StreamStalledError } from './stream';
import type { IChatTurn } from './tokens';

/**
 * What decides how an unfinished answer ends.
 */
export interface IFailure {
  /** The scientist pressed Stop. */
  stopping: boolean;
  /** The timeout in force, to name in the message. */
  timeoutSeconds: number;
  trans: TranslationBundle;
}

/**
 * Set an unfinished answer's status and error from what was thrown.
 */
export function endUnfinished(turn: IChatTurn, error: unknown, failure: IFailure): void {
  const { trans } = failure;
  const midStream = turn.text.length > 0 || turn.thinking.length > 0;
  if (error instanceof StreamStalledError) {
    turn.status = midStream ? 'cut' : 'error';
    turn.error = {
      kind: 'timeout',
      title: trans.__('Claude stopped sending (nothing for %1 s)', failure.timeoutSeconds),
      detail: midStream
        ? trans.__('What arrived is kept above. Press Retry to ask again.')
        : trans.__('Press Retry to ask again, or raise the timeout in Settings › Claude.')
    };
  } else if (failure.stopping || isUserAbort(error)) {
    turn.status = 'stopped';
  } else {
    turn.status = midStream ? 'cut' : 'error';
    turn.error = describeError(error, trans, midStream);
    turn.requestId = turn.requestId ?? turn.error.requestId;
  }
}
