import { createPrompt, isEnterKey, makeTheme, useKeypress, usePrefix, useState } from '@inquirer/core'

/** A check of an answer: true, or the reason it is refused (shown under the prompt; never the answer). */
export type AnswerCheck = (answer: string) => true | string | Promise<true | string>

/**
 * The hidden prompt for secrets and passphrases. @inquirer/password is close but not right for secrets:
 * - it offers Ctrl-T to show the typed secret in clear (toggleMask), which would draw it on the screen,
 *   in scrollback and in any recording; here nothing typed is ever drawn;
 * - after a refused answer it writes the refused text back into the line, so the user, who cannot see
 *   it, types the next attempt after the rejected one; here a refused answer is dropped and the prompt
 *   asks again on an empty line, with the reason underneath.
 * Nothing per character is drawn either (no `*`): like sudo, ssh and `op`, the length of a secret is not
 * shown to a shoulder, a screen share or a terminal log. A dim "[hidden]" says input is being taken.
 */
export const hiddenPrompt = createPrompt<string, { message: string; validate?: AnswerCheck }>((config, done) => {
  const theme = makeTheme()
  const [status, setStatus] = useState<'idle' | 'loading' | 'done'>('idle')
  const [error, setError] = useState<string | undefined>(undefined)
  const [value, setValue] = useState('')
  const prefix = usePrefix({ status, theme })
  useKeypress(async (key, rl) => {
    if (status !== 'idle') return
    if (isEnterKey(key)) {
      const answer = value
      setStatus('loading')
      const ok = config.validate ? await config.validate(answer) : true
      if (ok === true) {
        setStatus('done')
        done(answer)
      } else {
        // readline emptied its line on Enter: the next attempt starts on an empty line.
        setValue('')
        setError(ok || 'not accepted')
        setStatus('idle')
      }
    } else {
      setValue(rl.line)
      setError(undefined)
    }
  })
  const message = theme.style.message(config.message, status)
  const shown = status === 'done' ? '' : theme.style.help(status === 'loading' ? '[checking]' : '[hidden]')
  return [`${prefix} ${message} ${shown}`, error ? theme.style.error(error) : '']
})
