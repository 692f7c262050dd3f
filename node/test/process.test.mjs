// The package as a process sees it: it exits by itself when no call is pending, both module systems load it,
// and the packed tarball installs into a brand-new project and works there.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

const PKG = join(dirname(fileURLToPath(import.meta.url)), '..')

function run (args, cwd, timeout = 60000) {
  const r = spawnSync(process.execPath, args, { cwd, encoding: 'utf8', timeout })
  return { ...r, took: r.error ? Infinity : 0 }
}

test('a script exits by itself once its calls are done (nothing keeps the event loop alive)', () => {
  const script = `
    const { startEmulator } = require(${JSON.stringify(join(PKG, 'index.cjs'))})
    ;(async () => {
      const emu = await startEmulator()
      const v = emu.velneoClient()
      const w = emu.wedosClient()
      await Promise.all([v.vserver.status(), w.ping(), v.groups.list()])
      console.log('done')
      // neither the clients nor the emulator are closed: the process must still exit
    })()
  `
  const started = Date.now()
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 20000 })
  const took = Date.now() - started
  assert.equal(r.error, undefined, `the child did not exit: ${r.error}`)
  assert.equal(r.status, 0, r.stderr)
  assert.equal(r.stdout.trim(), 'done')
  assert.ok(took < 10000, `took ${took} ms`)
})

test('require() and import give the same API', () => {
  const cjs = run(['-e', `const h = require(${JSON.stringify(join(PKG, 'index.cjs'))}); console.log(Object.keys(h).sort().join(','))`])
  const esm = run(['--input-type=module', '-e', `import * as h from ${JSON.stringify(join(PKG, 'index.mjs'))}; console.log(Object.keys(h).filter(k => k !== 'default').sort().join(','))`])
  assert.equal(cjs.status, 0, cjs.stderr)
  assert.equal(esm.status, 0, esm.stderr)
  assert.equal(cjs.stdout, esm.stdout)
  assert.ok(cjs.stdout.includes('VelneoClient') && cjs.stdout.includes('startEmulator'))
})

test('npm pack produces a tarball a brand-new project installs and uses', () => {
  const out = mkdtempSync(join(tmpdir(), 'hostapi-pack-'))
  try {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
    const pack = spawnSync(npm, ['pack', '--pack-destination', out, '--silent'], { cwd: PKG, encoding: 'utf8', timeout: 120000 })
    assert.equal(pack.status, 0, pack.stderr)
    const tgz = readdirSync(out).find((f) => f.endsWith('.tgz'))
    assert.ok(tgz, 'a tarball')
    const listed = spawnSync('tar', ['-tzf', join(out, tgz)], { encoding: 'utf8' }).stdout
    for (const f of ['package/LICENSE-MIT', 'package/LICENSE-APACHE', 'package/README.md']) assert.ok(listed.includes(f), `${f} in the tarball`)
    const app = join(out, 'app')
    spawnSync('mkdir', [app])
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true, type: 'module' }))
    const install = spawnSync(npm, ['install', '--offline', '--no-audit', '--no-fund', join(out, tgz)], { cwd: app, encoding: 'utf8', timeout: 120000 })
    assert.equal(install.status, 0, install.stderr)
    writeFileSync(join(app, 'main.mjs'), `
      import { startEmulator, WedosClient } from 'hostapi'
      const emu = await startEmulator()
      const w = new WedosClient({ user: emu.demo.wedosUser, password: emu.demo.wedosPassword, baseUrl: emu.wedosUrl })
      console.log((await w.ping()).code)
      await emu.stop()
    `)
    writeFileSync(join(app, 'main.cjs'), `
      const { protocol } = require('hostapi')
      console.log(protocol.wedos.pragueHour(1768473000))
    `)
    const esm = run(['main.mjs'], app)
    assert.equal(esm.status, 0, esm.stderr)
    assert.equal(esm.stdout.trim(), '1000')
    const cjs = run(['main.cjs'], app)
    assert.equal(cjs.status, 0, cjs.stderr)
    assert.equal(cjs.stdout.trim(), '11')
  } finally {
    rmSync(out, { recursive: true, force: true })
  }
})

test('the shipped types type-check a strict TypeScript program, and reject a misspelt option', () => {
  const tsc = join(PKG, 'node_modules', 'typescript', 'bin', 'tsc')
  const r = run([tsc, '-p', join(PKG, 'test', 'tsconfig.json')], PKG, 120000)
  assert.equal(r.status, 0, r.stdout + r.stderr)
})
