// Every operation against the emulator through the clients, errors, abort, concurrency, secrets.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { inspect } from 'node:util'
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, unlinkSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import {
  VelneoClient, WedosClient, startEmulator, HostapiError, ConfigError, ApiError, AuthenticationError,
  TransportError, VServerCredentialsError, RateLimitedError
} from 'hostapi'

let emu
before(async () => {
  emu = await startEmulator()
})
after(async () => {
  await emu.stop()
})

test('every Velneo operation through the client', async () => {
  await emu.reset()
  const c = emu.velneoClient({ timeoutMs: 10000, backoffMs: [10, 50] })
  const session = await c.login()
  assert.equal(typeof session.session, 'string')
  assert.ok(!inspect(session).includes(session.session), 'a session id is not shown')
  const st = await c.vserver.status()
  assert.equal(st.status, 'running')
  assert.ok(Object.isFrozen(st) && st.raw && !Object.keys(st).includes('raw'))
  assert.equal((await c.vserver.stop()).statusCode, 200)
  assert.equal((await c.vserver.waitForState('stopped', { intervalMs: 10, timeoutMs: 5000 })).status, 'stopped')
  await c.vserver.start()
  assert.equal((await c.vserver.waitForState('running', { intervalMs: 10 })).status, 'running')
  await assert.rejects(c.vserver.waitForState('runing'), (e) => e instanceof ConfigError && e.operation === 'velneo vserver.wait_for_state')
  await c.vserver.setCredentials('velneo', 'velneo')
  const backup = await c.vserver.backup()
  const dir = mkdtempSync(join(tmpdir(), 'hostapi-node-'))
  const n = await c.vserver.downloadBackup(backup, join(dir, 'b.zip'))
  assert.ok(n > 0 && readFileSync(join(dir, 'b.zip')).length === n)
  await c.vserver.downloadBackup(backup.url, join(dir, 'c.zip'))
  assert.deepEqual(readdirSync(dir).sort(), ['b.zip', 'c.zip'])

  await c.groups.put('Clientes', { manageSolutions: false })
  assert.equal((await c.groups.get('Clientes')).name, 'Clientes')
  assert.ok((await c.groups.list()).some((g) => g.name === 'Administradores'))
  await c.folders.put('clientes', 'Clientes', { path: 'clientes' })
  assert.equal((await c.folders.get('clientes')).name, 'clientes')
  assert.ok((await c.folders.list()).some((f) => f.name === 'clientes'))
  const data = await c.dataInstances.put('Acme_datos', { project: '2ewlh1l5.vcd', solution: 'Biblioteca', folderShared: 'clientes/acme' })
  assert.equal((await c.dataInstances.get({ id: data.id })).name, 'Acme_datos')
  assert.equal((await c.dataInstances.list()).length, 1)
  const app = await c.appInstances.put('Acme', {
    project: '2ewlh1l5.vca', solution: 'Biblioteca', folderShared: 'clientes/acme', inheritance: { '2ewlh1l5.vcd': data.id }
  })
  assert.equal((await c.appInstances.get('Acme')).solution, 'Biblioteca')
  assert.ok((await c.appInstances.list()).some((a) => a.name === 'Acme'))
  await c.users.put('acme', { password: 's3cret-Pa55', fullName: 'Acme Admin', group: 'Clientes', isSupervisor: false })
  const u = await c.users.get('acme')
  assert.deepEqual([u.fullName, u.isSupervisor, [...u.groups]], ['Acme Admin', false, ['Clientes']])
  assert.equal((await c.users.list('Clientes')).length, 1)
  await c.users.delete('acme')
  await c.appInstances.delete({ id: app.id })
  await c.dataInstances.delete('Acme_datos')
  await c.folders.delete('clientes')
  await c.groups.delete('Clientes')
  assert.equal((await c.logout()).statusCode, 200)
  assert.equal(c.loginCount, 1)
  await c.close()
  assert.ok(c.closed)
  await assert.rejects(c.vserver.status(), (e) => e instanceof ConfigError && /closed/.test(e.message))
})

test('every WEDOS operation through the client', async () => {
  await emu.reset()
  const c = emu.wedosClient({ pollIntervalMs: 50 })
  assert.equal((await c.ping()).code, 1000)
  assert.ok((await c.creditInfo()).amount > 0)
  const r = await c.call('domain-info', { name: 'example.cz' }, { cltrid: 'node-1' })
  assert.deepEqual([r.code, r.cltrid], [1000, 'node-1'])
  assert.ok((await c.domains.list()).some((d) => d.name === 'example.cz'))
  assert.equal((await c.domains.info('example.cz')).name, 'example.cz')
  assert.equal((await c.domains.check('example.cz')).available, false)
  assert.ok((await c.dns.domains()).some((z) => z.name === 'example.cz'))
  await c.dns.addRow('example.cz', '_node', 'TXT', 'v1', { ttl: 300, comment: 'node test' })
  const row = (await c.dns.rows('example.cz')).find((x) => x.name === '_node')
  assert.deepEqual([row.rdtype, row.ttl, row.authorComment], ['TXT', 300, 'node test'])
  await c.dns.updateRow('example.cz', row.id, { ttl: 600, rdata: 'v2' })
  assert.equal((await c.dns.commit('example.cz')).code, 1000)
  await c.dns.deleteRow('example.cz', row.id)
  await c.dns.commit('example.cz')
  await assert.rejects(c.dns.deleteRow('example.cz', 999999), (e) => e instanceof ApiError && e.apiCode === 3309 && e.code === 'HOSTAPI_API')

  const pending = await c.pingAsync()
  assert.equal(pending.command, 'ping-async')
  const note = await c.pingAsync({ waitMs: 10000 })
  assert.equal(note.code, 1000)
  assert.equal(c.notifications.kept, 1, 'the first notification was kept, not lost')
  const first = await c.notifications.poll()
  assert.equal(first.svtrid, pending.svtrid)
  assert.equal((await c.notifications.ack(first.id)).code, 1002)
  assert.equal(await c.notifications.poll(), null)
  await c.pingAsync()
  const it = c.notifications.watch({ follow: true, intervalMs: 50 })
  const next = await it.next()
  assert.equal(next.value.command, 'ping-async')
  await it.return()
  assert.equal(await c.notifications.next(), null)
  assert.equal(typeof c.newCltrid(), 'string')
  assert.equal(c.authFailures, 0)
  await c.close()
})

test('clients of one account share the guard and the notification spool', async () => {
  await emu.reset()
  const stateDir = mkdtempSync(join(tmpdir(), 'hostapi-node-state-'))
  const wrong = emu.wedosClient({ password: 'wrong', stateDir })
  for (let i = 0; i < 3; i++) await assert.rejects(wrong.ping(), (e) => e instanceof AuthenticationError && e.apiCode === 2050)
  await wrong.close()
  // Another client of the account (the right password) is stopped too, without sending.
  const c = emu.wedosClient({ stateDir, pollIntervalMs: 50 })
  await assert.rejects(c.ping(), (e) => e instanceof AuthenticationError && /guard reset/.test(e.message) && !/wrong/.test(e.message))
  assert.equal(c.authFailures, 3)
  c.resetAuthGuard()
  assert.equal((await c.ping()).code, 1000)
  const pending = await c.pingAsync()
  await c.pingAsync({ waitMs: 10000 })
  await c.close()
  const other = emu.wedosClient({ stateDir })
  assert.equal(other.notifications.kept, 1, 'close() dropped nothing')
  assert.equal((await other.notifications.next()).svtrid, pending.svtrid)
  assert.equal(await other.notifications.next(), null)
  assert.ok(other.stateFile.startsWith(stateDir))
  assert.ok(!readFileSync(other.stateFile, 'utf8').includes('wrong'))
  await other.close()
})

test('a configuration error names a path as it is, snake_case parts included', async () => {
  const top = mkdtempSync(join(tmpdir(), 'hostapi-node-'))
  const stateDir = join(top, 'state_dir')
  mkdirSync(stateDir, { mode: 0o700 })
  const c = emu.wedosClient({ stateDir })
  await c.ping()
  const file = c.stateFile
  await c.close()
  unlinkSync(file)
  execFileSync('mkfifo', [file])
  const d = emu.wedosClient({ stateDir })
  await assert.rejects(d.ping(), (e) => e instanceof ConfigError && e.message.includes(file) && /a FIFO/.test(e.message))
  await d.close().catch(() => {})
  rmSync(top, { recursive: true, force: true })
})

test('errors are classes with stable codes and no secrets', async () => {
  assert.throws(() => new VelneoClient({ email: 'a@b.c' }), (e) => e instanceof ConfigError && e.code === 'HOSTAPI_CONFIG' && e.number === 3 && /VELNEO_API_KEY/.test(e.message))
  assert.throws(() => new VelneoClient({ email: 'a@b.c', apiKey: 'k', timeoutMs: 'soon' }), ConfigError)
  assert.throws(() => new WedosClient({ user: 'u', password: 'p', onLimit: 'later' }), /onLimit must be one of/)
  assert.throws(() => new VelneoClient({ email: 'a@b.c', apiKey: 'k', timeout: 5 }), /unknown setting "timeout"/)
  const v = emu.velneoClient()
  await assert.rejects(v.groups.put('G', { manageSolution: true }), /unknown option "manageSolution"/)
  await assert.rejects(v.groups.put('G', { manageSolutions: 'yes' }), ConfigError)
  await assert.rejects(v.groups.get('NoSuchGroup'), (e) => e instanceof ApiError && e.httpStatus === 403 && e.status === 403 && e.operation === 'velneo groups.get')
  await v.vserver.setCredentials('nobody', 'x')
  await assert.rejects(v.groups.list(), VServerCredentialsError)
  const wrong = new VelneoClient({ email: emu.demo.velneoEmail, apiKey: 'wrong-key-123', baseUrl: emu.velneoUrl })
  await assert.rejects(wrong.vserver.status(), (e) => e instanceof AuthenticationError && !e.message.includes('wrong-key-123'))
  const down = new VelneoClient({ email: 'a@b.c', apiKey: 'k', baseUrl: 'http://127.0.0.1:9', retries: 0, connectTimeoutMs: 2000 })
  await assert.rejects(down.vserver.status(), (e) => e instanceof TransportError && e instanceof HostapiError && e instanceof Error)
  const w = emu.wedosClient({ hourlyLimits: [1, 1], stateDir: ':memory:' })
  await w.ping()
  await assert.rejects(w.ping(), (e) => e instanceof RateLimitedError && e.retryAfterMs > 0)
  for (const x of [v, wrong, down]) await x.close().catch(() => {})
})

test('inspect and JSON never show a secret', async () => {
  const v = new VelneoClient({ email: 'a@b.c', apiKey: 'SUPER-SECRET-KEY', baseUrl: emu.velneoUrl })
  const w = new WedosClient({ user: 'u@example.com', password: 'WAPI-SECRET-PW', baseUrl: emu.wedosUrl })
  const shown = [inspect(v, { showHidden: true, depth: 5 }), inspect(w, { showHidden: true, depth: 5 }), JSON.stringify(v), JSON.stringify(w),
    inspect(v.groups, { showHidden: true }), inspect(emu)].join('\n')
  for (const secret of ['SUPER-SECRET-KEY', 'WAPI-SECRET-PW', emu.demo.velneoApiKey, emu.demo.wedosPassword]) {
    assert.ok(!shown.includes(secret), `${secret} shown:\n${shown}`)
  }
  const e = await w.ping().catch((x) => x)
  assert.ok(e instanceof AuthenticationError)
  assert.ok(!inspect(e, { showHidden: true }).includes('WAPI-SECRET-PW'))
})

test('abort rejects at once and drops the request', async () => {
  const c = emu.velneoClient()
  await c.login()
  await emu.addFault({ path: '/v1/vserver', delayMs: 5000 })
  const ctl = new AbortController()
  const started = Date.now()
  const p = c.vserver.status({ signal: ctl.signal })
  setTimeout(() => ctl.abort(), 50)
  await assert.rejects(p, (e) => e.name === 'AbortError')
  assert.ok(Date.now() - started < 2000, 'rejected at once, not after the server answered')
  await assert.rejects(c.vserver.status({ signal: AbortSignal.abort() }), (e) => e.name === 'AbortError')
  assert.equal((await c.vserver.status()).status, 'running', 'the client still works')
  await c.close()
})

test('200 concurrent first calls share one login', async () => {
  await emu.reset()
  const c = emu.velneoClient()
  const all = await Promise.all(Array.from({ length: 200 }, () => c.vserver.status()))
  assert.equal(all.length, 200)
  assert.equal(c.loginCount, 1)
  const state = await emu.state()
  assert.equal(state.velneo[emu.demo.velneoEmail].logins, 1)
  await c.close()
})

test('wrong types are ConfigErrors that never echo the value', async () => {
  const { protocol } = await import('hostapi')
  for (const f of [
    () => protocol.wedos.auth('u', 123456, 1768473000),
    () => protocol.wedos.buildRequest('ping', null, { user: 'u', password: ['SECRET-X'], unix: 1 }),
    () => protocol.velneo.sign('a@b', 1, 424242),
    () => protocol.velneo.buildRequest('groups.get', { name: 'G' })
  ]) {
    assert.throws(f, (e) => e instanceof ConfigError && !/123456|SECRET-X|424242/.test(e.message))
  }
  assert.throws(() => new VelneoClient({ email: 'a@b.c', apiKey: 'k', timeoutMs: Number.NaN }), ConfigError)
  await assert.rejects(startEmulator({ port: 'x' }), ConfigError)
})

test('close() never rejects, even when the server is gone', async () => {
  const other = await startEmulator()
  const c = other.velneoClient({ retries: 0, connectTimeoutMs: 1000 })
  await c.login()
  await other.stop()
  await c.close()
  assert.ok(c.closed)
})

test('aborts reject with the signal\'s reason, as fetch does', async () => {
  const c = emu.velneoClient()
  await c.login()
  await emu.addFault({ path: '/v1/vserver', delayMs: 3000, times: 2 })
  await assert.rejects(c.vserver.status({ signal: AbortSignal.timeout(30) }), (e) => e.name === 'TimeoutError')
  const ctl = new AbortController()
  const reason = new Error('shutting down')
  const p = c.vserver.status({ signal: ctl.signal })
  setTimeout(() => ctl.abort(reason), 30)
  await assert.rejects(p, (e) => e === reason)
  await emu.reset()
})

test('the emulator\'s clients leave $HOME and $XDG_STATE_HOME untouched', async () => {
  const { execFileSync } = await import('node:child_process')
  const home = mkdtempSync(join(tmpdir(), 'hostapi-home-'))
  const xdg = mkdtempSync(join(tmpdir(), 'hostapi-xdg-'))
  const env = { ...process.env, HOME: home, XDG_STATE_HOME: xdg }
  delete env.HOSTAPI_STATE_DIR
  delete env.HOSTAPI_STATE_STORE
  const script = `
    import { startEmulator } from 'hostapi'
    import { existsSync } from 'node:fs'
    const emu = await startEmulator()
    const c = emu.wedosClient()
    await c.ping()
    await c.dns.rows('example.cz')
    const dir = emu.stateDir
    if (!existsSync(dir)) throw new Error('no state directory while running')
    await emu.stop()
    if (existsSync(dir)) throw new Error('the state directory is left behind')
  `
  execFileSync(process.execPath, ['--input-type=module', '-e', script], { env, cwd: process.cwd(), stdio: 'pipe' })
  assert.deepEqual(readdirSync(home), [])
  assert.deepEqual(readdirSync(xdg), [])
})

test('dns.addRow resolves to the new row with its id', async () => {
  await emu.reset()
  const c = emu.wedosClient()
  const row = await c.dns.addRow('example.cz', 'withid', 'A', '192.0.2.55', { ttl: 600 })
  assert.equal(typeof row.id, 'number')
  assert.equal(row.code, 1000, 'the server\'s answer is kept')
  assert.deepEqual([row.name, row.rdtype, row.rdata, row.ttl], ['withid', 'A', '192.0.2.55', 600])
  const listed = (await c.dns.rows('example.cz')).find((r) => r.id === row.id)
  assert.equal(listed.rdata, '192.0.2.55')
  await c.close()
})

test('arguments of the wrong type are ConfigErrors before any request', async () => {
  await emu.reset()
  const v = emu.velneoClient()
  const before = await emu.requests()
  await assert.rejects(v.groups.get(5), (e) => e instanceof ConfigError && /name must be a string/.test(e.message))
  const w = emu.wedosClient()
  await assert.rejects(w.dns.rowDetail('example.cz', '1'), (e) => e instanceof ConfigError)
  assert.deepEqual(await emu.requests(), before, 'nothing was sent')
  await w.close()
})

test('configuration errors speak of Node\'s names', async () => {
  assert.throws(() => new VelneoClient({ email: 'a@b.c' }), (e) => /fromEnv/.test(e.message) && !/from_env/.test(e.message))
  const v = emu.velneoClient()
  await assert.rejects(v.users.put('u', { isSupervisor: 'yes' }), (e) => e instanceof ConfigError && /isSupervisor must be true or false/.test(e.message))
  await v.close()
})

test('a wrong API key says what to check, and short timeouts are said in milliseconds', async () => {
  const wrong = new VelneoClient({ email: emu.demo.velneoEmail, apiKey: 'not-the-key', baseUrl: emu.velneoUrl })
  await assert.rejects(wrong.vserver.status(), (e) => e instanceof AuthenticationError && /API key/.test(e.message))
  const c = emu.velneoClient({ timeoutMs: 30, retries: 0 })
  await c.login()
  await emu.addFault({ path: '/v1/vserver', delayMs: 1000 })
  await assert.rejects(c.vserver.status(), (e) => e.name === 'TimeoutError' && /30 ms/.test(e.message) && !/0\.0s/.test(e.message))
  await emu.reset()
})

test('setTxt waits until the emulator\'s DNS serves the value', async () => {
  const config = {
    wedos: {
      accounts: [{
        user: emu.demo.wedosUser,
        password: emu.demo.wedosPassword,
        dns_publish_delay_secs: 1,
        dns_zones: [{ name: 'example.cz' }]
      }]
    }
  }
  const dnsEmu = await startEmulator({ config, dnsPort: 0 })
  try {
    assert.match(dnsEmu.dns, /^127\.0\.0\.1:\d+$/)
    const c = dnsEmu.wedosClient()
    const started = Date.now()
    const row = await c.dns.setTxt('_acme-challenge.example.cz', 'node-waited', { waitMs: 30000, nameservers: [dnsEmu.dns] })
    assert.equal(row.rdata, 'node-waited')
    assert.ok(Date.now() - started >= 1000)
    await assert.rejects(
      c.dns.setTxt('_acme-challenge.example.cz', 'node-other', { waitMs: 1000, nameservers: ['127.0.0.1:9'] }),
      (e) => e.name === 'TimeoutError' && /127\.0\.0\.1:9/.test(e.message)
    )
  } finally {
    await dnsEmu.stop()
  }
  assert.equal(emu.dns, null)
})
