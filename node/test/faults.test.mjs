// The fault matrix (tests/vectors/faults.json) against the Node package: each misbehaving answer of the emulator's
// fault injection gives the expected error class (or a result), httpStatus, retryAfterMs, mayHaveApplied, number
// of requests reaching the server and a bound on the time taken — as in Rust, Python, C and the command.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

import { startEmulator, HostapiError, RateLimitedError } from 'hostapi'

const root = fileURLToPath(new URL('../../', import.meta.url))
const doc = JSON.parse(readFileSync(`${root}tests/vectors/faults.json`, 'utf8'))
const model = JSON.parse(readFileSync(`${root}docs/operations.json`, 'utf8'))

const camel = (s) => s.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase())

/** The case's settings as the JS options (durations in milliseconds). */
function options (settings) {
  const out = {}
  for (const [k, v] of Object.entries(settings)) {
    if (k === 'timeout' || k === 'connect_timeout') out[`${camel(k)}Ms`] = Math.round(v * 1000)
    else out[camel(k)] = v
  }
  return out
}

/** Calls `operation` the way a user writes it: positional arguments in order, the rest in an options object. */
function call (client, api, operation, args) {
  const spec = model[api].operations.find((o) => o.name === operation)
  const positional = spec.args.filter((a) => a.positional).map((a) => args[a.name])
  const rest = Object.fromEntries(spec.args.filter((a) => !a.positional && a.name in args).map((a) => [camel(a.name), args[a.name]]))
  let target = client
  const parts = operation.split('.')
  for (const p of parts.slice(0, -1)) target = target[camel(p)]
  const method = camel(parts.at(-1))
  return Object.keys(rest).length ? target[method](...positional, rest) : target[method](...positional)
}

for (const c of doc.cases) {
  test(`fault: ${c.name}`, async () => {
    const emu = await startEmulator()
    try {
      const settings = options({ ...doc.defaults.settings, ...(c.settings ?? {}) })
      const client = c.api === 'velneo' ? emu.velneoClient(settings) : emu.wedosClient({ ...settings, stateDir: ':memory:' })
      if (c.api === 'velneo') await client.login()
      const expect = c.expect
      await emu.addFault(Object.fromEntries(Object.entries(c.fault).map(([k, v]) => [camel(k), v])))
      const before = await emu.requests(expect.path)
      const started = performance.now()
      let error = null
      try {
        await call(client, c.api, c.operation, c.args)
      } catch (e) {
        error = e
      }
      const took = (performance.now() - started) / 1000
      const sent = (await emu.requests(expect.path)) - before
      if (expect.kind === null) {
        assert.equal(error, null, `failed: ${error}`)
      } else {
        assert.ok(error instanceof HostapiError, `succeeded or failed otherwise: ${error}`)
        assert.equal(error.kind, expect.kind, error.message)
        if ('http_status' in expect) assert.equal(error.httpStatus, expect.http_status)
        if ('retry_after' in expect) {
          assert.ok(error instanceof RateLimitedError)
          assert.equal(error.retryAfterMs, expect.retry_after * 1000)
        }
        assert.equal(error.mayHaveApplied, expect.may_have_applied ?? false)
        if (['Transport', 'Timeout'].includes(error.kind)) {
          const host = emu.url.replace('http://', '')
          assert.ok(error.message.includes(host) && error.message.includes('attempt'), error.message)
        }
      }
      assert.equal(sent, expect.requests, 'requests that reached the server')
      assert.ok(took < expect.max_secs, `took ${took} s`)
      await client.close?.()
    } finally {
      await emu.stop()
    }
  })
}
