/**
 * Check-setting flags -> the SDK's settings object (the SDK checks them: src/credentials/settings.ts).
 * An absent flag is left out; '' is kept, and clears the setting on update.
 */
export function settingsFromFlags(o: { checkUrl?: string; authHeader?: string; expect?: string; tokenAuth?: string; project?: string; location?: string }): Record<string, string> {
  const s: Record<string, string> = {}
  if (o.checkUrl !== undefined) s.check_url = o.checkUrl
  if (o.authHeader !== undefined) s.auth_header = o.authHeader
  if (o.expect !== undefined) s.expect = o.expect
  if (o.tokenAuth !== undefined) s.token_auth = o.tokenAuth
  if (o.project !== undefined) s.project = o.project
  if (o.location !== undefined) s.location = o.location
  return s
}
