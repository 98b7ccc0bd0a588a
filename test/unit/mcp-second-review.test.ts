import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { SessionSecrets } from '../../src/mcp/secrets.js'
import { sideEffectCall } from '../../src/mcp/query/pg.js'
import { joinUnderBase } from '../../src/mcp/url.js'

/** What a second review of `credctl mcp` got past the first fixes (issue 15), each refused now. */
describe('mcp: second review', () => {
  it('a secret echoed as JSON \\u escapes or HTML character references is withheld', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9_-]{12,40}$/), fc.constantFrom('json', 'dec', 'hex'), (secret, how) => {
        const s = new SessionSecrets()
        s.add({ type: 'openai', schema_type: null }, secret)
        const enc = [...secret].map((c) => (how === 'json' ? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}` : how === 'dec' ? `&#${c.charCodeAt(0)};` : `&#x${c.charCodeAt(0).toString(16)};`)).join('')
        expect(() => s.refuseJoined({ body: `{"k":"${enc}"}` })).toThrow(/withheld/)
      }),
    )
  })

  it('SQL built from strings and replication slots are refused by name', () => {
    for (const sql of [
      `select query_to_xml('select pg_'||'terminate_backend(1)', true, true, '')`,
      `DO $$ BEGIN EXECUTE 'select 1'; END $$`,
      `select pg_create_physical_replication_slot('s', true)`,
      `select pg_drop_replication_slot('victim')`,
      `select cursor_to_xml('c', 1, true, true, '')`,
    ]) expect(sideEffectCall(sql), sql).toBeDefined()
    expect(sideEffectCall('select id, name from items where done = false')).toBeUndefined()
  })

  it('path parameters and double encoding are refused', () => {
    for (const p of ['/..;/admin', '/v1;x=1/models', '/%252e%252e/admin', '/a%25/b']) expect(() => joinUnderBase('https://api.example.com/v1', p), p).toThrow(/path refused/)
    expect(joinUnderBase('https://api.example.com/v1', '/models').href).toBe('https://api.example.com/v1/models')
  })
})
