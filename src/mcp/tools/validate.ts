import type { CallRecord } from '../context.js'

/** The existing check of one credential (client.validate: the verdict stored, the message redacted). */
export async function validateCredential(call: CallRecord, a: { credential: string }): Promise<{ status: string; message: string; is_valid: boolean | null; duration_ms: number }> {
  const c = await call.ctx.scope.find(a.credential)
  call.credentials = [c]
  call.ctx.gate.charge(c.id)
  await call.start()
  const r = await call.ctx.api.validate(c.id)
  call.detail.push(r.status)
  return { status: r.status, message: r.message, is_valid: r.is_valid, duration_ms: r.duration_ms }
}
