// The transport findings from Node: one login for many waiting calls, no duplicate rows, slow downloads with
// progress (and onProgress stopping one), 429 as RateLimitedError with the server's Retry-After.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { startEmulator, TimeoutError, TransportError, RateLimitedError } from 'hostapi'

let emu
before(async () => {
  emu = await startEmulator()
})
after(async () => {
  await emu.stop()
})

const backupPath = (url) => '/_emulator/' + url.split('/_emulator/')[1]

test('200 calls waiting on a silent login fail together after one login', async () => {
  await emu.reset()
  await emu.addFault({ path: '/v1/session', delayMs: 10000, action: 'reset', times: 100 })
  const c = emu.velneoClient({ timeoutMs: 1000, retries: 0 })
  const started = performance.now()
  const results = await Promise.allSettled(Array.from({ length: 200 }, () => c.vserver.status()))
  const took = performance.now() - started
  assert.ok(results.every((r) => r.status === 'rejected' && r.reason instanceof TimeoutError), String(results[0].reason))
  assert.equal(await emu.requests('/v1/session'), 1)
  assert.ok(took < 5000, `took ${took} ms`)
  await c.close()
})

test('a row added and answered 502 is not added twice', async () => {
  await emu.reset()
  const c = emu.wedosClient({ stateDir: ':memory:' })
  await emu.addFault({ path: '/wapi/json', status: 502, apply: true })
  const answer = await c.dns.addRow('example.cz', 'dup', 'A', '192.0.2.10')
  assert.equal(answer.code, 1000)
  const rows = await c.dns.rows('example.cz')
  assert.equal(rows.filter((r) => r.name === 'dup').length, 1)
  await c.close()
})

test('a backup start whose connection drops says it may have been applied', async () => {
  await emu.reset()
  const c = emu.velneoClient()
  await c.login()
  await emu.addFault({ path: '/v1/vserver', action: 'reset' })
  await assert.rejects(c.vserver.backup(), (e) => e instanceof TransportError && e.mayHaveApplied === true)
  assert.equal(await emu.requests('/v1/vserver'), 1)
  await c.close()
})

test('a slow download completes with onProgress reports', async () => {
  await emu.reset()
  const c = emu.velneoClient({ timeoutMs: 500, retries: 0 })
  const backup = await c.vserver.backup()
  const size = 2000000
  await emu.addFault({ path: backupPath(backup.url), action: 'drip', size, dripBytes: 100000, dripIntervalMs: 100 })
  const dir = mkdtempSync(join(tmpdir(), 'hostapi-node-dl-'))
  const reports = []
  const n = await c.vserver.downloadBackup(backup, join(dir, 'b.zip'), { onProgress: (p) => reports.push(p) })
  assert.equal(n, size)
  assert.equal(statSync(join(dir, 'b.zip')).size, size)
  // The last report is delivered before the promise settles or right after: give the JS queue a turn.
  await new Promise((resolve) => setImmediate(resolve))
  assert.ok(reports.length >= 5, `${reports.length} reports`)
  assert.deepEqual({ ...reports.at(-1) }, { received: size, total: size })
  await c.close()
})

test('onProgress throwing stops the download and rejects with its error', async () => {
  await emu.reset()
  const c = emu.velneoClient()
  const backup = await c.vserver.backup()
  await emu.addFault({ path: backupPath(backup.url), action: 'drip', size: 1000000, dripBytes: 50000, dripIntervalMs: 100 })
  const dir = mkdtempSync(join(tmpdir(), 'hostapi-node-dl-'))
  const enough = new Error('enough')
  await assert.rejects(c.vserver.downloadBackup(backup, join(dir, 'b.zip'), { onProgress: () => { throw enough } }), (e) => e === enough)
  await assert.rejects(c.vserver.downloadBackup(backup, join(dir, 'c.zip'), { onProgress: 'no' }), /onProgress must be a function/)
  // The stopped download leaves no file (its temporary file is removed once the request is dropped).
  await new Promise((resolve) => setTimeout(resolve, 300))
  assert.deepEqual(readdirSync(dir), [])
  await c.close()
})

test('HTTP 429 with Retry-After is a RateLimitedError', async () => {
  await emu.reset()
  const c = emu.velneoClient()
  await c.login()
  await emu.addFault({ path: '/v1/vserver', status: 429, headers: { 'Retry-After': '30' }, times: 5 })
  await assert.rejects(c.vserver.status(), (e) => e instanceof RateLimitedError && e.retryAfterMs === 30000 && e.httpStatus === 429)
  await c.close()
})
